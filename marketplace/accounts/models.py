"""Settings a person keeps for themselves. An expert's time zone lives on their profile (it also
places their shifts); everyone else's here."""

from django.conf import settings
from django.db import models

from marketplace.infra.timezones import validate_time_zone


class AccountSettings(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_settings"
    )
    time_zone = models.CharField(
        max_length=64, blank=True, validators=[validate_time_zone],
        help_text="IANA zone the person's pages show times in; empty: a brand member sees "
        "their brand's first queue's zone, ops staff UTC.")

    class Meta:
        verbose_name = "account settings"
        verbose_name_plural = "account settings"

    def __str__(self) -> str:
        return f"Settings of {self.user}"

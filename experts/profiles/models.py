"""Expert profiles: who an expert is, what they speak and know, and where their vetting stands."""


from django.conf import settings
from django.contrib.postgres.fields import (
    ArrayField,
)
from django.db import models

from marketplace.infra.timezones import validate_time_zone


class ExpertStatus(models.TextChoices):
    APPLIED = "applied", "Applied"
    IN_REVIEW = "in_review", "In review"
    NEEDS_INFO = "needs_info", "Needs info"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    SUSPENDED = "suspended", "Suspended"


class ExpertProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_profile"
    )
    display_name = models.CharField(max_length=100)
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    languages = ArrayField(models.CharField(max_length=8), default=list)
    skills = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    status = models.CharField(
        max_length=16, choices=ExpertStatus.choices, default=ExpertStatus.APPLIED
    )
    quality_score = models.FloatField(default=0.0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_approved(self) -> bool:
        return self.status == ExpertStatus.APPROVED


"""How long an expert waits after failing a brand's quiz before trying again."""

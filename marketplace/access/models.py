"""Brand API keys: stored as a digest with a visible prefix."""


from django.db import models

from marketplace.onboarding.models import Brand


class ApiKey(models.Model):
    """A brand's API key. Only a SHA-256 digest is stored; the prefix stays visible so people can
    tell keys apart."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    hashed_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    rate_limited = models.BooleanField(
        default=True,
        help_text="Off lifts this key's API rate limits (SHIFTLINE_THROTTLE_API_KEY), "
        "for a trusted bulk import or the contract fuzz run.")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

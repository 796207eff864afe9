"""Brand API keys: stored as a digest with a visible prefix, with the scopes they were given."""


from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from marketplace.access.scopes import ALL_SCOPES, DEFAULT_SCOPES, ApiScope
from marketplace.onboarding.models import Brand

__all__ = ["ALL_SCOPES", "DEFAULT_SCOPES", "ApiKey", "ApiScope"]


class ApiKey(models.Model):
    """A brand's API key. Only a SHA-256 digest is stored; the prefix stays visible so people can
    tell keys apart. `scopes` are the operations it may call (marketplace/access/scopes.py)."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    hashed_key = models.CharField(max_length=64, unique=True)
    scopes = ArrayField(models.CharField(max_length=32))
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    rate_limited = models.BooleanField(
        default=True,
        help_text="Off lifts this key's API rate limits (SHIFTLINE_THROTTLE_API_KEY), "
        "for a trusted bulk import or the contract fuzz run.")

    class Meta:
        verbose_name = "API key"
        verbose_name_plural = "API keys"
        constraints = [
            models.CheckConstraint(
                condition=Q(scopes__contained_by=list(ALL_SCOPES)) & Q(scopes__len__gte=1),
                name="api_key_scopes_known_and_not_empty",
                violation_error_message="An API key has at least one scope, all of them known.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def scope_labels(self) -> list[str]:
        """The human labels of the key's scopes, in the console's order."""
        return [ApiScope(scope).label for scope in ALL_SCOPES if scope in self.scopes]

"""Brands and their people: members with a role, invitations; the brand audit log."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q


class Brand(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    billing_contact_name = models.CharField(max_length=200, blank=True)
    billing_email = models.EmailField(blank=True)
    billing_address = models.TextField(blank=True)
    vat_number = models.CharField(max_length=20, blank=True)
    billing_country = models.CharField(
        max_length=2, blank=True,
        help_text="ISO 3166 country of the billing address; VAT on invoices depends on it.")
    # When the owner who signed the brand up on the web opened the confirmation link. The link
    # works only while this is empty, so it works once. Empty for brands ops invited.
    signup_confirmed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class BrandRole(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    VIEWER = "viewer", "Viewer"


class BrandMembership(models.Model):
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="brand_memberships"
    )
    role = models.CharField(max_length=16, choices=BrandRole.choices, default=BrandRole.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["brand", "user"], name="unique_brand_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) at {self.brand}"


class BrandInvitation(models.Model):
    """An emailed invitation to join a brand with a role. The link carries a signed token of
    the invitation's id; accepting it once sets `accepted_at`."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=BrandRole.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "email"], condition=Q(accepted_at__isnull=True),
                name="one_open_invitation_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} invited to {self.brand} as {self.role}"


class BrandAuditAction(models.TextChoices):
    """What happened, as a stable code with a label for people."""

    KEY_CREATED = "key.created", "API key created"
    KEY_REVOKED = "key.revoked", "API key revoked"
    KEY_ROTATED = "key.rotated", "API key rotated"
    MEMBER_INVITED = "member.invited", "Member invited"
    INVITATION_CANCELLED = "member.invitation_cancelled", "Invitation withdrawn"
    MEMBER_JOINED = "member.joined", "Invitation accepted"
    MEMBER_ROLE_CHANGED = "member.role_changed", "Member role changed"
    MEMBER_REMOVED = "member.removed", "Member removed"
    QUEUE_CREATED = "queue.created", "Queue created"
    QUEUE_SETTINGS_CHANGED = "queue.settings_changed", "Queue settings changed"
    MACRO_CREATED = "queue.macro_created", "Macro added"
    MACRO_CHANGED = "queue.macro_changed", "Macro changed"
    MACRO_DELETED = "queue.macro_deleted", "Macro removed"
    WEBHOOK_SECRET_ROTATED = "channel.webhook_secret_rotated", "Webhook secret rotated"
    INBOUND_ADDRESS_ROTATED = "channel.inbound_address_rotated", "Inbound email address rotated"
    OUTBOUND_WEBHOOK_CHANGED = "channel.outbound_webhook_changed", "Outbound webhook changed"
    WIDGET_CHANGED = "channel.widget_changed", "Chat widget settings changed"
    WEBHOOK_DELIVERY_RETRIED = "channel.webhook_delivery_retried", "Webhook delivery retried"
    BILLING_DETAILS_CHANGED = "billing.details_changed", "Billing details changed"
    CUSTOMER_DATA_EXPORTED = "privacy.customer_exported", "Customer data exported"
    CUSTOMER_DATA_ERASED = "privacy.customer_erased", "Customer data erased"


class AuditTrailIsAppendOnly(Exception):
    """Raised on any attempt to change or delete a row of the brand audit log."""


class BrandAuditEventQuerySet(models.QuerySet["BrandAuditEvent"]):
    def update(self, **kwargs: object) -> int:
        raise AuditTrailIsAppendOnly("The brand audit log is append-only: rows are not updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditTrailIsAppendOnly("The brand audit log is append-only: rows are not deleted.")


class BrandAuditEvent(models.Model):
    """Append-only log of the changes a brand's people and systems make: keys, members, queues,
    channels, billing details, customer-data requests; who (a user or an API key, with a label
    kept as it read then), what, to which target, the changed fields (never a secret) and when.
    Written by the services (marketplace/onboarding/audit.py). Rows are never changed: `save()`
    only inserts, `delete()` and the queryset's `update()`/`delete()` refuse, and PostgreSQL
    refuses UPDATE and DELETE as for the vetting trail (migration "brand_audit_log"), so a brand,
    a user or a key with events cannot be deleted either (PROTECT)."""

    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="audit_events")
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    actor_api_key = models.ForeignKey(
        "marketplace.ApiKey", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    actor_label = models.CharField(
        max_length=200, help_text="Who, as the log showed it then: an email, or an API key's "
        "name and prefix, or Shiftline itself.")
    action = models.CharField(max_length=48, choices=BrandAuditAction.choices)
    target = models.CharField(max_length=300, help_text="What was changed, for people.")
    changes = models.JSONField(
        default=dict, blank=True,
        help_text="Per changed field: {\"before\": …, \"after\": …} where cheap; never secrets.")
    occurred_at = models.DateTimeField()

    objects = BrandAuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["brand", "-occurred_at", "-id"],
                                name="brand_audit_recent")]
        constraints = [
            models.CheckConstraint(
                condition=Q(actor_user__isnull=True) | Q(actor_api_key__isnull=True),
                name="brand_audit_one_actor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor_label} at {self.brand_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AuditTrailIsAppendOnly("The brand audit log is append-only: rows are not "
                                         "changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditTrailIsAppendOnly("The brand audit log is append-only: rows are not deleted.")

"""Brands and their people: members with a role, invitations."""


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

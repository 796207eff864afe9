"""Offers, assignments and the decision log. The invariants are database constraints."""

from django.db import models
from django.db.models import Q


class OfferStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired"
    WITHDRAWN = "withdrawn", "Withdrawn"


class RoutingDecisionLog(models.Model):
    """Why this expert and why not the others, as the engine decided it."""

    inquiry = models.ForeignKey(
        "marketplace.Inquiry", on_delete=models.CASCADE, related_name="routing_decisions"
    )
    chosen_expert = models.ForeignKey(
        "experts.ExpertProfile", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    detail = models.JSONField()
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"decision for inquiry {self.inquiry_id} at {self.decided_at:%H:%M:%S}"


class Offer(models.Model):
    """An inquiry offered to one expert. Normally one offer per inquiry is pending; a chat close
    to breaching its target is offered to several experts at once (the first to accept wins and
    the others are withdrawn in the same transaction), so the database allows one pending offer
    per inquiry and expert, and the single-assignment constraint picks the winner."""

    inquiry = models.ForeignKey("marketplace.Inquiry", on_delete=models.CASCADE,
                                related_name="offers")
    expert = models.ForeignKey("experts.ExpertProfile", on_delete=models.PROTECT,
                               related_name="offers")
    decision = models.ForeignKey(RoutingDecisionLog, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="offers")
    status = models.CharField(max_length=16, choices=OfferStatus.choices,
                              default=OfferStatus.PENDING)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["inquiry", "expert"], condition=Q(status="pending"),
                name="one_pending_offer_per_inquiry_and_expert",
            ),
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")),
                                   name="offer_expires_after_creation"),
        ]
        indexes = [
            models.Index(fields=["expires_at"], condition=Q(status="pending"),
                         name="pending_offer_expiry"),
            models.Index(fields=["expert", "status"], name="offer_expert_status"),
        ]

    def __str__(self) -> str:
        return f"offer of inquiry {self.inquiry_id} to expert {self.expert_id} ({self.status})"


class AssignmentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    RESOLVED = "resolved", "Resolved"
    RELEASED = "released", "Released"


class Assignment(models.Model):
    inquiry = models.ForeignKey("marketplace.Inquiry", on_delete=models.CASCADE,
                                related_name="assignments")
    expert = models.ForeignKey("experts.ExpertProfile", on_delete=models.PROTECT,
                               related_name="assignments")
    offer = models.OneToOneField(Offer, on_delete=models.PROTECT, related_name="assignment")
    status = models.CharField(max_length=16, choices=AssignmentStatus.choices,
                              default=AssignmentStatus.ACTIVE)
    created_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["inquiry"], condition=Q(status="active"),
                name="one_active_assignment_per_inquiry",
            ),
        ]
        indexes = [
            models.Index(fields=["expert", "status"], name="assignment_expert_status"),
            models.Index(fields=["created_at"], condition=Q(status="active"),
                         name="active_assignment_age"),
        ]

    def __str__(self) -> str:
        return f"inquiry {self.inquiry_id} with expert {self.expert_id} ({self.status})"

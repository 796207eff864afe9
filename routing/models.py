"""Offers, assignments and the decision log. The invariants are database constraints."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from billing.terms.models import PremiumTier


class OfferStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired"
    WITHDRAWN = "withdrawn", "Withdrawn"


class DeclineReason(models.TextChoices):
    """Why an expert declines an offer; with OTHER the expert must say more in the note."""

    BUSY = "busy", "Too busy right now"
    LANGUAGE = "language", "Not confident in the language"
    TOPIC = "topic", "Outside what I know"
    BRAND = "brand", "Not familiar enough with this brand"
    OTHER = "other", "Other (say why)"


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
    decline_code = models.CharField(max_length=16, choices=DeclineReason.choices, blank=True)
    decline_reason = models.CharField(max_length=300, blank=True,
                                      help_text="The expert's own words when declining.")

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

    @property
    def decline_choices(self) -> list[tuple[str, str]]:
        return list(DeclineReason.choices)

    @property
    def why_you(self) -> str:
        """Why this offer came to its expert, from the decision that made it."""
        detail = self.decision.detail if self.decision is not None else {}
        ranked = detail.get("ranked", [])
        mine = next((row for row in ranked if row.get("expert_id") == self.expert_id), None)
        if mine is None:
            return ""
        text = (f"You were ranked {mine['rank']} of {len(ranked)} eligible: "
                f"{mine['active_load']} active on this channel, idle "
                f"{int(mine['idle_seconds']) // 60} min (fewest active first, then longest "
                "idle, then quality).")
        if detail.get("offered_at_once", 1) > 1:
            text += (f" Its first response is due soon, so {detail['offered_at_once']} experts "
                     "were offered it at once: the first to accept wins.")
        return text


class AssignmentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    RESOLVED = "resolved", "Resolved"
    RELEASED = "released", "Released"
    ESCALATED = "escalated", "Escalated to the brand"


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
    premium_tier = models.CharField(
        max_length=16, choices=PremiumTier.choices, default=PremiumTier.STANDARD,
        help_text="The premium tier of the shift the expert was working when they accepted, "
        "copied from their seat; billing prices the ticket at it at resolution.",
    )

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
            models.Index(fields=["-ended_at"], condition=Q(status="resolved"),
                         name="resolved_assignment_recent"),
        ]

    def __str__(self) -> str:
        return f"inquiry {self.inquiry_id} with expert {self.expert_id} ({self.status})"


class ExpertSeat(models.Model):
    """An expert who can take work right now: checked in on a shift of `queue`, approved and
    certified (checked when the seat opens; suspension, revocation and check-out close it).

    Routing reads only these rows, through indexes ordered the way the policy ranks experts, so
    a decision costs the same with ten or ten thousand experts on shift. The load counters
    change with conditional `F()` updates inside the routing transaction, and the database
    refuses a load above capacity."""

    expert = models.OneToOneField("experts.ExpertProfile", on_delete=models.CASCADE,
                                  related_name="seat")
    queue = models.ForeignKey("marketplace.OverflowQueue", on_delete=models.CASCADE,
                              related_name="seats")
    languages = ArrayField(models.CharField(max_length=8), default=list)
    skills = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    available = models.BooleanField(default=True)
    chat_load = models.PositiveSmallIntegerField(default=0)
    email_load = models.PositiveSmallIntegerField(default=0)
    social_load = models.PositiveSmallIntegerField(default=0)
    chat_capacity = models.PositiveSmallIntegerField(default=3)
    email_capacity = models.PositiveSmallIntegerField(default=5)
    social_capacity = models.PositiveSmallIntegerField(default=5)
    idle_since = models.DateTimeField()
    quality_score = models.FloatField(default=0.0)
    shift_ends_at = models.DateTimeField()
    opened_at = models.DateTimeField()
    premium_tier = models.CharField(
        max_length=16, choices=PremiumTier.choices, default=PremiumTier.STANDARD,
        help_text="The premium tier of the shift the seat was opened for; an accepted offer "
        "keeps it.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(chat_load__lte=models.F("chat_capacity")),
                                   name="seat_chat_within_capacity"),
            models.CheckConstraint(condition=Q(email_load__lte=models.F("email_capacity")),
                                   name="seat_email_within_capacity"),
            models.CheckConstraint(condition=Q(social_load__lte=models.F("social_capacity")),
                                   name="seat_social_within_capacity"),
        ]
        indexes = [
            models.Index(fields=["queue", "chat_load", "idle_since", "expert"],
                         name="seat_rank_chat",
                         condition=Q(available=True)),
            models.Index(fields=["queue", "email_load", "idle_since", "expert"],
                         name="seat_rank_email",
                         condition=Q(available=True)),
            models.Index(fields=["queue", "social_load", "idle_since", "expert"],
                         name="seat_rank_social",
                         condition=Q(available=True)),
            models.Index(fields=["shift_ends_at"], name="seat_shift_end"),
        ]

    def __str__(self) -> str:
        return f"seat of expert {self.expert_id} on queue {self.queue_id}"

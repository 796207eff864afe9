"""A brand's dispute of a billed ticket, ops' decision, and the expert's one appeal. Every step
is an event in `DisputeEvent`, which the database keeps append-only (migration triggers) and
which holds each step at most once per dispute (so an appeal cannot be made twice)."""

from django.db import models


class DisputeReason(models.TextChoices):
    WRONG_ANSWER = "wrong_answer", "The answer was wrong"
    NOT_RESOLVED = "not_resolved", "The customer's problem was not resolved"
    TONE = "tone", "Tone or guidelines not followed"
    DUPLICATE = "duplicate", "Duplicate or spam ticket"
    OTHER = "other", "Other"


class DisputeStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class AppealStatus(models.TextChoices):
    NONE = "none", "No appeal"
    PENDING = "pending", "Appeal pending"
    GRANTED = "granted", "Appeal granted"
    DENIED = "denied", "Appeal denied"


class Dispute(models.Model):
    inquiry_id = models.BigIntegerField(unique=True)
    brand_id = models.BigIntegerField()
    expert_id = models.BigIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3)
    amount_minor = models.BigIntegerField(help_text="What the brand was charged for the ticket.")
    expert_pay_minor = models.BigIntegerField(default=0)
    reason = models.CharField(max_length=32, choices=DisputeReason.choices)
    note = models.TextField(blank=True)
    status = models.CharField(max_length=8, choices=DisputeStatus.choices,
                              default=DisputeStatus.OPEN)
    decision_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    appeal_status = models.CharField(max_length=8, choices=AppealStatus.choices,
                                     default=AppealStatus.NONE)
    appeal_note = models.TextField(blank=True)
    appeal_deadline = models.DateTimeField(null=True, blank=True)
    appeal_decision_reason = models.TextField(blank=True)
    credit_note = models.ForeignKey("billing.Invoice", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="disputes")
    opened_at = models.DateTimeField()

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["brand_id", "status"]),
                   models.Index(fields=["expert_id", "status"])]

    def __str__(self) -> str:
        return f"Dispute of inquiry #{self.inquiry_id} ({self.status})"


class DisputeEventKind(models.TextChoices):
    OPENED = "opened", "Disputed by the brand"
    ACCEPTED = "accepted", "Accepted by ops"
    REJECTED = "rejected", "Rejected by ops"
    APPEALED = "appealed", "Appealed by the expert"
    APPEAL_GRANTED = "appeal_granted", "Appeal granted"
    APPEAL_DENIED = "appeal_denied", "Appeal denied"


class DisputeEvent(models.Model):
    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16, choices=DisputeEventKind.choices)
    actor = models.CharField(max_length=200, help_text="Who acted, as shown to people.")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dispute", "kind"], name="dispute_step_once"),
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id} {self.kind}"

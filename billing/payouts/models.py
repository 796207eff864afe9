"""Payout batches, payouts and the expert's payout details.

Billing keys everything by the expert profile's id (`expert_id`) and never imports the experts
app; the expert's name comes from their payable account's name or from the caller.

One payout per batch, expert and currency (a unique constraint); its id is the idempotency key of
its ledger transactions (`payout-created:<id>`, `payout-paid:<id>`, `payout-failed:<id>`) and of
the Stripe transfer (`payout-<id>`), so a resumed run never pays twice.
"""

from django.db import models
from django.db.models import Q


class PayoutMethod(models.TextChoices):
    STRIPE = "stripe", "Stripe Connect"
    BANK_FILE = "bank_file", "Bank transfer (file export)"


class PayoutDetails(models.Model):
    """Where an expert is paid. One row per expert; the method they chose and its details."""

    expert_id = models.BigIntegerField(unique=True)
    method = models.CharField(max_length=16, choices=PayoutMethod.choices)
    stripe_account_id = models.CharField(max_length=64, blank=True, default="")
    stripe_onboarded = models.BooleanField(default=False)
    account_holder = models.CharField(max_length=140, blank=True, default="")
    iban = models.CharField(max_length=34, blank=True, default="")
    bic = models.CharField(max_length=11, blank=True, default="")
    country = models.CharField(max_length=2, blank=True, default="")
    tax_id = models.CharField(max_length=40, blank=True, default="")
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "payout details"
        constraints = [
            models.UniqueConstraint(fields=["stripe_account_id"],
                                    condition=~Q(stripe_account_id=""),
                                    name="unique_stripe_account"),
        ]

    def __str__(self) -> str:
        return f"payout details of expert {self.expert_id}"

    @property
    def payable(self) -> bool:
        """Whether a payout can be sent with these details."""
        if self.method == PayoutMethod.STRIPE:
            return bool(self.stripe_account_id) and self.stripe_onboarded
        return bool(self.iban and self.account_holder)


class BatchStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    EXECUTING = "executing", "Executing"
    EXECUTED = "executed", "Executed"


class PayoutBatch(models.Model):
    """The payouts of one payout week. `period_start` and `period_end` are UTC instants of the
    week's start and of the instant after its cut-off, in the payout zone."""

    week_start = models.DateField(unique=True, help_text="The week's first day in the payout zone.")
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    status = models.CharField(max_length=16, choices=BatchStatus.choices,
                              default=BatchStatus.DRAFT)
    drafted_at = models.DateTimeField()
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by_id = models.BigIntegerField(null=True, blank=True)
    executed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-week_start"]
        verbose_name_plural = "payout batches"
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gt=models.F("period_start")),
                                   name="payout_batch_period_positive"),
        ]

    def __str__(self) -> str:
        return f"payout week of {self.week_start}"


class PayoutStatus(models.TextChoices):
    HELD = "held", "Held"
    CARRIED = "carried", "Carried to next week"
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    PAID = "paid", "Paid"
    FAILED = "failed", "Failed"


class Payout(models.Model):
    batch = models.ForeignKey(PayoutBatch, on_delete=models.PROTECT, related_name="payouts")
    expert_id = models.BigIntegerField(db_index=True)
    expert_name = models.CharField(max_length=200)
    currency = models.CharField(max_length=3)
    amount_minor = models.BigIntegerField()
    brought_forward_minor = models.BigIntegerField(
        default=0, help_text="Owed from before the week (carried, held or returned)."
    )
    status = models.CharField(max_length=16, choices=PayoutStatus.choices)
    method = models.CharField(max_length=16, choices=PayoutMethod.choices, blank=True,
                              default="")
    hold_reason = models.CharField(max_length=300, blank=True, default="")
    provider_reference = models.CharField(max_length=64, blank=True, default="")
    failure_reason = models.CharField(max_length=300, blank=True, default="")
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["expert_name", "expert_id", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "expert_id", "currency"],
                                    name="one_payout_per_expert_and_currency"),
            models.UniqueConstraint(fields=["provider_reference"],
                                    condition=~Q(provider_reference=""),
                                    name="unique_payout_provider_reference"),
            models.CheckConstraint(
                condition=Q(status__in=["held", "carried"]) | Q(amount_minor__gt=0),
                name="payout_sent_amount_positive",
            ),
        ]
        indexes = [models.Index(fields=["batch", "status"])]

    def __str__(self) -> str:
        return f"payout {self.pk} to expert {self.expert_id}"

    @property
    def idempotency_key(self) -> str:
        return f"payout-{self.pk}"

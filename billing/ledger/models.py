"""An append-only double-entry ledger. Amounts are integer minor units with an ISO currency.

Sign convention: a debit is positive, a credit negative; the entries of one transaction sum to
zero. The database enforces both the balance (a deferred constraint trigger) and append-only
(triggers refusing UPDATE and DELETE), see migration 0002.
"""

from django.db import models
from django.db.models import Q


class AccountKind(models.TextChoices):
    BRAND_RECEIVABLE = "brand_receivable", "Brand receivable"
    EXPERT_PAYABLE = "expert_payable", "Expert payable"
    PLATFORM_REVENUE = "platform_revenue", "Platform revenue"
    VAT_PAYABLE = "vat_payable", "VAT payable"
    PAYOUTS_IN_TRANSIT = "payouts_in_transit", "Payouts in transit"
    PAYOUT_PROVIDER_CASH = "payout_provider_cash", "Cash at the payout provider"
    BANK = "bank", "Cash at the bank"


class Account(models.Model):
    kind = models.CharField(max_length=32, choices=AccountKind.choices)
    owner_id = models.BigIntegerField(
        null=True, blank=True, help_text="The brand or expert profile id; empty for the platform."
    )
    currency = models.CharField(max_length=3)
    name = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "owner_id", "currency"], name="unique_account",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.currency})"


class TransactionKind(models.TextChoices):
    TICKET_RESOLVED = "ticket_resolved", "Ticket resolved"
    REVERSAL = "reversal", "Reversal"
    ESCALATION_CONFIRMED = "escalation_confirmed", "Escalation confirmed"
    DISPUTE_ACCEPTED = "dispute_accepted", "Dispute accepted"
    PAYOUT_CREATED = "payout_created", "Payout created"
    PAYOUT_PAID = "payout_paid", "Payout paid"
    PAYOUT_FAILED = "payout_failed", "Payout failed"
    INVOICE_ISSUED = "invoice_issued", "Invoice issued"
    INVOICE_PAID = "invoice_paid", "Invoice paid"
    CREDIT_NOTE = "credit_note", "Credit note"


class LedgerTransaction(models.Model):
    idempotency_key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=TransactionKind.choices)
    currency = models.CharField(max_length=3)
    description = models.CharField(max_length=300)
    reference_inquiry_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.idempotency_key}"


class LedgerEntry(models.Model):
    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="entries"
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    amount_minor = models.BigIntegerField()
    description = models.CharField(
        max_length=300, blank=True, default="",
        help_text="Which part of the transaction this is, such as what the expert earns and why.",
    )

    class Meta:
        verbose_name_plural = "ledger entries"
        constraints = [
            models.CheckConstraint(condition=~Q(amount_minor=0), name="entry_amount_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.amount_minor}"

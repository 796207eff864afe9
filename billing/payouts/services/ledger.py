"""A payout's three ledger movements, each keyed by the payout's id so each is written once.

- created: the expert's payable is debited (the platform owes them less), payouts in transit
  credited;
- paid: payouts in transit debited, the cash at the payout provider (Stripe) or at the bank
  (bank file) credited;
- failed: the created transaction reversed, so the money is owed to the expert again and joins
  their next payout (and a paid transaction reversed first when the money came back after all);
- partly reversed (Stripe reversed part of a transfer): only that part comes back, from the
  cash at Stripe to the expert's payable, keyed by the reversed total so far.
"""

from datetime import datetime

from billing.ledger.models import (
    Account,
    AccountKind,
    LedgerEntry,
    LedgerTransaction,
    TransactionKind,
)
from billing.ledger.services import Posting, account_get_or_create, ledger_post
from billing.payouts.models import Payout, PayoutMethod


def _payable(payout: Payout) -> Account:
    return account_get_or_create(kind=AccountKind.EXPERT_PAYABLE, owner_id=payout.expert_id,
                                 currency=payout.currency, name=f"{payout.expert_name} payable")


def _in_transit(payout: Payout) -> Account:
    return account_get_or_create(kind=AccountKind.PAYOUTS_IN_TRANSIT, owner_id=None,
                                 currency=payout.currency, name="Payouts in transit")


def _cash(payout: Payout) -> Account:
    if payout.method == PayoutMethod.STRIPE:
        return account_get_or_create(kind=AccountKind.PAYOUT_PROVIDER_CASH, owner_id=None,
                                     currency=payout.currency, name="Cash at Stripe")
    return account_get_or_create(kind=AccountKind.BANK, owner_id=None, currency=payout.currency,
                                 name="Cash at the bank")


def created_key(payout: Payout) -> str:
    return f"payout-created:{payout.pk}"


def paid_key(payout: Payout) -> str:
    return f"payout-paid:{payout.pk}"


def payout_post_created(*, payout: Payout, now: datetime) -> LedgerTransaction:
    transaction, _ = ledger_post(
        idempotency_key=created_key(payout), kind=TransactionKind.PAYOUT_CREATED,
        currency=payout.currency,
        description=f"Payout {payout.pk} for the week of {payout.batch.week_start}",
        postings=[
            Posting(_payable(payout), payout.amount_minor, f"Paid out to {payout.expert_name}"),
            Posting(_in_transit(payout), -payout.amount_minor,
                    f"Payout {payout.pk} in transit"),
        ],
        now=now,
    )
    return transaction


def payout_post_paid(*, payout: Payout, now: datetime) -> LedgerTransaction:
    transaction, _ = ledger_post(
        idempotency_key=paid_key(payout), kind=TransactionKind.PAYOUT_PAID,
        currency=payout.currency, description=f"Payout {payout.pk} paid",
        postings=[
            Posting(_in_transit(payout), payout.amount_minor, f"Payout {payout.pk} arrived"),
            Posting(_cash(payout), -payout.amount_minor, f"Paid to {payout.expert_name}"),
        ],
        now=now,
    )
    return transaction


def payout_post_failed(*, payout: Payout, reason: str, now: datetime) -> None:
    """Reverses what the payout wrote, latest first, each once."""
    for key, suffix in ((paid_key(payout), "paid-reversed"), (created_key(payout), "failed")):
        original = (LedgerTransaction.objects.filter(idempotency_key=key)
                    .prefetch_related("entries__account").first())
        if original is None:
            continue
        ledger_post(
            idempotency_key=f"payout-{suffix}:{payout.pk}", kind=TransactionKind.PAYOUT_FAILED,
            currency=payout.currency,
            description=f"Payout {payout.pk} failed: {reason}"[:300],
            postings=[Posting(entry.account, -entry.amount_minor,
                              f"Reverses: {entry.description}") for entry in
                      original.entries.all()],
            reverses=original, now=now,
        )


PARTLY_REVERSED_PREFIX = "payout-partly-reversed:"


def payout_reversed_minor(*, payout: Payout) -> int:
    """What partial reversals of the payout returned to the expert's payable so far."""
    return -sum(LedgerEntry.objects.filter(
        transaction__idempotency_key__startswith=f"{PARTLY_REVERSED_PREFIX}{payout.pk}:",
        account__kind=AccountKind.EXPERT_PAYABLE).values_list("amount_minor", flat=True))


def payout_post_partly_reversed(*, payout: Payout, reversed_total_minor: int, amount_minor: int,
                                now: datetime) -> LedgerTransaction:
    """`amount_minor` more of the paid payout came back (debit the cash at the provider, credit
    the expert's payable), `reversed_total_minor` in all so far. Caller holds the payout's
    lock and has posted it paid."""
    transaction, _ = ledger_post(
        idempotency_key=f"{PARTLY_REVERSED_PREFIX}{payout.pk}:{reversed_total_minor}",
        kind=TransactionKind.PAYOUT_FAILED, currency=payout.currency,
        description=f"Payout {payout.pk}: part of the transfer reversed",
        postings=[
            Posting(_cash(payout), amount_minor, f"Returned from {payout.expert_name}"),
            Posting(_payable(payout), -amount_minor,
                    f"Owed to {payout.expert_name} again: reversed from payout {payout.pk}"),
        ],
        now=now,
    )
    return transaction

"""Ledger writes. Every movement is one balanced transaction with an idempotency key."""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction

from billing.ledger.models import (
    Account,
    AccountKind,
    LedgerEntry,
    LedgerTransaction,
    TransactionKind,
)


@dataclass(frozen=True)
class Posting:
    account: Account
    amount_minor: int
    description: str = ""


def account_get_or_create(
    *, kind: AccountKind, owner_id: int | None, currency: str, name: str
) -> Account:
    account, _ = Account.objects.get_or_create(
        kind=kind, owner_id=owner_id, currency=currency, defaults={"name": name}
    )
    return account


def ledger_post(
    *,
    idempotency_key: str,
    kind: TransactionKind,
    currency: str,
    description: str,
    postings: list[Posting],
    now: datetime,
    reference_inquiry_id: int | None = None,
    reverses: LedgerTransaction | None = None,
) -> tuple[LedgerTransaction, bool]:
    """Writes one transaction, or returns the one already written under this key (`created`
    False). The unique key decides, not a prior check, so concurrent retries cannot both write;
    PostgreSQL refuses an unbalanced transaction at commit. `reverses` names the transaction
    this one undoes (each can be reversed once)."""
    if sum(posting.amount_minor for posting in postings) != 0:
        raise ValueError(f"postings for {idempotency_key} do not balance")
    if any(posting.account.currency != currency for posting in postings):
        raise ValueError(f"postings for {idempotency_key} mix currencies")
    try:
        with transaction.atomic():
            ledger_transaction = LedgerTransaction.objects.create(
                idempotency_key=idempotency_key, kind=kind, currency=currency,
                description=description, reference_inquiry_id=reference_inquiry_id,
                reverses=reverses, created_at=now,
            )
            LedgerEntry.objects.bulk_create(
                LedgerEntry(
                    transaction=ledger_transaction, account=posting.account,
                    amount_minor=posting.amount_minor,
                    description=posting.description[:300],
                )
                for posting in postings
                if posting.amount_minor != 0
            )
    except IntegrityError:
        return LedgerTransaction.objects.get(idempotency_key=idempotency_key), False
    return ledger_transaction, True


REVERSAL_PREFIX = "reversal:"


def transaction_reverse(
    *, transaction_id: int, reason: str, now: datetime,
    kind: TransactionKind = TransactionKind.REVERSAL,
) -> LedgerTransaction:
    """Posts the exact mirror of a transaction: every entry on the same account with the
    opposite amount, so the two together move nothing. The original is never edited (the
    database refuses that anyway). Idempotent: a transaction is reversed at most once (its
    key and the one-to-one `reverses` both say so), and a second call returns the reversal
    already written. A reversal is not itself reversed: post the movement again instead."""
    original = LedgerTransaction.objects.get(pk=transaction_id)
    if original.reverses_id is not None:
        raise ValueError(f"transaction {transaction_id} is a reversal; it is not reversed")
    entries = list(original.entries.select_related("account").order_by("id"))
    reversal, _ = ledger_post(
        idempotency_key=f"{REVERSAL_PREFIX}{original.pk}", kind=kind,
        currency=original.currency,
        description=f"{reason} (reverses: {original.description})"[:300],
        reference_inquiry_id=original.reference_inquiry_id, reverses=original, now=now,
        postings=[Posting(entry.account, -entry.amount_minor,
                          f"Reversal of: {entry.description}")
                  for entry in entries],
    )
    return reversal

"""Ledger writes. Every movement is one balanced transaction with an idempotency key."""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction

from billing.models import Account, AccountKind, LedgerEntry, LedgerTransaction, TransactionKind


@dataclass(frozen=True)
class Posting:
    account: Account
    amount_minor: int


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
) -> tuple[LedgerTransaction, bool]:
    """Writes one transaction, or returns the one already written under this key (`created`
    False). The unique key decides, not a prior check, so concurrent retries cannot both write;
    PostgreSQL refuses an unbalanced transaction at commit."""
    if sum(posting.amount_minor for posting in postings) != 0:
        raise ValueError(f"postings for {idempotency_key} do not balance")
    if any(posting.account.currency != currency for posting in postings):
        raise ValueError(f"postings for {idempotency_key} mix currencies")
    try:
        with transaction.atomic():
            ledger_transaction = LedgerTransaction.objects.create(
                idempotency_key=idempotency_key, kind=kind, currency=currency,
                description=description, reference_inquiry_id=reference_inquiry_id,
                created_at=now,
            )
            LedgerEntry.objects.bulk_create(
                LedgerEntry(
                    transaction=ledger_transaction, account=posting.account,
                    amount_minor=posting.amount_minor,
                )
                for posting in postings
                if posting.amount_minor != 0
            )
    except IntegrityError:
        return LedgerTransaction.objects.get(idempotency_key=idempotency_key), False
    return ledger_transaction, True


def ledger_record_ticket_resolution(
    *,
    inquiry_id: int,
    brand_id: int,
    brand_name: str,
    expert_id: int,
    expert_name: str,
    price_minor: int,
    expert_rate_minor: int,
    currency: str,
    now: datetime,
) -> LedgerTransaction:
    """The brand owes the price; the expert earns the rate; the platform keeps the difference."""
    brand_account = account_get_or_create(
        kind=AccountKind.BRAND_RECEIVABLE, owner_id=brand_id, currency=currency,
        name=f"{brand_name} receivable",
    )
    expert_account = account_get_or_create(
        kind=AccountKind.EXPERT_PAYABLE, owner_id=expert_id, currency=currency,
        name=f"{expert_name} payable",
    )
    platform_account = account_get_or_create(
        kind=AccountKind.PLATFORM_REVENUE, owner_id=None, currency=currency,
        name="Shiftline revenue",
    )
    ledger_transaction, _ = ledger_post(
        idempotency_key=f"ticket-resolved:{inquiry_id}",
        kind=TransactionKind.TICKET_RESOLVED,
        currency=currency,
        description=f"Inquiry #{inquiry_id} resolved",
        reference_inquiry_id=inquiry_id,
        postings=[
            Posting(brand_account, price_minor),
            Posting(expert_account, -expert_rate_minor),
            Posting(platform_account, -(price_minor - expert_rate_minor)),
        ],
        now=now,
    )
    return ledger_transaction

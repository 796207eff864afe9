"""Corrections are reversing transactions: the exact mirror of the original, once, never an
edit."""

from datetime import datetime, timedelta

import pytest
from django.db import DatabaseError, transaction

from billing.ledger import services
from billing.models import AccountKind, LedgerEntry, LedgerTransaction, TransactionKind

pytestmark = pytest.mark.django_db(transaction=True)


def posted(now: datetime) -> LedgerTransaction:
    brand = services.account_get_or_create(kind=AccountKind.BRAND_RECEIVABLE, owner_id=1,
                                           currency="EUR", name="Northwind receivable")
    expert = services.account_get_or_create(kind=AccountKind.EXPERT_PAYABLE, owner_id=2,
                                            currency="EUR", name="Ada payable")
    platform = services.account_get_or_create(kind=AccountKind.PLATFORM_REVENUE,
                                              owner_id=None, currency="EUR", name="Revenue")
    original, _ = services.ledger_post(
        idempotency_key="ticket-resolved:5", kind=TransactionKind.TICKET_RESOLVED,
        currency="EUR", description="Inquiry #5 resolved", reference_inquiry_id=5, now=now,
        postings=[services.Posting(brand, 450, "charge"), services.Posting(expert, -300, "base"),
                  services.Posting(platform, -150, "share")])
    return original


def test_a_reversal_mirrors_every_entry_and_points_at_the_original(now: datetime) -> None:
    original = posted(now)

    reversal = services.transaction_reverse(transaction_id=original.pk, reason="Disputed",
                                            now=now + timedelta(days=1))

    mirrored = list(reversal.entries.order_by("id").values_list("account_id", "amount_minor",
                                                                 "description"))
    assert mirrored == [(entry.account_id, -entry.amount_minor,
                         f"Reversal of: {entry.description}")
                        for entry in original.entries.order_by("id")]
    assert (reversal.reverses_id, reversal.kind, reversal.reference_inquiry_id,
            reversal.idempotency_key) == (original.pk, "reversal", 5, f"reversal:{original.pk}")
    assert reversal.description == "Disputed (reverses: Inquiry #5 resolved)"
    assert sum(LedgerEntry.objects.values_list("amount_minor", flat=True)) == 0


def test_reversing_twice_returns_the_first_reversal(now: datetime) -> None:
    original = posted(now)

    first = services.transaction_reverse(transaction_id=original.pk, reason="x", now=now)
    second = services.transaction_reverse(transaction_id=original.pk, reason="y", now=now,
                                          kind=TransactionKind.DISPUTE_ACCEPTED)

    assert second.pk == first.pk
    assert LedgerTransaction.objects.count() == 2


def test_a_reversal_is_not_itself_reversed(now: datetime) -> None:
    reversal = services.transaction_reverse(transaction_id=posted(now).pk, reason="x", now=now)

    with pytest.raises(ValueError, match="is a reversal"):
        services.transaction_reverse(transaction_id=reversal.pk, reason="x", now=now)


def test_the_original_cannot_be_edited_instead(now: datetime) -> None:
    original = posted(now)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(transaction=original).update(amount_minor=0)

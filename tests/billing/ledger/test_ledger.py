"""The ledger's invariants hold in PostgreSQL itself, not only in Python."""

from datetime import datetime

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from billing.ledger import selectors, services
from billing.models import AccountKind, LedgerEntry, LedgerTransaction, TransactionKind
from billing.pricing import services as pricing_services

pytestmark = pytest.mark.django_db(transaction=True)


def record(now: datetime, inquiry_id: int = 1) -> LedgerTransaction:
    return pricing_services.ticket_resolution_bill(
        inquiry_id=inquiry_id, brand_id=10, brand_name="Northwind", expert_id=20,
        expert_name="Ada", currency="EUR", channel="chat", tier="standard",
        csat=pricing_services.ExpertCsat(percent=None, reviews=0), now=now,
    )


def test_same_resolution_twice_writes_one_transaction(now: datetime) -> None:
    first = record(now)
    second = record(now)

    assert first.pk == second.pk
    assert LedgerTransaction.objects.count() == 1
    assert LedgerEntry.objects.count() == 3
    assert selectors.expert_earnings_total(expert_id=20) == {"EUR": 300}
    assert selectors.brand_charges_total(brand_id=10) == {"EUR": 450}


def test_database_refuses_an_unbalanced_transaction(now: datetime) -> None:
    account = services.account_get_or_create(kind=AccountKind.PLATFORM_REVENUE, owner_id=None,
                                             currency="EUR", name="Revenue")

    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        unbalanced = LedgerTransaction.objects.create(
            idempotency_key="broken", kind=TransactionKind.TICKET_RESOLVED, currency="EUR",
            description="broken", created_at=now,
        )
        LedgerEntry.objects.create(transaction=unbalanced, account=account, amount_minor=100)

    assert LedgerTransaction.objects.count() == 0


def test_service_refuses_unbalanced_postings_before_writing(now: datetime) -> None:
    account = services.account_get_or_create(kind=AccountKind.PLATFORM_REVENUE, owner_id=None,
                                             currency="EUR", name="Revenue")

    with pytest.raises(ValueError, match="do not balance"):
        services.ledger_post(idempotency_key="x", kind=TransactionKind.TICKET_RESOLVED,
                             currency="EUR", description="x",
                             postings=[services.Posting(account, 5)], now=now)

    assert LedgerTransaction.objects.count() == 0


@pytest.mark.parametrize("statement", [
    "UPDATE billing_ledgerentry SET amount_minor = amount_minor + 1",
    "DELETE FROM billing_ledgerentry",
    "UPDATE billing_ledgertransaction SET description = 'edited'",
])
def test_database_refuses_edits_and_deletes(now: datetime, statement: str) -> None:
    record(now)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(statement)

    assert sorted(LedgerEntry.objects.values_list("amount_minor", flat=True)) == [-300, -150, 450]

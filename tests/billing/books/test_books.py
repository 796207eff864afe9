"""The books for ops: a trial balance whose debits equal its credits per currency, and a
statement per account with a running balance, both in the words a bookkeeper expects."""

from datetime import datetime, timedelta

import pytest

from billing.books import selectors as books
from billing.ledger.models import AccountKind
from billing.models import Account
from billing.pricing import services as pricing
from billing.pricing.services import ExpertCsat

pytestmark = pytest.mark.django_db


def resolve(now: datetime, inquiry_id: int, *, expert_id: int = 20,
            tier: str = "standard") -> None:
    pricing.ticket_resolution_bill(
        inquiry_id=inquiry_id, brand_id=10, brand_name="Northwind", expert_id=expert_id,
        expert_name=f"Expert {expert_id}", currency="EUR", channel="chat", tier=tier,
        csat=ExpertCsat(percent=None, reviews=0), now=now)


@pytest.mark.parametrize(("kind", "balance", "amount", "words"), [
    (AccountKind.EXPERT_PAYABLE, -300, 300, "owed to Ada"),
    (AccountKind.EXPERT_PAYABLE, 100, 100, "owed by Ada (overpaid)"),
    (AccountKind.BRAND_RECEIVABLE, 450, 450, "owed by Ada"),
    (AccountKind.BRAND_RECEIVABLE, -50, 50, "owed to Ada (in credit)"),
    (AccountKind.PLATFORM_REVENUE, -150, 150, "earned"),
    (AccountKind.PLATFORM_REVENUE, 20, 20, "lost"),
    (AccountKind.VAT_PAYABLE, -21, 21, "owed to the tax authorities"),
    (AccountKind.BANK, 1000, 1000, "held at the bank"),
    (AccountKind.EXPERT_PAYABLE, 0, 0, "settled"),
])
def test_a_balance_reads_as_a_positive_amount_and_who_owes_whom(
        kind: str, balance: int, amount: int, words: str) -> None:
    assert books.balance_shown(kind=kind, owner="Ada", balance_minor=balance) == \
        books.ShownBalance(amount, words)


def test_the_trial_balance_lists_every_account_and_debits_equal_credits(now: datetime) -> None:
    resolve(now, 1, tier="weekend")
    resolve(now, 2, expert_id=21)
    pricing.ticket_bill_reverse(inquiry_id=2, reason="Dispute accepted", now=now)

    rows = {(row.kind, row.owner_id): (row.debits, row.credits, row.balance)
            for row in books.trial_balance_accounts()}
    totals = books.trial_balance_totals()

    assert rows == {
        (AccountKind.BRAND_RECEIVABLE, 10): (900, 450, 450),
        (AccountKind.EXPERT_PAYABLE, 20): (0, 450, -450),
        (AccountKind.EXPERT_PAYABLE, 21): (300, 300, 0),
        (AccountKind.PLATFORM_REVENUE, None): (150, 150, 0),
    }
    assert [(total.currency, total.debits_minor, total.credits_minor, total.balances)
            for total in totals] == [("EUR", 1350, 1350, True)]


def test_a_statement_runs_its_balance_across_pages_oldest_first(now: datetime) -> None:
    for number in range(5):
        resolve(now + timedelta(minutes=number), 100 + number)
    payable = Account.objects.get(kind=AccountKind.EXPERT_PAYABLE, owner_id=20)

    first = books.account_statement_page(account_id=payable.pk, page=1, per_page=2)
    last = books.account_statement_page(account_id=payable.pk, page=3, per_page=2)

    assert [entry.running for entry in first] == [-300, -600]
    assert [entry.running for entry in last] == [-1500]
    assert [entry.transaction.reference_inquiry_id for entry in first] == [100, 101]
    assert books.account_balance_minor(account_id=payable.pk) == -1500


def test_an_experts_payable_is_earnings_minus_reversals(now: datetime) -> None:
    resolve(now, 1, tier="weekend")
    resolve(now, 2)
    pricing.ticket_bill_reverse(inquiry_id=2, reason="Dispute accepted", now=now)

    assert books.expert_payable_breakdown(expert_id=20) == [books.PayableBreakdown(
        currency="EUR", earned_minor=750, reversed_minor=300, paid_minor=0, owed_minor=450)]

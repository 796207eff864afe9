"""Pricing a resolved ticket: the brand is charged the price, the expert earns the base rate
times the shift premium (never above the price), the platform keeps the rest; one balanced
transaction per inquiry, each posting saying which part it is."""

from datetime import datetime
from decimal import Decimal

import pytest

from billing.models import AccountKind, LedgerEntry, LedgerTransaction
from billing.money import CurrencyMismatch, Money
from billing.pricing import services

pytestmark = pytest.mark.django_db(transaction=True)


def bill(now: datetime, *, price: Money, rate: Money, premium: str,
         inquiry_id: int = 7) -> LedgerTransaction:
    return services.ticket_resolution_bill(
        inquiry_id=inquiry_id, brand_id=10, brand_name="Northwind", expert_id=20,
        expert_name="Ada", price=price, expert_base_rate=rate,
        premium_multiplier=Decimal(premium), now=now,
    )


def postings(ledger_transaction: LedgerTransaction) -> dict[str, tuple[int, str]]:
    return {
        entry.account.kind: (entry.amount_minor, entry.description)
        for entry in ledger_transaction.entries.select_related("account")
    }


def test_the_price_divides_into_three_balanced_postings_each_described(now: datetime) -> None:
    posted = bill(now, price=Money(minor=450, currency="EUR"),
                  rate=Money(minor=300, currency="EUR"), premium="1.25")

    assert postings(posted) == {
        AccountKind.BRAND_RECEIVABLE: (450, "Northwind charged €4.50 for inquiry #7"),
        AccountKind.EXPERT_PAYABLE: (-375, "Ada earns €3.00 × premium 1.25 = €3.75"),
        AccountKind.PLATFORM_REVENUE: (-75, "Shiftline keeps the rest: €0.75"),
    }
    assert (posted.idempotency_key, posted.kind, posted.currency, posted.description,
            posted.reference_inquiry_id) == (
        "ticket-resolved:7", "ticket_resolved", "EUR", "Inquiry #7 resolved", 7)


@pytest.mark.parametrize(("price", "rate", "premium", "expert", "platform"), [
    (Money(minor=600, currency="JPY"), Money(minor=450, currency="JPY"), "1.15",
     (-518, "Ada earns ¥450 × premium 1.15 = ¥518"), (-82, "Shiftline keeps the rest: ¥82")),
    (Money(minor=2000, currency="KWD"), Money(minor=1250, currency="KWD"), "1.33",
     (-1663, "Ada earns KWD\u00a01.250 × premium 1.33 = KWD\u00a01.663"),
     (-337, "Shiftline keeps the rest: KWD\u00a00.337")),
])
def test_zero_and_three_decimal_currencies_price_in_their_own_minor_units(
    now: datetime, price: Money, rate: Money, premium: str,
    expert: tuple[int, str], platform: tuple[int, str],
) -> None:
    posted = bill(now, price=price, rate=rate, premium=premium)

    entries = postings(posted)
    assert entries[AccountKind.EXPERT_PAYABLE] == expert
    assert entries[AccountKind.PLATFORM_REVENUE] == platform
    assert sum(amount for amount, _ in entries.values()) == 0


@pytest.mark.parametrize("premium", ["2.00", "5.00"])
def test_the_experts_pay_is_capped_at_the_price_and_the_platform_keeps_nothing(
    now: datetime, premium: str
) -> None:
    posted = bill(now, price=Money(minor=450, currency="EUR"),
                  rate=Money(minor=300, currency="EUR"), premium=premium)

    with_premium = Money(minor=300, currency="EUR") * Decimal(premium)
    assert postings(posted) == {
        AccountKind.BRAND_RECEIVABLE: (450, "Northwind charged €4.50 for inquiry #7"),
        AccountKind.EXPERT_PAYABLE: (
            -450, f"Ada earns €3.00 × premium {premium} = {with_premium.display()}, capped at "
            "the price €4.50"),
    }


def test_a_second_call_returns_the_first_transaction_and_writes_nothing(now: datetime) -> None:
    first = bill(now, price=Money(minor=450, currency="EUR"),
                 rate=Money(minor=300, currency="EUR"), premium="1.25")
    before = postings(first)

    second = bill(now, price=Money(minor=450, currency="EUR"),
                  rate=Money(minor=300, currency="EUR"), premium="2.00")

    assert second.pk == first.pk
    assert LedgerTransaction.objects.count() == 1
    assert LedgerEntry.objects.count() == 3
    assert postings(second) == before


def test_a_price_and_a_rate_in_different_currencies_are_refused_and_nothing_is_written(
    now: datetime,
) -> None:
    with pytest.raises(CurrencyMismatch):
        bill(now, price=Money(minor=450, currency="EUR"),
             rate=Money(minor=300, currency="JPY"), premium="1.00")

    assert LedgerTransaction.objects.count() == 0
    assert LedgerEntry.objects.count() == 0


@pytest.mark.parametrize(("price", "rate", "premium"), [
    (450, 300, "0.50"),
    (-450, 300, "1.00"),
    (450, -300, "1.00"),
])
def test_a_premium_below_one_or_a_negative_amount_is_refused_and_nothing_is_written(
    now: datetime, price: int, rate: int, premium: str
) -> None:
    with pytest.raises(ValueError):
        bill(now, price=Money(minor=price, currency="EUR"),
             rate=Money(minor=rate, currency="EUR"), premium=premium)

    assert LedgerTransaction.objects.count() == 0


def test_ticket_price_rounds_the_premium_half_up() -> None:
    price = services.ticket_price(price=Money(minor=450, currency="EUR"),
                                  expert_base_rate=Money(minor=150, currency="EUR"),
                                  premium_multiplier=Decimal("1.05"))

    assert (price.expert_earning, price.platform_share, price.capped) == (
        Money(minor=158, currency="EUR"), Money(minor=292, currency="EUR"), False)

"""The expert's earnings rows: each ticket with its brand, subject, base rate, premium, bonus
and the weekly payout it is in, a page at a time in a fixed number of queries; and the pay a
shift listing shows is the pay a resolved ticket posts."""

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.ledger.models import LedgerEntry
from billing.payouts.models import BatchStatus, Payout, PayoutBatch, PayoutStatus
from billing.pricing import selectors, services
from billing.pricing.services import ExpertCsat
from billing.terms import services as terms
from billing.weeks import payout_week_containing
from tests.billing.payouts.conftest import IN_THE_WEEK, NEXT_WEEK, use_payout_settings

pytestmark = pytest.mark.django_db

GREAT = ExpertCsat(percent=95, reviews=20)
NO_REVIEWS = ExpertCsat(percent=None, reviews=0)
SUBJECTS = {101: "Where is my parcel?", 102: "Refund", 103: "Size swap", 104: "Late",
            105: "Colour"}


@pytest.fixture(autouse=True)
def eur_terms(settings: Any) -> None:
    use_payout_settings(settings)
    terms.rate_card_save(currency="EUR", actor_id=None, actor_name="test", now=IN_THE_WEEK, data={
        "email_rate": "2.00", "chat_rate": "3.00", "social_rate": "3.00", "list_price": "4.50",
        "after_hours_multiplier": "1.25", "weekend_multiplier": "1.50",
        "holiday_multiplier": "2.00", "surge_multiplier": "1.75", "quality_bonus": "0.50",
        "quality_csat_threshold": "90", "quality_min_reviews": "10"})


def bill(inquiry_id: int, at: datetime, *, tier: str = "standard", brand: str = "Northwind",
         csat: ExpertCsat = NO_REVIEWS) -> None:
    services.ticket_resolution_bill(
        inquiry_id=inquiry_id, brand_id=sum(map(ord, brand)), brand_name=brand, expert_id=20,
        expert_name="Ada", currency="EUR", channel="chat", tier=tier, csat=csat, now=at)


def subjects_of(calls: list[list[int]]) -> Any:
    def subjects(ids: list[int]) -> dict[int, str]:
        calls.append(ids)
        return {inquiry_id: SUBJECTS[inquiry_id] for inquiry_id in ids}
    return subjects


def test_a_row_says_brand_subject_base_premium_bonus_and_payout() -> None:
    bill(101, IN_THE_WEEK, tier="weekend", brand="Northwind", csat=GREAT)
    bill(102, IN_THE_WEEK + timedelta(hours=1), brand="Contoso")
    week = payout_week_containing(IN_THE_WEEK)
    batch = PayoutBatch.objects.create(week_start=week.start, period_start=week.period_start,
                                       period_end=week.period_end, status=BatchStatus.EXECUTED,
                                       drafted_at=NEXT_WEEK)
    Payout.objects.create(batch=batch, expert_id=20, expert_name="Ada", currency="EUR",
                          amount_minor=800, status=PayoutStatus.PAID, updated_at=NEXT_WEEK)

    page = selectors.expert_earning_page(expert_id=20, page_number=1, per_page=10,
                                         subjects=subjects_of([]))

    newest, oldest = page.object_list
    assert (newest.brand_name, newest.inquiry_id, newest.subject) == ("Contoso", 102, "Refund")
    assert (newest.base.minor, newest.premium.minor, newest.bonus.minor, newest.total.minor) \
        == (300, 0, 0, 300)
    assert (oldest.brand_name, oldest.subject) == ("Northwind", "Where is my parcel?")
    assert (oldest.base.minor, oldest.premium.minor, oldest.bonus.minor, oldest.total.minor) \
        == (300, 150, 50, 500)
    assert oldest.payout is not None
    assert (oldest.payout.week_start, oldest.payout.status) == (week.start, "paid")


def test_a_reversed_ticket_shows_its_parts_taken_back() -> None:
    bill(101, IN_THE_WEEK, tier="weekend")
    services.ticket_bill_reverse(inquiry_id=101, reason="Dispute accepted",
                                 now=IN_THE_WEEK + timedelta(hours=2))

    page = selectors.expert_earning_page(expert_id=20, page_number=1, per_page=10,
                                         subjects=subjects_of([]))

    reversal, _ = page.object_list
    assert (reversal.kind, reversal.base.minor, reversal.premium.minor, reversal.total.minor) \
        == ("dispute_accepted", -300, -150, -450)
    assert reversal.payout is None


@pytest.mark.parametrize("tickets", [1, 5])
def test_a_page_costs_the_same_queries_however_many_rows(tickets: int) -> None:
    for number in range(tickets):
        bill(101 + number, IN_THE_WEEK + timedelta(minutes=number), brand=f"Brand {number}")
    calls: list[list[int]] = []

    with CaptureQueriesContext(connection) as queries:
        page = selectors.expert_earning_page(expert_id=20, page_number=1, per_page=3,
                                             subjects=subjects_of(calls))

    assert len(page.object_list) == min(tickets, 3)
    assert len(queries) == 4
    assert calls == [sorted(101 + number for number in range(tickets))[-3:]]


def test_the_second_page_holds_the_older_rows() -> None:
    for number in range(5):
        bill(101 + number, IN_THE_WEEK + timedelta(minutes=number))

    page = selectors.expert_earning_page(expert_id=20, page_number=2, per_page=3,
                                         subjects=subjects_of([]))

    assert [row.inquiry_id for row in page.object_list] == [102, 101]


def test_a_shift_shows_the_pay_a_resolved_ticket_posts() -> None:
    pay = selectors.expert_pay_for(combinations=[("EUR", "chat", "weekend")],
                                   now=IN_THE_WEEK)[("EUR", "chat", "weekend")]
    bill(101, IN_THE_WEEK, tier="weekend")

    earned = -sum(LedgerEntry.objects.filter(account__kind="expert_payable")
                  .values_list("amount_minor", flat=True))
    assert (pay.base.minor, pay.premium.minor, pay.per_ticket.minor) == (300, 150, earned)


def test_a_currency_without_a_rate_card_shows_the_default_card_and_saves_nothing() -> None:
    pay = selectors.expert_pay_for(combinations=[("GBP", "email", "standard")],
                                   now=IN_THE_WEEK)[("GBP", "email", "standard")]

    assert pay.premium.minor == 0 and pay.base.minor > 0
    assert not terms.RateCard.objects.filter(currency="GBP").exists()

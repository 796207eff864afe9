"""Pricing a resolved ticket from the brand's contract and the rate card: pay is the channel's
base rate times the tier's multiplier + the quality bonus, each part its own described posting; the
brand's price rises with the tier only when its contract says so. The billing rules: billed
once, a reopening within the window is the same ticket, an escalated ticket is neither billed
nor paid unless the contract has a confirmed-escalation fee, and an accepted dispute is
reversed."""

from datetime import datetime, timedelta

import pytest

from billing.ledger.models import AccountKind, LedgerEntry, LedgerTransaction, TransactionKind
from billing.pricing import services
from billing.pricing.services import ExpertCsat
from billing.terms import services as terms

pytestmark = pytest.mark.django_db

NO_REVIEWS = ExpertCsat(percent=None, reviews=0)
GREAT = ExpertCsat(percent=95, reviews=20)


@pytest.fixture(autouse=True)
def eur_terms(now: datetime) -> None:
    """Chat pays 3.00 and email 2.00; weekend times 1.50, holiday times 2.00; a 0.50 bonus at 90 %
    over 10 reviews. Northwind (brand 10) pays 4.50 a chat and 3.50 an email."""
    terms.rate_card_save(currency="EUR", actor_id=None, actor_name="test", now=now, data={
        "email_rate": "2.00", "chat_rate": "3.00", "social_rate": "3.00", "list_price": "4.50",
        "after_hours_multiplier": "1.25", "weekend_multiplier": "1.50",
        "holiday_multiplier": "2.00", "surge_multiplier": "1.75", "quality_bonus": "0.50",
        "quality_csat_threshold": "90", "quality_min_reviews": "10"})
    terms.contract_save(brand_id=10, brand_name="Northwind", currency="EUR", actor_id=None,
                        actor_name="test", now=now, data={
                            "email_price": "3.50", "chat_price": "4.50", "social_price": "4.50"})


def bill(now: datetime, *, inquiry_id: int = 7, channel: str = "chat", tier: str = "standard",
         csat: ExpertCsat = NO_REVIEWS, reopened_at: datetime | None = None,
         currency: str = "EUR") -> LedgerTransaction:
    return services.ticket_resolution_bill(
        inquiry_id=inquiry_id, brand_id=10, brand_name="Northwind", expert_id=20,
        expert_name="Ada", currency=currency, channel=channel, tier=tier, csat=csat, now=now,
        reopened_at=reopened_at, reopen_window=timedelta(days=7))


def postings(ledger_transaction: LedgerTransaction) -> list[tuple[str, int, str]]:
    return [(entry.account.kind, entry.amount_minor, entry.description)
            for entry in ledger_transaction.entries.select_related("account").order_by("id")]


def net(kind: str, inquiry_id: int = 7) -> int:
    return sum(LedgerEntry.objects.filter(
        account__kind=kind, transaction__reference_inquiry_id=inquiry_id,
    ).values_list("amount_minor", flat=True))


def test_base_premium_bonus_charge_and_share_are_each_a_described_posting(
        now: datetime) -> None:
    posted = bill(now, tier="weekend", csat=GREAT)

    assert postings(posted) == [
        (AccountKind.BRAND_RECEIVABLE, 450, "Northwind charged €4.50 for chat inquiry #7"),
        (AccountKind.EXPERT_PAYABLE, -300, "Ada earns the chat base rate €3.00"),
        (AccountKind.EXPERT_PAYABLE, -150,
         "Weekend premium: €3.00 × 1.50 = €4.50, €1.50 on top"),
        (AccountKind.EXPERT_PAYABLE, -50,
         "Quality bonus €0.50: CSAT 95% over 20 reviews, at or above 90%"),
        (AccountKind.PLATFORM_REVENUE, 50, "Shiftline pays €0.50 more than it charges"),
    ]
    assert (posted.idempotency_key, posted.kind, posted.description) == (
        "ticket-resolved:7", "ticket_resolved", "Inquiry #7 resolved (chat, weekend)")


def test_the_channel_decides_the_price_and_the_base_rate(now: datetime) -> None:
    posted = bill(now, channel="email")

    assert [amount for _, amount, _ in postings(posted)] == [350, -200, -150]


@pytest.mark.parametrize("csat", [
    ExpertCsat(percent=89, reviews=50),  # below the threshold
    ExpertCsat(percent=100, reviews=9),  # too few reviews to judge
    NO_REVIEWS,
])
def test_no_bonus_below_the_threshold_or_on_too_few_reviews(now: datetime,
                                                             csat: ExpertCsat) -> None:
    bill(now, csat=csat)

    assert net(AccountKind.EXPERT_PAYABLE) == -300


def test_the_bonus_is_paid_at_exactly_the_threshold(now: datetime) -> None:
    bill(now, csat=ExpertCsat(percent=90, reviews=10))

    assert net(AccountKind.EXPERT_PAYABLE) == -350


def test_a_contract_whose_price_rises_with_the_tier_charges_the_multiplied_price(
        now: datetime) -> None:
    terms.contract_save(brand_id=10, brand_name="Northwind", currency="EUR", actor_id=None,
                        actor_name="test", now=now, data={
                            "email_price": "3.50", "chat_price": "4.50", "social_price": "4.50",
                            "price_rises_with_tier": "on"})

    posted = bill(now, tier="holiday")

    assert postings(posted)[0] == (AccountKind.BRAND_RECEIVABLE, 900,
                                   "Northwind charged €9.00 for chat inquiry #7 "
                                   "(public holiday × 2.00)")
    assert net(AccountKind.PLATFORM_REVENUE) == -300


def test_a_premium_in_a_zero_decimal_currency_rounds_half_up(now: datetime) -> None:
    terms.rate_card_save(currency="JPY", actor_id=None, actor_name="test", now=now, data={
        "email_rate": "450", "chat_rate": "450", "social_rate": "450", "list_price": "600",
        "after_hours_multiplier": "1.15", "weekend_multiplier": "1.50",
        "holiday_multiplier": "2.00", "surge_multiplier": "1.50", "quality_bonus": "0",
        "quality_csat_threshold": "90", "quality_min_reviews": "10"})

    posted = bill(now, tier="after_hours", currency="JPY")

    # 450 times 1.15 = 517.5 → 518: the premium is 68; the brand's list price is 600
    assert [amount for _, amount, _ in postings(posted)] == [600, -450, -68, -82]


def test_a_second_call_returns_the_first_transaction_and_writes_nothing(now: datetime) -> None:
    first = bill(now, tier="standard")

    second = bill(now + timedelta(minutes=1), tier="holiday", csat=GREAT)

    assert second.pk == first.pk
    assert LedgerTransaction.objects.count() == 1
    assert LedgerEntry.objects.count() == 3


def test_a_ticket_reopened_within_its_window_and_resolved_again_is_billed_once(
        now: datetime) -> None:
    first = bill(now)

    again = bill(now + timedelta(days=2), reopened_at=now + timedelta(days=6, hours=23))

    assert again.pk == first.pk
    assert net(AccountKind.BRAND_RECEIVABLE) == 450


def test_a_ticket_reopened_after_its_window_is_a_new_ticket_billed_once(
        now: datetime) -> None:
    bill(now)
    reopened = now + timedelta(days=8)

    second = bill(reopened + timedelta(hours=1), reopened_at=reopened)
    retried = bill(reopened + timedelta(hours=2), reopened_at=reopened)

    assert retried.pk == second.pk
    assert second.idempotency_key == f"ticket-resolved:7:reopened:{reopened.isoformat()}"
    assert net(AccountKind.BRAND_RECEIVABLE) == 900


def test_an_escalated_ticket_is_neither_billed_nor_paid(now: datetime) -> None:
    bill(now)

    reversal = services.ticket_escalated(inquiry_id=7, now=now + timedelta(hours=3),
                                         reopen_window=timedelta(days=7))
    again = services.ticket_escalated(inquiry_id=7, now=now + timedelta(hours=4),
                                      reopen_window=timedelta(days=7))

    assert reversal is not None and again is not None and again.pk == reversal.pk
    assert reversal.kind == TransactionKind.REVERSAL
    assert (net(AccountKind.BRAND_RECEIVABLE), net(AccountKind.EXPERT_PAYABLE),
            net(AccountKind.PLATFORM_REVENUE)) == (0, 0, 0)
    # and resolving it again (a retried task) does not bill it again
    bill(now + timedelta(hours=5))
    assert net(AccountKind.BRAND_RECEIVABLE) == 0


def test_escalating_an_unbilled_ticket_posts_nothing(now: datetime) -> None:
    assert services.ticket_escalated(inquiry_id=8, now=now) is None
    assert LedgerTransaction.objects.count() == 0


def confirm(now: datetime) -> LedgerTransaction | None:
    return services.ticket_escalation_confirm_bill(
        inquiry_id=7, brand_id=10, brand_name="Northwind", expert_id=20, expert_name="Ada",
        currency="EUR", now=now)


def test_without_an_escalation_fee_a_confirmed_escalation_is_free(now: datetime) -> None:
    assert confirm(now) is None
    assert LedgerTransaction.objects.count() == 0


def test_a_confirmed_escalation_bills_the_fee_and_pays_the_experts_share_once(
        now: datetime) -> None:
    terms.contract_save(brand_id=10, brand_name="Northwind", currency="EUR", actor_id=None,
                        actor_name="test", now=now, data={
                            "email_price": "3.50", "chat_price": "4.50", "social_price": "4.50",
                            "escalation_fee": "2.00", "escalation_expert_share_percent": "40"})

    first, second = confirm(now), confirm(now + timedelta(minutes=1))

    assert first is not None and second is not None and second.pk == first.pk
    assert first.kind == TransactionKind.ESCALATION_CONFIRMED
    assert [amount for _, amount, _ in postings(first)] == [200, -80, -120]
    assert postings(first)[1][2] == "Ada earns 40% of the escalation fee: €0.80"


def test_an_accepted_dispute_reverses_the_bill_once_and_edits_nothing(now: datetime) -> None:
    original = bill(now, tier="weekend")
    before = postings(original)

    reversals = services.ticket_bill_reverse(inquiry_id=7, reason="Dispute accepted",
                                             now=now + timedelta(days=1))
    again = services.ticket_bill_reverse(inquiry_id=7, reason="Dispute accepted",
                                         now=now + timedelta(days=2))

    assert [reversal.kind for reversal in reversals] == [TransactionKind.DISPUTE_ACCEPTED]
    assert again == []
    assert postings(original) == before
    assert (net(AccountKind.BRAND_RECEIVABLE), net(AccountKind.EXPERT_PAYABLE)) == (0, 0)


@pytest.mark.parametrize(("channel", "tier"), [("fax", "standard"), ("chat", "night")])
def test_an_unknown_channel_or_tier_is_refused_and_nothing_is_written(
        now: datetime, channel: str, tier: str) -> None:
    with pytest.raises(ValueError):
        bill(now, channel=channel, tier=tier)

    assert LedgerTransaction.objects.count() == 0


def test_a_brand_billed_in_a_new_currency_starts_at_the_list_price(now: datetime) -> None:
    posted = services.ticket_resolution_bill(
        inquiry_id=9, brand_id=11, brand_name="Contoso", expert_id=20, expert_name="Ada",
        currency="GBP", channel="chat", tier="standard", csat=NO_REVIEWS, now=now)

    # settings.BILLING_DEFAULT_RATE_CARD: base 3.00, list price 4.50
    assert [amount for _, amount, _ in postings(posted)] == [450, -300, -150]

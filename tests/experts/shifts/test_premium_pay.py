"""A shift's premium tier multiplies the expert's base rate by the rate card's multiplier for it;
the premium is its own posting, the brand's price stays (unless its contract says it rises
with the tier), and the platform keeps the rest, or pays the difference."""

from datetime import datetime, timedelta

import pytest

from billing.models import BrandContract, LedgerEntry, LedgerTransaction
from experts.shifts.services import publishing as shifts_publishing
from marketplace.queues.models import OverflowQueue
from routing.assignments import services as assignments_services
from routing.offers import services as offers_services
from tests import factories

pytestmark = pytest.mark.django_db


def resolve_one_on_a_shift(queue: OverflowQueue, tier: str, now: datetime) -> list[int]:
    slot = shifts_publishing.shift_slot_create(
        queue=queue,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=4),
        headcount=1,
        premium_tier=tier,
    )
    expert = factories.on_shift_expert(on=queue, now=now, slot=slot)
    inquiry = factories.inquiry(on=queue, now=now)
    outcome = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)
    assert outcome.offer_id is not None
    offers_services.offer_accept(offer_id=outcome.offer_id, expert=expert, now=now)
    assignments_services.assignment_reply(inquiry_id=inquiry.pk, expert=expert, author=expert.user,
                                      body="Done.", now=now)
    assignments_services.assignment_resolve(inquiry_id=inquiry.pk, expert=expert,
                                        now=now + timedelta(minutes=5))
    entries = LedgerEntry.objects.filter(
        transaction=LedgerTransaction.objects.get(reference_inquiry_id=inquiry.pk))
    return sorted(entries.values_list("amount_minor", flat=True))


@pytest.mark.parametrize(("tier", "amounts"), [
    # base -300, premium, platform share; the brand's 450 on the other side
    ("standard", [-300, -150, 450]),
    ("after_hours", [-300, -75, -75, 450]),
    ("weekend", [-300, -150, 450]),
    ("holiday", [-300, -300, 150, 450]),
])
def test_the_tier_multiplies_the_experts_base_rate(
    now: datetime, captured_tasks: list, tier: str, amounts: list[int]
) -> None:
    queue = factories.queue(price_minor=450, rate_minor=300)

    assert resolve_one_on_a_shift(queue, tier, now) == amounts


def test_a_contract_whose_price_rises_with_the_tier_charges_the_brand_more(
    now: datetime, captured_tasks: list
) -> None:
    queue = factories.queue(price_minor=450, rate_minor=300)
    BrandContract.objects.filter(brand_id=queue.brand_id).update(price_rises_with_tier=True)

    # weekend times 1.50: the brand pays 675, the expert 300 + 150, the platform keeps 225
    assert resolve_one_on_a_shift(queue, "weekend", now) == [-300, -225, -150, 675]

"""A shift's premium multiplies the expert's earning per resolved ticket; the brand's price stays,
the platform keeps the rest, and never less than nothing (a zero posting is left out)."""

from datetime import datetime, timedelta

import pytest

from billing.models import LedgerEntry, LedgerTransaction
from experts.shifts.services import publishing as shifts_publishing
from marketplace.queues.models import OverflowQueue
from routing.assignments import services as assignments_services
from routing.offers import services as offers_services
from tests import factories

pytestmark = pytest.mark.django_db


def resolve_one_on_a_shift(queue: OverflowQueue, premium: str, now: datetime) -> list[int]:
    slot = shifts_publishing.shift_slot_create(
        queue=queue,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=4),
        headcount=1,
        premium_multiplier=premium,  # type: ignore[arg-type]
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


@pytest.mark.parametrize(("premium", "amounts"), [
    ("1.00", [-300, -150, 450]),
    ("1.25", [-375, -75, 450]),
    ("1.33", [-399, -51, 450]),
    ("2.00", [-450, 450]),
])
def test_the_shift_premium_multiplies_the_experts_earning(
    now: datetime, captured_tasks: list, premium: str, amounts: list[int]
) -> None:
    queue = factories.queue(price_minor=450, rate_minor=300)

    assert resolve_one_on_a_shift(queue, premium, now) == amounts

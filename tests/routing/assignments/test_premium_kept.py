"""The shift's premium tier travels on routing's own rows: check-in puts it on the seat,
accepting an offer keeps it on the assignment, and resolution pays it even after the shift is
over."""

from datetime import datetime, timedelta

import pytest

from billing.models import LedgerEntry, LedgerTransaction, PremiumTier, RateCard
from experts.attendance import services as attendance
from experts.quality.models import ExpertQuality
from experts.shifts.models import ShiftBooking
from experts.shifts.services import publishing as shifts_publishing
from routing.assignments import services as assignments_services
from routing.models import Assignment, ExpertSeat
from routing.offers import services as offers_services
from tests import factories

pytestmark = pytest.mark.django_db


def test_check_in_opens_the_seat_with_the_shifts_premium(now: datetime) -> None:
    queue = factories.queue()
    slot = shifts_publishing.shift_slot_create(
        queue=queue, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=4),
        headcount=1, premium_tier=PremiumTier.AFTER_HOURS,
    )

    expert = factories.on_shift_expert(on=queue, now=now, slot=slot)

    assert ExpertSeat.objects.get(expert=expert).premium_tier == "after_hours"


def test_a_seat_without_a_premium_shift_pays_none(now: datetime) -> None:
    queue = factories.queue()

    expert = factories.on_shift_expert(on=queue, now=now)

    assert ExpertSeat.objects.get(expert=expert).premium_tier == "standard"


def test_the_accepted_premium_is_paid_after_the_expert_checks_out(
    now: datetime, captured_tasks: list
) -> None:
    queue = factories.queue(price_minor=450, rate_minor=300)
    slot = shifts_publishing.shift_slot_create(
        queue=queue, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=4),
        headcount=1, premium_tier=PremiumTier.AFTER_HOURS,
    )
    expert = factories.on_shift_expert(on=queue, now=now, slot=slot)
    inquiry = factories.inquiry(on=queue, now=now)
    offer_id = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now).offer_id
    assert offer_id is not None
    assignment = offers_services.offer_accept(offer_id=offer_id, expert=expert, now=now)
    assignments_services.assignment_reply(inquiry_id=inquiry.pk, expert=expert,
                                          author=expert.user, body="Done.", now=now)
    attendance.shift_booking_check_out(booking_id=ShiftBooking.objects.get(expert=expert).pk,
                                       expert=expert, now=now + timedelta(minutes=1))

    assignments_services.assignment_resolve(inquiry_id=inquiry.pk, expert=expert,
                                            now=now + timedelta(minutes=5))

    assert Assignment.objects.get(pk=assignment.pk).premium_tier == "after_hours"
    assert not ExpertSeat.objects.filter(expert=expert).exists()
    entries = LedgerEntry.objects.filter(
        transaction=LedgerTransaction.objects.get(reference_inquiry_id=inquiry.pk))
    # base 300, after-hours premium 75 (times 1.25), platform 75
    assert sorted(entries.values_list("amount_minor", flat=True)) == [-300, -75, -75, 450]


def test_resolution_passes_the_experts_csat_so_a_good_expert_earns_the_bonus(
    now: datetime, captured_tasks: list
) -> None:
    queue = factories.queue(price_minor=450, rate_minor=300)
    RateCard.objects.filter(currency="EUR").update(
        quality_bonus_minor=50, quality_csat_threshold=90, quality_min_reviews=10)
    reply, expert = factories.expert_reply(on=queue, now=now)
    ExpertQuality.objects.create(expert=expert, csat_percent=95, csat_reviews=20,
                                 computed_at=now)

    assignments_services.assignment_resolve(inquiry_id=reply.inquiry_id, expert=expert,
                                            now=now + timedelta(minutes=5))

    descriptions = list(LedgerEntry.objects.filter(
        account__kind="expert_payable").order_by("id").values_list("amount_minor",
                                                                   "description"))
    assert descriptions[-1] == (
        -50, "Quality bonus €0.50: CSAT 95% over 20 reviews, at or above 90%")

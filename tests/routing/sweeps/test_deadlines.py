"""At-risk alerts at half the target; hand-back past the target or when the brand opens."""

from datetime import UTC, datetime, timedelta

import pytest

from marketplace.inquiries.models import InquiryEvent, InquiryStatus
from routing.models import Offer, OfferStatus
from routing.offers import services as offers_services
from routing.sweeps import services as sweeps_services
from tests import factories

pytestmark = pytest.mark.django_db

# Monday 08:50 in Dublin (UTC in winter): the brand opens at 09:00.
MONDAY_BEFORE_OPENING = datetime(2026, 11, 23, 8, 50, tzinfo=UTC)
WEEKDAY_NINE_TO_FIVE = tuple((day, "09:00", "17:00") for day in range(5))


def test_half_the_target_raises_one_at_risk_alert(now: datetime, captured_tasks: list) -> None:
    queue = factories.queue()
    inquiry = factories.inquiry(on=queue, now=now)
    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)

    before = sweeps_services.deadlines_sweep(now=now + timedelta(minutes=7, seconds=29))
    at_half = sweeps_services.deadlines_sweep(now=now + timedelta(minutes=7, seconds=30))
    again = sweeps_services.deadlines_sweep(now=now + timedelta(minutes=8))

    inquiry.refresh_from_db()
    assert (before["at_risk"], at_half["at_risk"], again["at_risk"]) == (0, 1, 0)
    assert inquiry.at_risk_at == now + timedelta(minutes=7, seconds=30)
    assert InquiryEvent.objects.filter(inquiry=inquiry, kind="at_risk").count() == 1


def test_past_the_target_unassigned_inquiry_is_handed_back_and_offer_withdrawn(
    now: datetime, captured_tasks: list
) -> None:
    queue = factories.queue()
    factories.on_shift_expert(on=queue, now=now)
    inquiry = factories.inquiry(on=queue, now=now)
    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)

    result = sweeps_services.deadlines_sweep(now=now + timedelta(minutes=15))

    inquiry.refresh_from_db()
    assert result["handed_back"] == 1
    assert inquiry.status == InquiryStatus.HANDED_BACK
    assert inquiry.handed_back_reason.startswith("Handed back: no expert could take it")
    assert Offer.objects.get(inquiry=inquiry).status == OfferStatus.WITHDRAWN


def test_assigned_inquiry_is_never_handed_back(now: datetime, captured_tasks: list) -> None:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)
    inquiry = factories.inquiry(on=queue, now=now)
    offer_id = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now).offer_id
    assert offer_id is not None
    offers_services.offer_accept(offer_id=offer_id, expert=expert, now=now)

    result = sweeps_services.deadlines_sweep(now=now + timedelta(hours=2))

    inquiry.refresh_from_db()
    assert result == {"handed_back": 0, "at_risk": 0, "seats_closed": 0}
    assert inquiry.status == InquiryStatus.ASSIGNED


def test_waiting_inquiries_go_back_when_the_brand_opens(captured_tasks: list) -> None:
    queue = factories.queue(spans=WEEKDAY_NINE_TO_FIVE)
    inquiry = factories.inquiry(on=queue, now=MONDAY_BEFORE_OPENING)
    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=MONDAY_BEFORE_OPENING)
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.QUEUED

    still_closed = sweeps_services.deadlines_sweep(now=MONDAY_BEFORE_OPENING + timedelta(minutes=9))
    opened = sweeps_services.deadlines_sweep(now=MONDAY_BEFORE_OPENING + timedelta(minutes=10))

    inquiry.refresh_from_db()
    assert (still_closed["handed_back"], opened["handed_back"]) == (0, 1)
    assert inquiry.handed_back_reason == (
        "Handed back: the brand's business hours began before an expert took it.")

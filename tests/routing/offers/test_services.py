"""Routing services on PostgreSQL: coverage, offers, acceptance, expiry, pull on check-in."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from experts.attendance import services as attendance
from experts.profiles.models import ExpertProfile
from experts.shifts.models import BookingStatus, ShiftBooking
from marketplace.infra.errors import Conflict, NotFound
from marketplace.inquiries.models import Inquiry, InquiryStatus
from routing.assignments import services as assignments_services
from routing.models import Assignment, Offer, OfferStatus, RoutingDecisionLog
from routing.offers import services as offers_services
from routing.sweeps import services as sweeps_services
from tests import factories
from tests.conftest import TUESDAY_MORNING

pytestmark = pytest.mark.django_db

WEEKDAY_NINE_TO_FIVE = tuple((day, "09:00", "17:00") for day in range(5))


def test_inquiry_in_business_hours_stays_with_brand(captured_tasks: list) -> None:
    queue = factories.queue(spans=WEEKDAY_NINE_TO_FIVE)
    factories.on_shift_expert(on=queue, now=TUESDAY_MORNING)
    inquiry = factories.inquiry(on=queue, now=TUESDAY_MORNING)

    outcome = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=TUESDAY_MORNING)

    inquiry.refresh_from_db()
    assert outcome.status == InquiryStatus.WITH_BRAND
    assert (inquiry.status, inquiry.coverage_reason) == ("with_brand", "business_hours")
    assert Offer.objects.count() == 0


def test_covered_inquiry_is_offered_to_the_best_eligible_expert(
    now: datetime, captured_tasks: list
) -> None:
    queue = factories.queue()
    slot = factories.shift(on=queue, now=now)
    busy = factories.on_shift_expert(on=queue, now=now, slot=slot,
                                     idle_since=now - timedelta(hours=1))
    offers_services.inquiry_route(inquiry_id=factories.inquiry(on=queue, now=now).pk, now=now)
    idle = factories.on_shift_expert(on=queue, now=now, slot=slot)
    portuguese_only = factories.on_shift_expert(on=queue, now=now, slot=slot, languages=("pt",))
    not_checked_in = factories.on_shift_expert(on=queue, now=now, slot=slot, checked_in=False)
    inquiry = factories.inquiry(on=queue, now=now)

    outcome = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)

    offer = Offer.objects.get(inquiry=inquiry)
    assert outcome.offer_id == offer.pk
    assert offer.expert_id == idle.pk
    assert offer.expires_at == now + timedelta(seconds=120)
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.coverage_reason) == ("offered", "weekend")
    log = RoutingDecisionLog.objects.get(inquiry=inquiry)
    assert log.detail["chosen_expert_id"] == idle.pk
    assert [item["expert_id"] for item in log.detail["ranked"]] == [idle.pk, busy.pk]
    assert [item["name"] for item in log.detail["ranked"]] == [idle.display_name,
                                                               busy.display_name]
    assert portuguese_only.pk not in [item["expert_id"] for item in log.detail["ranked"]]
    assert not_checked_in.pk not in [item["expert_id"] for item in log.detail["ranked"]]
    assert log.detail["excluded_counts"] == {"language": 1, "not_checked_in": 1}


def test_routing_twice_makes_one_offer(now: datetime, captured_tasks: list) -> None:
    queue = factories.queue()
    factories.on_shift_expert(on=queue, now=now)
    factories.on_shift_expert(on=queue, now=now)
    inquiry = factories.inquiry(on=queue, now=now)

    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)
    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)

    assert Offer.objects.filter(inquiry=inquiry).count() == 1


def test_accept_creates_the_single_assignment(now: datetime, captured_tasks: list) -> None:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)
    inquiry = factories.inquiry(on=queue, now=now)
    offer_id = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now).offer_id
    assert offer_id is not None

    assignment = offers_services.offer_accept(offer_id=offer_id, expert=expert, now=now)
    again = offers_services.offer_accept(offer_id=offer_id, expert=expert, now=now)

    inquiry.refresh_from_db()
    assert assignment == again
    assert inquiry.status == InquiryStatus.ASSIGNED
    assert Assignment.objects.filter(inquiry=inquiry).count() == 1
    assert Offer.objects.get(pk=offer_id).status == OfferStatus.ACCEPTED


def test_another_expert_cannot_accept_an_offer(now: datetime, captured_tasks: list) -> None:
    queue = factories.queue()
    factories.on_shift_expert(on=queue, now=now)
    stranger = factories.expert(now=now)
    inquiry = factories.inquiry(on=queue, now=now)
    offer_id = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now).offer_id
    assert offer_id is not None

    with pytest.raises(NotFound):
        offers_services.offer_accept(offer_id=offer_id, expert=stranger, now=now)

    assert Offer.objects.get(pk=offer_id).status == OfferStatus.PENDING
    assert Assignment.objects.count() == 0


def test_expired_offer_cannot_be_accepted(now: datetime, captured_tasks: list) -> None:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)
    inquiry = factories.inquiry(on=queue, now=now)
    offer_id = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now).offer_id
    assert offer_id is not None

    with pytest.raises(Conflict, match="expired"):
        offers_services.offer_accept(
            offer_id=offer_id, expert=expert, now=now + timedelta(minutes=3)
        )

    assert Assignment.objects.count() == 0


def test_sweep_expires_offer_and_offers_to_the_next_expert(
    now: datetime, captured_tasks: list
) -> None:
    queue = factories.queue()
    slot = factories.shift(on=queue, now=now)
    first = factories.on_shift_expert(on=queue, now=now, slot=slot,
                                      idle_since=now - timedelta(hours=2))
    second = factories.on_shift_expert(on=queue, now=now, slot=slot)
    inquiry = factories.inquiry(on=queue, now=now)
    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)
    assert Offer.objects.get(inquiry=inquiry).expert_id == first.pk
    later = now + timedelta(seconds=121)

    expired = sweeps_services.offers_expire_due(now=later)

    assert expired == 1
    offers = {offer.expert_id: offer.status for offer in Offer.objects.filter(inquiry=inquiry)}
    assert offers == {first.pk: OfferStatus.EXPIRED, second.pk: OfferStatus.PENDING}
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.OFFERED


def test_sweep_leaves_offers_that_are_not_due(now: datetime, captured_tasks: list) -> None:
    queue = factories.queue()
    factories.on_shift_expert(on=queue, now=now)
    inquiry = factories.inquiry(on=queue, now=now)
    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)

    expired = sweeps_services.offers_expire_due(now=now + timedelta(seconds=119))

    assert expired == 0
    assert Offer.objects.get(inquiry=inquiry).status == OfferStatus.PENDING


def test_with_nobody_eligible_inquiry_waits_then_goes_to_expert_who_checks_in(
    now: datetime, captured_tasks: list, django_capture_on_commit_callbacks
) -> None:
    queue = factories.queue()
    latecomer = factories.on_shift_expert(on=queue, now=now, checked_in=False)
    inquiry = factories.inquiry(on=queue, now=now)
    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.QUEUED
    booking = ShiftBooking.objects.get(expert=latecomer)

    with django_capture_on_commit_callbacks(execute=True):
        attendance.shift_booking_check_in(booking_id=booking.pk, expert=latecomer,
                                               now=now)
    assert ("routing.expert_capacity_freed", [latecomer.pk]) in captured_tasks
    offered = offers_services.expert_pull_waiting_work(expert_id=latecomer.pk, now=now)

    assert offered == 1
    assert Offer.objects.get(inquiry=inquiry).expert_id == latecomer.pk
    assert ShiftBooking.objects.get(pk=booking.pk).status == BookingStatus.CHECKED_IN


def test_declined_inquiry_is_not_offered_to_the_same_expert_again(
    now: datetime, captured_tasks: list
) -> None:
    queue = factories.queue()
    only = factories.on_shift_expert(on=queue, now=now)
    inquiry = factories.inquiry(on=queue, now=now)
    offer_id = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now).offer_id
    assert offer_id is not None

    offers_services.offer_decline(offer_id=offer_id, expert=only, reason="language",
                           note="My Portuguese is rusty", now=now)
    outcome = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)

    assert outcome.offer_id is None
    assert outcome.status == InquiryStatus.QUEUED
    declined = Offer.objects.get(pk=offer_id)
    assert (declined.decline_code, declined.decline_reason) == ("language",
                                                               "My Portuguese is rusty")


def test_expert_at_capacity_gets_no_more_offers(now: datetime, captured_tasks: list) -> None:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)
    inquiries = [factories.inquiry(on=queue, now=now, channel="chat") for _ in range(4)]

    outcomes = [offers_services.inquiry_route(inquiry_id=item.pk, now=now) for item in inquiries]

    assert [outcome.offer_id is not None for outcome in outcomes] == [True, True, True, False]
    assert Offer.objects.filter(expert=expert, status=OfferStatus.PENDING).count() == 3


def test_reconcile_routes_an_inquiry_whose_task_was_lost(
    now: datetime, captured_tasks: list
) -> None:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)
    inquiry = factories.inquiry(on=queue, now=now)

    routed = sweeps_services.inquiries_reconcile(now=now + timedelta(seconds=30))

    assert routed == 1
    assert Offer.objects.get(inquiry=inquiry).expert_id == expert.pk


def test_reconcile_leaves_a_fresh_inquiry_to_its_task_and_routes_it_after_four_seconds(
    now: datetime, captured_tasks: list
) -> None:
    """A routing task lost while Redis was away costs seconds, not a minute."""
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)
    inquiry = factories.inquiry(on=queue, now=now)

    assert sweeps_services.inquiries_reconcile(now=now + timedelta(seconds=3)) == 0
    assert sweeps_services.inquiries_reconcile(now=now + timedelta(seconds=5)) == 1
    assert Offer.objects.get(inquiry=inquiry).expert_id == expert.pk


def test_chat_without_first_reply_in_three_minutes_is_reassigned(
    now: datetime, captured_tasks: list
) -> None:
    queue = factories.queue()
    slot = factories.shift(on=queue, now=now)
    slow = factories.on_shift_expert(on=queue, now=now, slot=slot,
                                     idle_since=now - timedelta(hours=1))
    other = factories.on_shift_expert(on=queue, now=now, slot=slot)
    inquiry = factories.inquiry(on=queue, now=now, channel="chat")
    offer_id = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now).offer_id
    assert offer_id is not None
    offers_services.offer_accept(offer_id=offer_id, expert=slow, now=now)

    early = sweeps_services.assignments_release_silent(now=now + timedelta(minutes=2, seconds=59))
    late = sweeps_services.assignments_release_silent(now=now + timedelta(minutes=3))

    assert (early, late) == (0, 1)
    assignment = Assignment.objects.get(inquiry=inquiry, expert=slow)
    assert assignment.status == "released"
    assert Offer.objects.get(inquiry=inquiry, status=OfferStatus.PENDING).expert_id == other.pk


def test_chat_with_a_reply_is_not_reassigned(now: datetime, captured_tasks: list) -> None:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)
    inquiry = factories.inquiry(on=queue, now=now, channel="chat")
    offer_id = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now).offer_id
    assert offer_id is not None
    offers_services.offer_accept(offer_id=offer_id, expert=expert, now=now)
    assignments_services.assignment_reply(inquiry_id=inquiry.pk, expert=expert, author=expert.user,
                              body="Hello!", now=now + timedelta(minutes=1))

    released = sweeps_services.assignments_release_silent(now=now + timedelta(minutes=10))

    assert released == 0
    assert Assignment.objects.get(inquiry=inquiry).status == "active"


def test_email_has_no_first_reply_deadline(now: datetime, captured_tasks: list) -> None:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)
    inquiry = factories.inquiry(on=queue, now=now, channel="email")
    offer_id = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now).offer_id
    assert offer_id is not None
    offers_services.offer_accept(offer_id=offer_id, expert=expert, now=now)

    assert sweeps_services.assignments_release_silent(now=now + timedelta(hours=1)) == 0


def near_breach_chat(now: datetime, experts: int) -> tuple[list[ExpertProfile], Inquiry]:
    queue = factories.queue()
    slot = factories.shift(on=queue, now=now)
    pool = [factories.on_shift_expert(on=queue, now=now, slot=slot,
                                      idle_since=now - timedelta(minutes=number))
            for number in range(experts)]
    inquiry = factories.inquiry(on=queue, now=now - timedelta(seconds=16), channel="chat")
    return pool, inquiry


def test_chat_close_to_breach_is_offered_to_three_experts_at_once(
    now: datetime, captured_tasks: list
) -> None:
    pool, inquiry = near_breach_chat(now, experts=4)

    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)

    offered = set(Offer.objects.filter(inquiry=inquiry, status=OfferStatus.PENDING)
                  .values_list("expert_id", flat=True))
    assert offered == {pool[3].pk, pool[2].pk, pool[1].pk}


def test_first_to_accept_wins_and_the_other_offers_are_withdrawn(
    now: datetime, captured_tasks: list
) -> None:
    pool, inquiry = near_breach_chat(now, experts=3)
    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)
    offers = {offer.expert_id: offer for offer in Offer.objects.filter(inquiry=inquiry)}

    offers_services.offer_accept(offer_id=offers[pool[1].pk].pk, expert=pool[1], now=now)
    with pytest.raises(Conflict, match="withdrawn"):
        offers_services.offer_accept(offer_id=offers[pool[0].pk].pk, expert=pool[0], now=now)

    statuses = dict(Offer.objects.filter(inquiry=inquiry).values_list("expert_id", "status"))
    assert statuses == {pool[0].pk: "withdrawn", pool[1].pk: "accepted", pool[2].pk: "withdrawn"}
    assert Assignment.objects.get(inquiry=inquiry).expert_id == pool[1].pk


def test_declining_one_of_several_offers_keeps_the_inquiry_offered(
    now: datetime, captured_tasks: list
) -> None:
    pool, inquiry = near_breach_chat(now, experts=2)
    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)
    mine = Offer.objects.get(inquiry=inquiry, expert=pool[0])

    offers_services.offer_decline(offer_id=mine.pk, expert=pool[0], reason="busy", now=now)

    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.OFFERED
    assert Offer.objects.filter(inquiry=inquiry, status=OfferStatus.PENDING).count() == 1


def test_a_new_inquiry_is_covered_and_offered_in_one_write_statement(
    now: datetime, captured_tasks: list
) -> None:
    """Issue 12 §7: lock, pool, the seats taken, then coverage, log, offers and the offered
    inquiry with its timeline in one statement; the rows are those the ORM wrote before."""
    pool, inquiry = near_breach_chat(now, experts=4)

    with CaptureQueriesContext(connection) as statements:
        outcome = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)

    writes = [query["sql"] for query in statements.captured_queries
              if query["sql"].lstrip().startswith(("INSERT", "UPDATE", "WITH routing_log"))]
    assert len(writes) == 3 + 1  # a seat per offer, then one statement
    assert len(statements.captured_queries) == 2 + 3 + 1 + 2  # lock, pool; BEGIN, COMMIT
    offers = list(Offer.objects.filter(inquiry=inquiry).order_by("pk"))
    log = RoutingDecisionLog.objects.get(inquiry=inquiry)
    assert [offer.expert_id for offer in offers] == [pool[3].pk, pool[2].pk, pool[1].pk]
    assert {offer.decision_id for offer in offers} == {log.pk}
    assert outcome.offer_id == offers[0].pk
    assert (log.chosen_expert_id, log.detail["offered_at_once"]) == (pool[3].pk, 3)
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.coverage_reason) == ("offered", "weekend")
    events = list(inquiry.events.order_by("created_at", "id"))
    assert [event.kind for event in events] == ["received", "coverage", "offered"]
    assert events[1].data == {"covered": True, "reason": "weekend"}
    assert events[2].data == {"offer_ids": [offer.pk for offer in offers],
                              "expert_ids": [pool[3].pk, pool[2].pk, pool[1].pk],
                              "decision_id": log.pk}
    assert events[2].description.startswith(
        f"Offered to expert #{pool[3].pk}, #{pool[2].pk}, #{pool[1].pk} at once")

"""Expert seats: who routing can see right now, and their load, kept exact by the services."""

from datetime import datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from experts.applications.services import decisions as applications_decisions
from experts.attendance import services as attendance
from experts.profiles.models import ExpertProfile, ExpertStatus
from marketplace.infra.errors import PermissionDenied
from routing.assignments import services as assignments_services
from routing.engine.policy import policy_for
from routing.models import ExpertSeat, Offer
from routing.offers import services as offers_services
from routing.seats import services as seats
from routing.sweeps import services as sweeps_services
from tests import factories

pytestmark = pytest.mark.django_db


def seat_load(expert_id: int) -> tuple[int, int]:
    seat = ExpertSeat.objects.get(expert_id=expert_id)
    return seat.chat_load, seat.email_load


def test_check_in_opens_a_seat_on_the_shift_queue(now: datetime) -> None:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now, languages=("en", "pt"))

    seat = ExpertSeat.objects.get(expert=expert)

    assert (seat.queue_id, seat.languages, seat.chat_load, seat.email_load) == (
        queue.pk, ["en", "pt"], 0, 0)
    assert seat.shift_ends_at == now + timedelta(hours=8)


def test_load_follows_offers_and_assignments_through_their_lives(
    now: datetime, captured_tasks: list
) -> None:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)
    first = factories.inquiry(on=queue, now=now, channel="chat")
    second = factories.inquiry(on=queue, now=now, channel="email")
    first_offer = offers_services.inquiry_route(inquiry_id=first.pk, now=now).offer_id
    second_offer = offers_services.inquiry_route(inquiry_id=second.pk, now=now).offer_id
    assert first_offer is not None and second_offer is not None
    offered = seat_load(expert.pk)

    offers_services.offer_accept(offer_id=first_offer, expert=expert, now=now)
    accepted = seat_load(expert.pk)
    offers_services.offer_decline(offer_id=second_offer, expert=expert, reason="busy", now=now)
    declined = seat_load(expert.pk)
    assignments_services.assignment_reply(inquiry_id=first.pk, expert=expert, author=expert.user,
                              body="Hi", now=now)
    assignments_services.assignment_resolve(
        inquiry_id=first.pk, expert=expert, now=now + timedelta(1)
    )

    assert (offered, accepted, declined, seat_load(expert.pk)) == (
        (1, 1), (1, 1), (1, 0), (0, 0))
    assert ExpertSeat.objects.get(expert=expert).idle_since == now + timedelta(1)


def test_expired_and_withdrawn_offers_give_capacity_back(now: datetime,
                                                         captured_tasks: list) -> None:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)
    inquiry = factories.inquiry(on=queue, now=now, channel="chat")
    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)

    sweeps_services.offers_expire_due(now=now + timedelta(seconds=21))

    assert seat_load(expert.pk) == (0, 0)


def test_database_refuses_a_load_above_capacity(now: datetime) -> None:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)

    with pytest.raises(IntegrityError, match="seat_chat_within_capacity"), transaction.atomic():
        ExpertSeat.objects.filter(expert=expert).update(chat_load=4)

    assert seat_load(expert.pk) == (0, 0)


def test_seat_take_stops_at_capacity(now: datetime) -> None:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)

    taken = [seats.seat_take(expert_id=expert.pk, channel="chat") for _ in range(4)]

    assert taken == [True, True, True, False]
    assert seat_load(expert.pk) == (policy_for("chat").capacity, 0)


def test_suspension_closes_the_seat_and_routing_skips_the_expert(
    now: datetime, captured_tasks: list
) -> None:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)
    applications_decisions.expert_decide(expert=expert, to_status=ExpertStatus.SUSPENDED,
                                  decided_by=factories.user(is_staff=True), reason="Audit",
                                  now=now)
    inquiry = factories.inquiry(on=queue, now=now)

    outcome = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)

    assert not ExpertSeat.objects.filter(expert=expert).exists()
    assert outcome.offer_id is None
    assert Offer.objects.count() == 0


def test_unavailable_seat_gets_no_offers(now: datetime, captured_tasks: list) -> None:
    queue = factories.queue()
    away = factories.on_shift_expert(on=queue, now=now)
    seats.seat_set_available(expert_id=away.pk, available=False, now=now)
    inquiry = factories.inquiry(on=queue, now=now)

    assert offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now).offer_id is None


def test_seats_close_when_the_shift_ends(now: datetime, captured_tasks: list) -> None:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)

    before = sweeps_services.deadlines_sweep(now=now + timedelta(hours=7, minutes=59))
    after = sweeps_services.deadlines_sweep(now=now + timedelta(hours=8))

    assert (before["seats_closed"], after["seats_closed"]) == (0, 1)
    assert not ExpertSeat.objects.filter(expert=expert).exists()


def test_reopened_seat_counts_the_work_the_expert_still_holds(
    now: datetime, captured_tasks: list
) -> None:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)
    inquiry = factories.inquiry(on=queue, now=now, channel="chat")
    offer_id = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now).offer_id
    assert offer_id is not None
    offers_services.offer_accept(offer_id=offer_id, expert=expert, now=now)
    seats.seat_close(expert_id=expert.pk)

    seats.seat_open(expert_id=expert.pk, queue_id=queue.pk, languages=["en"], skills=[],
                    quality_score=0.0, shift_ends_at=now + timedelta(hours=1),
                    premium_tier="standard", now=now)

    assert seat_load(expert.pk) == (1, 0)


def test_unapproved_expert_cannot_check_in(now: datetime) -> None:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now, checked_in=False)
    applications_decisions.expert_decide(expert=expert, to_status=ExpertStatus.SUSPENDED,
                                  decided_by=factories.user(is_staff=True), reason="Audit",
                                  now=now)
    expert.refresh_from_db()
    booking = expert.bookings.get()

    with pytest.raises(Exception, match="Only approved experts"):
        attendance.shift_booking_check_in(booking_id=booking.pk, expert=expert, now=now)

    assert not ExpertSeat.objects.filter(expert=expert).exists()


def test_an_expert_suspended_while_checking_in_gets_no_seat_and_no_offers(
    now: datetime, captured_tasks: list
) -> None:
    """The check-in page loaded the expert while they were approved; ops suspend them before
    the check-in lands. The check-in reads the status afresh: no seat, so routing offers them
    nothing."""
    queue = factories.queue()
    loaded = factories.on_shift_expert(on=queue, now=now, checked_in=False)
    applications_decisions.expert_decide(
        expert=ExpertProfile.objects.get(pk=loaded.pk), to_status=ExpertStatus.SUSPENDED,
        decided_by=factories.user(is_staff=True), reason="Audit", now=now)
    booking = loaded.bookings.get()

    with pytest.raises(PermissionDenied, match="Only approved experts can check in"):
        attendance.shift_booking_check_in(booking_id=booking.pk, expert=loaded, now=now)
    inquiry = factories.inquiry(on=queue, now=now)

    assert offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now).offer_id is None
    assert not ExpertSeat.objects.filter(expert=loaded).exists()
    assert Offer.objects.count() == 0

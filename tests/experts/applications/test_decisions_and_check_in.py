"""Expert vetting decisions, bookings and the check-in window."""

from datetime import datetime, timedelta

import pytest

from experts.applications.models import ExpertDecision
from experts.applications.services import decisions as applications_decisions
from experts.attendance import services as attendance
from experts.certification import services as certification_services
from experts.profiles.models import ExpertStatus
from experts.shifts.models import BookingStatus, ShiftBooking
from experts.shifts.services import booking as shifts_booking
from experts.shifts.services import publishing as shifts_publishing
from marketplace.infra.errors import Conflict, DomainError, NotFound, PermissionDenied
from tests import factories

pytestmark = pytest.mark.django_db


def test_decision_needs_a_reason_and_changes_nothing_without_one(now: datetime) -> None:
    applicant = factories.expert(now=now, status=ExpertStatus.APPLIED)

    with pytest.raises(DomainError, match="reason"):
        applications_decisions.expert_decide(expert=applicant, to_status=ExpertStatus.APPROVED,
                               decided_by=factories.user(is_staff=True), reason=" ", now=now)

    applicant.refresh_from_db()
    assert applicant.status == ExpertStatus.APPLIED
    assert ExpertDecision.objects.count() == 0


def test_rejected_expert_cannot_be_approved(now: datetime) -> None:
    rejected = factories.expert(now=now, status=ExpertStatus.REJECTED)

    with pytest.raises(Conflict, match="cannot be moved to approved"):
        applications_decisions.expert_decide(expert=rejected, to_status=ExpertStatus.APPROVED,
                               decided_by=factories.user(is_staff=True), reason="Retry", now=now)

    rejected.refresh_from_db()
    assert rejected.status == ExpertStatus.REJECTED


def test_suspend_and_reinstate_are_both_recorded(now: datetime) -> None:
    expert = factories.expert(now=now)
    ops = factories.user(is_staff=True)

    applications_decisions.expert_decide(
        expert=expert,
        to_status=ExpertStatus.SUSPENDED,
        decided_by=ops,
        reason="Complaint under review",
        now=now,
    )
    applications_decisions.expert_decide(
        expert=expert,
        to_status=ExpertStatus.APPROVED,
        decided_by=ops,
        reason="Cleared",
        now=now + timedelta(days=1),
    )

    trail = list(ExpertDecision.objects.order_by("decided_at").values_list(
        "from_status", "to_status", "reason"))
    assert trail == [("approved", "suspended", "Complaint under review"),
                     ("suspended", "approved", "Cleared")]


def test_booking_needs_certification(now: datetime) -> None:
    queue = factories.queue()
    slot = factories.shift(on=queue, now=now)
    uncertified = factories.expert(now=now)

    with pytest.raises(PermissionDenied, match="not certified"):
        shifts_booking.shift_booking_create(slot=slot, expert=uncertified, now=now)

    assert ShiftBooking.objects.count() == 0


def test_full_slot_refuses_the_next_booking(now: datetime) -> None:
    queue = factories.queue()
    slot = factories.shift(on=queue, now=now, headcount=1)
    factories.on_shift_expert(on=queue, now=now, slot=slot, checked_in=False)
    latecomer = factories.expert(now=now)
    certification_services.certification_grant(expert=latecomer, brand=queue.brand, now=now)

    with pytest.raises(Conflict, match="full"):
        shifts_booking.shift_booking_create(slot=slot, expert=latecomer, now=now)

    assert ShiftBooking.objects.filter(slot=slot).count() == 1


@pytest.mark.parametrize(
    ("minutes_from_start", "allowed"),
    [(-11, False), (-10, True), (0, True), (10, True), (11, False), (60 * 8, False)],
)
def test_check_in_window_is_ten_minutes_either_side_of_the_start(
    now: datetime, minutes_from_start: int, allowed: bool, captured_tasks: list
) -> None:
    queue = factories.queue()
    slot = shifts_publishing.shift_slot_create(queue=queue, starts_at=now,
                                            ends_at=now + timedelta(hours=8), headcount=2)
    expert = factories.on_shift_expert(on=queue, now=now, slot=slot, checked_in=False)
    booking = ShiftBooking.objects.get(expert=expert)
    moment = now + timedelta(minutes=minutes_from_start)

    if allowed:
        attendance.shift_booking_check_in(booking_id=booking.pk, expert=expert, now=moment)
    else:
        with pytest.raises(Conflict):
            attendance.shift_booking_check_in(booking_id=booking.pk, expert=expert, now=moment)

    booking.refresh_from_db()
    expected = BookingStatus.CHECKED_IN if allowed else BookingStatus.BOOKED
    assert booking.status == expected


def test_nobody_checks_in_to_someone_elses_booking(now: datetime) -> None:
    queue = factories.queue()
    owner = factories.on_shift_expert(on=queue, now=now, checked_in=False)
    intruder = factories.expert(now=now)
    booking = ShiftBooking.objects.get(expert=owner)

    with pytest.raises(NotFound):
        attendance.shift_booking_check_in(booking_id=booking.pk, expert=intruder, now=now)

    assert ShiftBooking.objects.get(pk=booking.pk).status == BookingStatus.BOOKED


def test_slot_must_end_after_it_starts(now: datetime) -> None:
    with pytest.raises(DomainError, match="end after"):
        shifts_publishing.shift_slot_create(queue=factories.queue(), starts_at=now, ends_at=now,
                                         headcount=1)

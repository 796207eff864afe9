"""Booking rules: overlaps refused by PostgreSQL, the cancel cut-off, the waitlist, release to
the waitlist, check-out, the no-show sweep and reminders sent exactly once."""

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from experts.applications.services import decisions as applications_decisions
from experts.attendance import services as attendance
from experts.certification import services as certification_services
from experts.profiles.models import ExpertStatus
from experts.quality import services as quality
from experts.quality.models import ExpertQuality
from experts.shifts.models import (
    BookingStatus,
    QueueShiftPolicy,
    ShiftBooking,
    ShiftWaitlistEntry,
    WaitlistStatus,
)
from experts.shifts.notifications import shift_email_send
from experts.shifts.services import booking as shifts_booking
from experts.shifts.services import publishing as shifts_publishing
from marketplace.infra.errors import Conflict, DomainError, PermissionDenied
from routing.models import ExpertSeat
from tests import factories
from tests.experts.shifting import book, certified_expert, slot

pytestmark = pytest.mark.django_db

Tasks = list[tuple[str, list[object]]]


def emails_sent(tasks: Tasks) -> list[tuple[object, object]]:
    return [(args[0], args[1]) for name, args in tasks if name == "experts.send_shift_email"]


def test_the_premium_tier_is_stored(now: datetime) -> None:
    created = slot(on=factories.queue(), starts_at=now + timedelta(days=1), tier="after_hours")

    created.refresh_from_db()
    assert created.premium_tier == "after_hours"


@pytest.mark.parametrize("raw", ["1.25", "night", "AFTER_HOURS"])
def test_an_unknown_premium_tier_is_refused_with_the_choices(raw: str) -> None:
    with pytest.raises(DomainError, match="standard, after_hours, weekend, holiday, surge"):
        shifts_publishing.premium_tier_parse(raw)


def test_no_premium_tier_is_standard() -> None:
    assert shifts_publishing.premium_tier_parse("") == "standard"


def test_a_new_slot_must_start_in_the_future(now: datetime) -> None:
    with pytest.raises(DomainError, match="future"):
        shifts_publishing.shift_slot_create(queue=factories.queue(), starts_at=now,
                                         ends_at=now + timedelta(hours=2), headcount=1, now=now)


def test_overlapping_shifts_of_one_expert_are_refused(now: datetime) -> None:
    queue = factories.queue()
    expert = certified_expert(on=queue, now=now)
    evening = slot(on=queue, starts_at=now + timedelta(days=1), hours=5, headcount=3)
    overlapping = slot(on=queue, starts_at=now + timedelta(days=1, hours=4), hours=5)
    book(evening, expert, now)

    with pytest.raises(Conflict, match="overlaps"):
        book(overlapping, expert, now)

    assert ShiftBooking.objects.filter(expert=expert).count() == 1


def test_back_to_back_shifts_do_not_overlap(now: datetime) -> None:
    queue = factories.queue()
    expert = certified_expert(on=queue, now=now)
    first = slot(on=queue, starts_at=now + timedelta(days=1), hours=4)
    second = slot(on=queue, starts_at=now + timedelta(days=1, hours=4), hours=4)

    book(first, expert, now)
    book(second, expert, now)

    assert ShiftBooking.objects.filter(expert=expert, status=BookingStatus.BOOKED).count() == 2


def test_the_database_itself_refuses_an_overlapping_live_booking(now: datetime) -> None:
    queue = factories.queue()
    expert = certified_expert(on=queue, now=now)
    first = slot(on=queue, starts_at=now + timedelta(days=1), hours=5)
    other = slot(on=queue, starts_at=now + timedelta(days=1, hours=1), hours=1)
    book(first, expert, now)

    with pytest.raises(IntegrityError, match="no_overlapping_live_bookings_per_expert"), \
            transaction.atomic():
        ShiftBooking.objects.create(slot=other, expert=expert, starts_at=other.starts_at,
                                    ends_at=other.ends_at, booked_at=now)

    assert ShiftBooking.objects.filter(expert=expert).count() == 1


def test_a_cancelled_booking_does_not_block_another_shift_at_that_time(now: datetime) -> None:
    queue = factories.queue()
    expert = certified_expert(on=queue, now=now)
    first = slot(on=queue, starts_at=now + timedelta(days=2), hours=5)
    same_time = slot(on=queue, starts_at=now + timedelta(days=2), hours=5)
    shifts_booking.shift_booking_cancel(booking_id=book(first, expert, now).pk, expert=expert,
                                        now=now)

    booking = book(same_time, expert, now)

    assert booking.status == BookingStatus.BOOKED


def test_unapproved_or_uncertified_experts_cannot_book(now: datetime) -> None:
    queue = factories.queue()
    target = slot(on=queue, starts_at=now + timedelta(days=1))
    suspended = certified_expert(on=queue, now=now, status="suspended")
    uncertified = factories.expert(now=now)

    with pytest.raises(PermissionDenied, match="approved"):
        book(target, suspended, now)
    with pytest.raises(PermissionDenied, match="certified"):
        book(target, uncertified, now)

    assert ShiftBooking.objects.count() == 0


@pytest.mark.parametrize(("hours_before_start", "cancelled"),
                         [(13, True), (12.01, True), (12, False), (1, False)])
def test_cancel_is_free_until_twelve_hours_before_the_start(
    now: datetime, hours_before_start: float, cancelled: bool
) -> None:
    queue = factories.queue()
    expert = certified_expert(on=queue, now=now)
    start = now + timedelta(days=2)
    booking = book(slot(on=queue, starts_at=start), expert, now)
    moment = start - timedelta(hours=hours_before_start)

    if cancelled:
        shifts_booking.shift_booking_cancel(booking_id=booking.pk, expert=expert, now=moment)
    else:
        with pytest.raises(Conflict, match="cut-off"):
            shifts_booking.shift_booking_cancel(booking_id=booking.pk, expert=expert, now=moment)

    booking.refresh_from_db()
    assert booking.status == (BookingStatus.CANCELLED if cancelled else BookingStatus.BOOKED)


def test_the_queue_policy_sets_the_cut_off(now: datetime) -> None:
    queue = factories.queue()
    QueueShiftPolicy.objects.create(queue=queue, cancel_cutoff_hours=48)
    expert = certified_expert(on=queue, now=now)
    start = now + timedelta(days=3)
    booking = book(slot(on=queue, starts_at=start), expert, now)

    with pytest.raises(Conflict, match="48 h"):
        shifts_booking.shift_booking_cancel(booking_id=booking.pk, expert=expert,
                                            now=start - timedelta(hours=47))

    assert ShiftBooking.objects.get(pk=booking.pk).status == BookingStatus.BOOKED


def test_a_full_slot_has_a_waitlist_and_a_cancelled_seat_goes_to_its_first_expert(
    now: datetime, captured_tasks: Tasks, django_capture_on_commit_callbacks: Any
) -> None:
    queue = factories.queue()
    full = slot(on=queue, starts_at=now + timedelta(days=2), headcount=1)
    holder, first, second = (certified_expert(on=queue, now=now) for _ in range(3))
    booking = book(full, holder, now)
    shifts_booking.shift_waitlist_join(slot=full, expert=first, now=now)
    shifts_booking.shift_waitlist_join(slot=full, expert=second, now=now + timedelta(seconds=1))

    with django_capture_on_commit_callbacks(execute=True):
        shifts_booking.shift_booking_cancel(booking_id=booking.pk, expert=holder, now=now)

    seated = ShiftBooking.objects.get(slot=full, status=BookingStatus.BOOKED)
    assert seated.expert == first
    entries = dict(ShiftWaitlistEntry.objects.values_list("expert_id", "status"))
    assert entries == {first.pk: WaitlistStatus.PROMOTED, second.pk: WaitlistStatus.WAITING}
    assert emails_sent(captured_tasks) == [(seated.pk, "waitlist_seat")]


def test_the_waitlist_skips_an_expert_who_now_holds_an_overlapping_shift(
    now: datetime, captured_tasks: Tasks
) -> None:
    queue = factories.queue()
    start = now + timedelta(days=2)
    full = slot(on=queue, starts_at=start, headcount=1)
    holder, busy, free = (certified_expert(on=queue, now=now) for _ in range(3))
    booking = book(full, holder, now)
    shifts_booking.shift_waitlist_join(slot=full, expert=busy, now=now)
    shifts_booking.shift_waitlist_join(slot=full, expert=free, now=now + timedelta(seconds=1))
    book(slot(on=queue, starts_at=start + timedelta(hours=1)), busy, now)

    shifts_booking.shift_booking_cancel(booking_id=booking.pk, expert=holder, now=now)

    assert ShiftBooking.objects.get(slot=full, status=BookingStatus.BOOKED).expert == free
    assert ShiftWaitlistEntry.objects.get(expert=busy).status == WaitlistStatus.WAITING


def test_joining_the_waitlist_of_a_slot_with_free_seats_is_refused(now: datetime) -> None:
    queue = factories.queue()
    open_slot = slot(on=queue, starts_at=now + timedelta(days=1), headcount=2)
    expert = certified_expert(on=queue, now=now)

    with pytest.raises(Conflict, match="free seats"):
        shifts_booking.shift_waitlist_join(slot=open_slot, expert=expert, now=now)

    assert ShiftWaitlistEntry.objects.count() == 0


def test_after_the_cut_off_a_release_keeps_the_seat_until_a_waitlisted_expert_takes_it(
    now: datetime, captured_tasks: Tasks, django_capture_on_commit_callbacks: Any
) -> None:
    queue = factories.queue()
    start = now + timedelta(days=1)
    full = slot(on=queue, starts_at=start, headcount=1)
    holder, taker = certified_expert(on=queue, now=now), certified_expert(on=queue, now=now)
    booking = book(full, holder, now)
    late = start - timedelta(hours=6)

    released = shifts_booking.shift_booking_release(booking_id=booking.pk, expert=holder,
                                                    now=late)
    assert released.status == BookingStatus.BOOKED
    assert released.release_requested_at == late

    with django_capture_on_commit_callbacks(execute=True):
        entry = shifts_booking.shift_waitlist_join(slot=full, expert=taker, now=late)

    assert entry.status == WaitlistStatus.PROMOTED
    assert ShiftBooking.objects.get(pk=booking.pk).status == BookingStatus.RELEASED
    taken = ShiftBooking.objects.get(slot=full, status=BookingStatus.BOOKED)
    assert taken.expert == taker
    assert emails_sent(captured_tasks) == [(taken.pk, "waitlist_seat"),
                                           (booking.pk, "released")]


def test_release_before_the_cut_off_is_refused_cancel_instead(now: datetime) -> None:
    queue = factories.queue()
    expert = certified_expert(on=queue, now=now)
    booking = book(slot(on=queue, starts_at=now + timedelta(days=2)), expert, now)

    with pytest.raises(Conflict, match="cancel"):
        shifts_booking.shift_booking_release(booking_id=booking.pk, expert=expert, now=now)

    assert ShiftBooking.objects.get(pk=booking.pk).release_requested_at is None


def test_no_show_sweep_marks_the_booking_frees_the_seat_and_counts_against_the_expert(
    now: datetime, captured_tasks: Tasks
) -> None:
    queue = factories.queue()
    start = now + timedelta(hours=2)
    full = slot(on=queue, starts_at=start, headcount=1, hours=6)
    absent, waiting = certified_expert(on=queue, now=now), certified_expert(on=queue, now=now)
    booking = book(full, absent, now)
    shifts_booking.shift_waitlist_join(slot=full, expert=waiting, now=now)

    before = attendance.shifts_sweep(now=start + timedelta(minutes=10))
    after = attendance.shifts_sweep(now=start + timedelta(minutes=10, seconds=1))
    again = attendance.shifts_sweep(now=start + timedelta(minutes=11))

    assert (before["no_shows"], after["no_shows"], again["no_shows"]) == (0, 1, 0)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.NO_SHOW
    assert ShiftBooking.objects.get(slot=full, status=BookingStatus.BOOKED).expert == waiting
    assert ExpertQuality.objects.get(expert=absent).no_shows == 1


def test_a_seat_taken_late_from_the_waitlist_gets_its_own_check_in_grace(
    now: datetime, captured_tasks: Tasks
) -> None:
    queue = factories.queue()
    start = now + timedelta(hours=2)
    full = slot(on=queue, starts_at=start, headcount=1, hours=6)
    absent, waiting = certified_expert(on=queue, now=now), certified_expert(on=queue, now=now)
    book(full, absent, now)
    shifts_booking.shift_waitlist_join(slot=full, expert=waiting, now=now)
    swept_at = start + timedelta(minutes=11)
    attendance.shifts_sweep(now=swept_at)
    seat = ShiftBooking.objects.get(expert=waiting)

    attendance.shifts_sweep(now=swept_at + timedelta(minutes=5))
    attendance.shift_booking_check_in(booking_id=seat.pk, expert=waiting,
                                          now=swept_at + timedelta(minutes=9))

    assert ShiftBooking.objects.get(pk=seat.pk).status == BookingStatus.CHECKED_IN


def test_check_out_completes_the_booking_and_closes_the_routing_seat(
    now: datetime, captured_tasks: Tasks
) -> None:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)
    booking = ShiftBooking.objects.get(expert=expert)

    attendance.shift_booking_check_out(booking_id=booking.pk, expert=expert,
                                           now=now + timedelta(hours=1))

    booking.refresh_from_db()
    assert (booking.status, booking.checked_out_at) == (BookingStatus.COMPLETED,
                                                        now + timedelta(hours=1))
    assert not ExpertSeat.objects.filter(expert=expert).exists()


def test_check_out_without_check_in_is_refused(now: datetime) -> None:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now, checked_in=False)
    booking = ShiftBooking.objects.get(expert=expert)

    with pytest.raises(Conflict, match="Check in"):
        attendance.shift_booking_check_out(booking_id=booking.pk, expert=expert, now=now)

    assert ShiftBooking.objects.get(pk=booking.pk).status == BookingStatus.BOOKED


def test_the_sweep_completes_shifts_that_ended_while_checked_in(
    now: datetime, captured_tasks: Tasks
) -> None:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)
    booking = ShiftBooking.objects.get(expert=expert)

    result = attendance.shifts_sweep(now=booking.ends_at)

    assert result["completed"] == 1
    assert ShiftBooking.objects.get(pk=booking.pk).status == BookingStatus.COMPLETED


def test_reminders_go_once_per_booking_within_the_hour_before_start(
    now: datetime, captured_tasks: Tasks, django_capture_on_commit_callbacks: Any
) -> None:
    queue = factories.queue()
    expert = certified_expert(on=queue, now=now, time_zone="America/New_York")
    soon = book(slot(on=queue, starts_at=now + timedelta(minutes=50), hours=1), expert, now)
    book(slot(on=queue, starts_at=now + timedelta(hours=3), hours=1), expert, now)

    with django_capture_on_commit_callbacks(execute=True):
        first = attendance.shift_reminders_send_due(now=now)
        second = attendance.shift_reminders_send_due(now=now + timedelta(minutes=5))

    assert (first, second) == (1, 0)
    assert emails_sent(captured_tasks) == [(soon.pk, "reminder")]
    assert shift_email_send(booking_id=soon.pk, kind="reminder") is True
    assert mail.outbox[0].to == [expert.user.email]
    local = soon.starts_at.astimezone(ZoneInfo("America/New_York"))
    assert f"{local:%H:%M}" in mail.outbox[0].body
    assert "America/New_York" in mail.outbox[0].body


def test_quality_refresh_is_harmless_without_reviews(now: datetime) -> None:
    expert = factories.expert(now=now)

    figures = quality.quality_refresh(expert_id=expert.pk, now=now)

    assert (figures.csat_percent, figures.acceptance_percent, figures.no_shows) == (None, None, 0)


def test_the_waitlist_email_names_the_shift_in_the_experts_time_zone(
    now: datetime, captured_tasks: Tasks
) -> None:
    queue = factories.queue()
    expert = certified_expert(on=queue, now=now, time_zone="Asia/Tokyo")
    booking = book(slot(on=queue, starts_at=datetime(2027, 1, 5, 23, 30, tzinfo=UTC), hours=1),
                   expert, now)

    sent = shift_email_send(booking_id=booking.pk, kind="waitlist_seat")

    assert sent is True
    assert mail.outbox[0].subject == "You got a seat on a shift from the waitlist"
    assert "Wed 06 Jan 08:30–09:30 (Asia/Tokyo)" in mail.outbox[0].body
    assert shift_email_send(booking_id=booking.pk + 1000, kind="reminder") is False


def test_a_suspended_experts_upcoming_seat_goes_to_the_waitlist(
    now: datetime, captured_tasks: Tasks
) -> None:
    queue = factories.queue()
    full = slot(on=queue, starts_at=now + timedelta(days=1), headcount=1)
    suspended, waiting = certified_expert(on=queue, now=now), certified_expert(on=queue, now=now)
    booking = book(full, suspended, now)
    shifts_booking.shift_waitlist_join(slot=full, expert=waiting, now=now)
    applications_decisions.expert_decide(expert=suspended, to_status=ExpertStatus.SUSPENDED,
                           decided_by=factories.user(is_staff=True), reason="Complaints",
                           now=now)

    result = attendance.shifts_sweep(now=now + timedelta(minutes=1))

    assert result["released"] == 1
    assert ShiftBooking.objects.get(pk=booking.pk).status == BookingStatus.RELEASED
    assert ShiftBooking.objects.get(slot=full, status=BookingStatus.BOOKED).expert == waiting


def test_a_revoked_certification_gives_the_brands_upcoming_seats_back(
    now: datetime, captured_tasks: Tasks
) -> None:
    queue, other = factories.queue(), factories.queue()
    expert = certified_expert(on=queue, now=now)
    certification_services.certification_grant(expert=expert, brand=other.brand, now=now)
    revoked = book(slot(on=queue, starts_at=now + timedelta(days=1)), expert, now)
    kept = book(slot(on=other, starts_at=now + timedelta(days=2)), expert, now)
    certification_services.certification_revoke(expert=expert, brand=queue.brand,
                                  by=factories.user(is_staff=True), reason="Tone", now=now)

    result = attendance.shifts_sweep(now=now + timedelta(minutes=1))

    assert result["released"] == 1
    assert ShiftBooking.objects.get(pk=revoked.pk).status == BookingStatus.RELEASED
    assert ShiftBooking.objects.get(pk=kept.pk).status == BookingStatus.BOOKED


def test_an_expert_whose_certification_was_revoked_cannot_check_in(
    now: datetime, captured_tasks: Tasks
) -> None:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now, checked_in=False)
    booking = ShiftBooking.objects.get(expert=expert)
    certification_services.certification_revoke(expert=expert, brand=queue.brand,
                                  by=factories.user(is_staff=True), reason="Tone", now=now)

    with pytest.raises(PermissionDenied, match="no longer certified"):
        attendance.shift_booking_check_in(booking_id=booking.pk, expert=expert, now=now)

    assert ShiftBooking.objects.get(pk=booking.pk).status == BookingStatus.BOOKED
    assert not ExpertSeat.objects.filter(expert=expert).exists()

"""Attendance: check-in, check-out, no-shows, seats of experts no longer approved, and the
periodic sweep with its reminders. Same lock order as `experts.shifts.services.booking`: the
slot row, then its bookings; check-in takes the presence row before the routing seat."""


from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from experts.certification import selectors as certification_selectors
from experts.certification.models import Certification, CertificationStatus
from experts.presence import services as presence
from experts.profiles.models import ExpertProfile, ExpertStatus
from experts.quality import services as quality
from experts.shifts.models import BookingStatus, ShiftBooking
from experts.shifts.services import booking as shifts_booking
from marketplace.infra.errors import Conflict, NotFound, PermissionDenied
from marketplace.infra.tasking import enqueue_on_commit
from routing.assignments import services as assignments_services
from routing.seats import services as seats

CHECK_IN_OPENS_BEFORE_START = timedelta(minutes=10)


NO_SHOW_AFTER = timedelta(minutes=10)


REMINDER_BEFORE = timedelta(hours=1)


SWEEP_BATCH = 200


def shift_booking_check_in(
    *, booking_id: int, expert: ExpertProfile, now: datetime
) -> ShiftBooking:
    """Checks the expert in from 10 minutes before the shift until 10 minutes after its start
    (or after booking, for a seat taken late), opens their routing seat, and asks routing to
    pull waiting work to them."""
    with transaction.atomic():
        booking = (
            ShiftBooking.objects.select_for_update(of=("self",))
            .select_related("slot__queue")
            .filter(pk=booking_id, expert=expert)
            .first()
        )
        if booking is None:
            raise NotFound("No such shift booking of yours.")
        if booking.status == BookingStatus.CHECKED_IN:
            return booking
        if booking.status != BookingStatus.BOOKED:
            raise Conflict(f"This booking is {booking.get_status_display().lower()}.",
                           code=f"booking_{booking.status}")
        if now < booking.starts_at - CHECK_IN_OPENS_BEFORE_START:
            raise Conflict("Check-in opens 10 minutes before the shift starts.",
                           code="check_in_not_open")
        if now >= booking.ends_at:
            raise Conflict("This shift is over.", code="shift_over")
        if now > no_show_deadline(booking):
            raise Conflict("Check-in closed 10 minutes after the start; this shift counts as "
                           "a no-show.", code="check_in_closed")
        # Read afresh under the profile's lock: a suspension committed since the page loaded
        # `expert` (it closes seats under the profile's FOR UPDATE) must not be followed by a
        # new seat. NO KEY UPDATE waits for a suspension but not for rows that merely point at
        # the profile (the presence row a heartbeat inserts), so it cannot deadlock with them.
        status = (ExpertProfile.objects.select_for_update(no_key=True).filter(pk=expert.pk)
                  .values_list("status", flat=True).first())
        if status != ExpertStatus.APPROVED:
            raise PermissionDenied("Only approved experts can check in.")
        if not certification_selectors.is_certified(expert.pk, booking.slot.queue.brand_id):
            raise PermissionDenied("You are no longer certified for this brand.")
        booking.status = BookingStatus.CHECKED_IN
        booking.checked_in_at = now
        booking.save(update_fields=["status", "checked_in_at"])
        available = presence.presence_after_check_in(expert_id=expert.pk, now=now)
        seats.seat_open(
            expert_id=expert.pk, queue_id=booking.slot.queue_id, languages=expert.languages,
            skills=expert.skills, quality_score=expert.quality_score,
            shift_ends_at=booking.ends_at, premium_tier=booking.slot.premium_tier,
            now=now,
        )
        if not available:
            seats.seat_set_available(expert_id=expert.pk, available=False, now=now)
        enqueue_on_commit("routing.expert_capacity_freed", expert.pk)
    return booking


def no_show_deadline(booking: ShiftBooking) -> datetime:
    return max(booking.starts_at, booking.booked_at) + NO_SHOW_AFTER


def shift_booking_check_out(*, booking_id: int, expert: ExpertProfile,
                            now: datetime) -> ShiftBooking:
    """Ends the expert's shift as completed. As at a shift's end, the routing seat closes and
    pending offers go to others; inquiries already accepted stay with the expert to finish."""
    with transaction.atomic():
        _, booking = shifts_booking.lock_slot_and_booking(booking_id, expert)
        if booking.status == BookingStatus.COMPLETED:
            return booking
        if booking.status != BookingStatus.CHECKED_IN:
            raise Conflict("Check in before checking out.", code="not_checked_in")
        booking.status = BookingStatus.COMPLETED
        booking.checked_out_at = now
        booking.save(update_fields=["status", "checked_out_at"])
        still_on_shift = ShiftBooking.objects.filter(
            expert=expert, status=BookingStatus.CHECKED_IN, ends_at__gt=now
        ).exists()
    if not still_on_shift:
        assignments_services.expert_leave_routing(
            expert_id=expert.pk, now=now, release_assignments=False,
            reason=f"Expert #{expert.pk} checked out; offering to someone else.",
        )
    return booking


def shift_booking_mark_no_show(*, booking_id: int, now: datetime) -> bool:
    """Marks a booking nobody checked in on as a no-show and gives its seat to the waitlist.
    Returns False when the expert checked in (or the booking ended) meanwhile."""
    with transaction.atomic():
        slot, booking = shifts_booking.lock_slot_and_booking(booking_id, None)
        if booking.status != BookingStatus.BOOKED or now <= no_show_deadline(booking):
            return False
        booking.status = BookingStatus.NO_SHOW
        booking.ended_at = now
        booking.save(update_fields=["status", "ended_at"])
        shifts_booking.waitlist_fill(slot, now)
    quality.quality_refresh(expert_id=booking.expert_id, now=now)
    return True


def _certified_for_slot() -> Exists:
    return Exists(Certification.objects.filter(
        expert_id=OuterRef("expert_id"), brand_id=OuterRef("slot__queue__brand_id"),
        status=CertificationStatus.GRANTED,
    ))


def shift_booking_release_if_barred(*, booking_id: int, now: datetime) -> bool:
    """The seat of an expert who may no longer work it (suspended, or the brand's certification
    revoked) goes back to the slot and its waitlist. Returns False when the booking changed
    meanwhile or the expert may work it after all."""
    with transaction.atomic():
        slot, booking = shifts_booking.lock_slot_and_booking(booking_id, None)
        if booking.status != BookingStatus.BOOKED or booking.ends_at <= now:
            return False
        may_work = ShiftBooking.objects.filter(
            pk=booking.pk, expert__status=ExpertStatus.APPROVED
        ).filter(_certified_for_slot()).exists()
        if may_work:
            return False
        booking.status = BookingStatus.RELEASED
        booking.ended_at = now
        booking.save(update_fields=["status", "ended_at"])
        shifts_booking.waitlist_fill(slot, now)
    return True


def shifts_sweep(*, now: datetime) -> dict[str, int]:
    """The periodic sweep: no-shows, seats of experts no longer approved or certified, shifts
    that ended while checked in, and reminders."""
    overdue = ShiftBooking.objects.filter(
        status=BookingStatus.BOOKED, starts_at__lt=now - NO_SHOW_AFTER,
        booked_at__lt=now - NO_SHOW_AFTER,
    ).order_by("starts_at").values_list("id", flat=True)[:SWEEP_BATCH]
    no_shows = sum(shift_booking_mark_no_show(booking_id=booking_id, now=now)
                   for booking_id in list(overdue))
    unapproved = ShiftBooking.objects.filter(status=BookingStatus.BOOKED, ends_at__gt=now).filter(
        ~Q(expert__status=ExpertStatus.APPROVED) | ~_certified_for_slot()
    ).values_list("id", flat=True)[:SWEEP_BATCH]
    released = sum(shift_booking_release_if_barred(booking_id=booking_id, now=now)
                   for booking_id in list(unapproved))
    completed = ShiftBooking.objects.filter(
        status=BookingStatus.CHECKED_IN, ends_at__lte=now
    ).update(status=BookingStatus.COMPLETED, checked_out_at=now)
    return {"no_shows": no_shows, "released": released, "completed": completed,
            "reminders": shift_reminders_send_due(now=now)}


def shift_reminders_send_due(*, now: datetime) -> int:
    """Emails every expert whose booked shift starts within the hour, exactly once per booking:
    the conditional update claims the booking's `reminder_sent_at`, so two sweeps running at
    once send one email."""
    due = ShiftBooking.objects.filter(
        status=BookingStatus.BOOKED, reminder_sent_at__isnull=True,
        starts_at__gt=now, starts_at__lte=now + REMINDER_BEFORE,
    ).values_list("id", flat=True)[:SWEEP_BATCH]
    sent = 0
    for booking_id in list(due):
        with transaction.atomic():
            claimed = ShiftBooking.objects.filter(
                pk=booking_id, reminder_sent_at__isnull=True, status=BookingStatus.BOOKED
            ).update(reminder_sent_at=now)
            if claimed:
                enqueue_on_commit("experts.send_shift_email", booking_id, "reminder")
                sent += 1
    return sent

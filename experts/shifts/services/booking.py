"""Booking shift slots: booking, cancelling before the cut-off, releasing a seat to the waitlist,
and the waitlist itself. Publishing is in `publishing`, check-in and the sweeps in
`experts.attendance`.

Lock order: the slot row, then its bookings."""



from datetime import datetime

from django.db import IntegrityError, transaction

from experts.certification.selectors import is_certified
from experts.profiles.models import ExpertProfile, ExpertStatus
from experts.shifts import selectors as shifts_selectors
from experts.shifts.models import (
    LIVE_BOOKING_STATUSES,
    BookingStatus,
    ShiftBooking,
    ShiftSlot,
    ShiftWaitlistEntry,
    WaitlistStatus,
)
from marketplace.infra.errors import Conflict, NotFound, PermissionDenied
from marketplace.infra.push import push_ops_board_changed_on_commit
from marketplace.infra.tasking import enqueue_on_commit


def _lock_slot(slot_id: int) -> ShiftSlot:
    slot = ShiftSlot.objects.select_for_update(of=("self",)).select_related("queue") \
        .filter(pk=slot_id).first()
    if slot is None:
        raise NotFound("Shift not found.")
    return slot


def _live_seats_taken(slot: ShiftSlot) -> int:
    """Caller holds the slot lock, so no booking of this slot commits between this count and
    the caller's insert."""
    return slot.bookings.filter(status__in=LIVE_BOOKING_STATUSES).count()


def _check_may_book(expert: ExpertProfile, slot: ShiftSlot) -> None:
    if not ExpertProfile.objects.filter(pk=expert.pk, status=ExpertStatus.APPROVED).exists():
        raise PermissionDenied("Only approved experts can book shifts.")
    if not is_certified(expert.pk, slot.queue.brand_id):
        raise PermissionDenied("You are not certified for this brand.")


def _insert_booking(slot: ShiftSlot, expert_id: int, now: datetime) -> ShiftBooking:
    """Inserts a live booking in a savepoint; the exclusion constraint refuses an overlap."""
    try:
        with transaction.atomic():
            return ShiftBooking.objects.create(
                slot=slot, expert_id=expert_id, starts_at=slot.starts_at, ends_at=slot.ends_at,
                booked_at=now,
            )
    except IntegrityError as error:
        if "no_overlapping_live_bookings_per_expert" in str(error):
            raise Conflict("You already hold a shift that overlaps this one.",
                           code="shift_overlap") from error
        raise


def shift_booking_create(*, slot: ShiftSlot, expert: ExpertProfile, now: datetime) -> ShiftBooking:
    """Books a seat. The slot row lock serialises bookings, so a slot is never overbooked;
    booking twice returns the first booking."""
    with transaction.atomic():
        locked_slot = _lock_slot(slot.pk)
        if locked_slot.ends_at <= now:
            raise Conflict("This shift is over.", code="shift_over")
        if locked_slot.cancelled_at is not None:
            raise Conflict("This shift was cancelled.", code="shift_cancelled")
        _check_may_book(expert, locked_slot)
        mine = locked_slot.bookings.filter(status__in=LIVE_BOOKING_STATUSES, expert=expert).first()
        if mine is not None:
            return mine
        if _live_seats_taken(locked_slot) >= locked_slot.headcount:
            raise Conflict("This shift is full. Join its waitlist to get the next free seat.",
                           code="shift_full")
        booking = _insert_booking(locked_slot, expert.pk, now)
        ShiftWaitlistEntry.objects.filter(
            slot=locked_slot, expert=expert, status=WaitlistStatus.WAITING
        ).update(status=WaitlistStatus.PROMOTED, left_at=now, booking=booking)
        if locked_slot.starts_at <= now:
            push_ops_board_changed_on_commit()
        return booking


def lock_slot_and_booking(
    booking_id: int, expert: ExpertProfile | None
) -> tuple[ShiftSlot, ShiftBooking]:
    """Locks the booking's slot, then the booking (the lock order of this module); with
    `expert`, only their own booking is found."""
    bookings = ShiftBooking.objects.filter(pk=booking_id)
    if expert is not None:
        bookings = bookings.filter(expert=expert)
    slot_id = bookings.values_list("slot_id", flat=True).first()
    if slot_id is None:
        raise NotFound("This is not your shift.")
    slot = _lock_slot(slot_id)
    return slot, ShiftBooking.objects.select_for_update().get(pk=booking_id)


def _refuse_unless_booked(booking: ShiftBooking) -> None:
    if booking.status == BookingStatus.CHECKED_IN:
        raise Conflict("You are checked in on this shift: check out instead.",
                       code="booking_checked_in")
    if booking.status != BookingStatus.BOOKED:
        raise Conflict(f"This booking is {booking.get_status_display().lower()}.",
                       code=f"booking_{booking.status}")


def shift_booking_cancel(*, booking_id: int, expert: ExpertProfile,
                         now: datetime) -> ShiftBooking:
    """Cancels freely until the queue's cut-off before the start; the seat goes to the
    waitlist. After the cut-off only a release to the waitlist is possible."""
    with transaction.atomic():
        slot, booking = lock_slot_and_booking(booking_id, expert)
        if booking.status == BookingStatus.CANCELLED:
            return booking
        _refuse_unless_booked(booking)
        cutoff = shifts_selectors.cancel_cutoff(queue_id=slot.queue_id)
        if now >= booking.starts_at - cutoff:
            hours = int(cutoff.total_seconds() // 3600)
            raise Conflict(
                f"The cancellation cut-off ({hours} h before the start) has passed. Release "
                "the seat to the waitlist instead: it stays yours until someone takes it.",
                code="cancel_cutoff_passed",
            )
        booking.status = BookingStatus.CANCELLED
        booking.ended_at = now
        booking.save(update_fields=["status", "ended_at"])
        waitlist_fill(slot, now)
    return booking


def shift_booking_release(*, booking_id: int, expert: ExpertProfile,
                          now: datetime) -> ShiftBooking:
    """After the cut-off: offers the seat to the waitlist. The booking stays the expert's (and
    a no-show counts) until a waitlisted expert takes it, at once if one is waiting."""
    with transaction.atomic():
        slot, booking = lock_slot_and_booking(booking_id, expert)
        if booking.status == BookingStatus.RELEASED:
            return booking
        _refuse_unless_booked(booking)
        if now >= booking.starts_at:
            raise Conflict("This shift has started: check in, or it counts as a no-show.",
                           code="shift_started")
        if now < booking.starts_at - shifts_selectors.cancel_cutoff(queue_id=slot.queue_id):
            raise Conflict("You can still cancel this shift outright.", code="cancel_instead")
        if booking.release_requested_at is None:
            booking.release_requested_at = now
            booking.save(update_fields=["release_requested_at"])
        waitlist_fill(slot, now)
        booking.refresh_from_db()
    return booking


def _eligible_for_waitlist_seat(entry: ShiftWaitlistEntry, slot: ShiftSlot) -> bool:
    return (entry.expert.status == ExpertStatus.APPROVED
            and is_certified(entry.expert_id, slot.queue.brand_id))


def waitlist_fill(slot: ShiftSlot, now: datetime) -> int:
    """Gives free seats, then seats offered for release, to waiting experts in the order they
    joined, skipping those who are no longer eligible or hold an overlapping shift (they stay
    waiting). Each is told by email. Caller holds the slot lock. Returns seats filled."""
    if slot.ends_at <= now:
        return 0
    free = slot.headcount - _live_seats_taken(slot)
    releasing = list(
        slot.bookings.select_for_update().filter(
            status=BookingStatus.BOOKED, release_requested_at__isnull=False
        ).order_by("release_requested_at", "id")
    )
    filled = 0
    waiting = slot.waitlist.select_for_update(of=("self",)).select_related("expert") \
        .filter(status=WaitlistStatus.WAITING)
    for entry in waiting:
        if free <= 0 and not releasing:
            break
        if not _eligible_for_waitlist_seat(entry, slot):
            continue
        handed_over = None
        if free <= 0:
            handed_over = releasing.pop(0)
            handed_over.status = BookingStatus.RELEASED
            handed_over.ended_at = now
            handed_over.save(update_fields=["status", "ended_at"])
        try:
            booking = _insert_booking(slot, entry.expert_id, now)
        except Conflict:
            if handed_over is not None:
                handed_over.status, handed_over.ended_at = BookingStatus.BOOKED, None
                handed_over.save(update_fields=["status", "ended_at"])
                releasing.insert(0, handed_over)
            continue
        if handed_over is None:
            free -= 1
        entry.status, entry.left_at, entry.booking = WaitlistStatus.PROMOTED, now, booking
        entry.save(update_fields=["status", "left_at", "booking"])
        enqueue_on_commit("experts.send_shift_email", booking.pk, "waitlist_seat")
        if handed_over is not None:
            enqueue_on_commit("experts.send_shift_email", handed_over.pk, "released")
        filled += 1
    return filled


def shift_waitlist_join(*, slot: ShiftSlot, expert: ExpertProfile,
                        now: datetime) -> ShiftWaitlistEntry:
    """Joins a full slot's waitlist. When a seat is already being released the expert gets it
    at once (the returned entry is then `promoted`)."""
    with transaction.atomic():
        locked_slot = _lock_slot(slot.pk)
        if locked_slot.starts_at <= now:
            raise Conflict("This shift has started; its waitlist is closed.",
                           code="shift_started")
        _check_may_book(expert, locked_slot)
        if locked_slot.bookings.filter(status__in=LIVE_BOOKING_STATUSES, expert=expert).exists():
            raise Conflict("You already have this shift.", code="already_booked")
        if _live_seats_taken(locked_slot) < locked_slot.headcount:
            raise Conflict("This shift has free seats: book it directly.", code="seats_free")
        overlapping = ShiftBooking.objects.filter(
            expert=expert, status__in=LIVE_BOOKING_STATUSES,
            starts_at__lt=locked_slot.ends_at, ends_at__gt=locked_slot.starts_at,
        ).exists()
        if overlapping:
            raise Conflict("You already hold a shift that overlaps this one.",
                           code="shift_overlap")
        entry = ShiftWaitlistEntry.objects.filter(
            slot=locked_slot, expert=expert, status=WaitlistStatus.WAITING
        ).first() or ShiftWaitlistEntry.objects.create(slot=locked_slot, expert=expert,
                                                       joined_at=now)
        waitlist_fill(locked_slot, now)
        entry.refresh_from_db()
    return entry


def shift_waitlist_leave(*, slot_id: int, expert: ExpertProfile, now: datetime) -> int:
    with transaction.atomic():
        _lock_slot(slot_id)
        return ShiftWaitlistEntry.objects.filter(
            slot_id=slot_id, expert=expert, status=WaitlistStatus.WAITING
        ).update(status=WaitlistStatus.LEFT, left_at=now)

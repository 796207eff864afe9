"""Every write on shift slots and bookings: publishing slots, booking, cancelling, releasing to
the waitlist, the waitlist itself. Check-in, check-out and the sweeps are in
`experts.attendance`.

Lock order: the slot row, then its bookings. A slot's seats are counted only under the slot's
FOR UPDATE lock, so bookings of one slot are serialised and it is never overbooked; the
database's exclusion constraint refuses overlapping shifts of one expert.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from experts import schedule, shift_selectors
from experts.models import (
    LIVE_BOOKING_STATUSES,
    BookingStatus,
    Certification,
    CertificationStatus,
    ExpertProfile,
    ExpertStatus,
    ShiftBooking,
    ShiftSlot,
    ShiftWaitlistEntry,
    WaitlistStatus,
)
from marketplace.errors import Conflict, DomainError, NotFound, PermissionDenied
from marketplace.models import OverflowQueue
from marketplace.tasking import enqueue_on_commit

MAX_PATTERN_DAYS = 92
MAX_HEADCOUNT = 500
MAX_SHIFT_HOURS = 48
ONE_CENT = Decimal("0.01")


def premium_parse(raw: object) -> Decimal:
    """A premium multiplier as an exact Decimal with two places, from 1.00 to 5.00."""
    try:
        value = Decimal(str(raw).strip() or "1")
    except InvalidOperation as error:
        raise DomainError("The premium must be a number such as 1.25.",
                          code="premium_invalid") from error
    if not value.is_finite() or value != value.quantize(ONE_CENT):
        raise DomainError("The premium has at most two decimals, such as 1.25.",
                          code="premium_invalid")
    if not Decimal("1.00") <= value <= Decimal("5.00"):
        raise DomainError("The premium must be between 1.00 (none) and 5.00.",
                          code="premium_out_of_range")
    return value.quantize(ONE_CENT)


def _validate(*, starts_at: datetime, ends_at: datetime, headcount: int,
              now: datetime | None) -> None:
    if ends_at <= starts_at:
        raise DomainError("A shift must end after it starts.", code="shift_ends_before_start")
    if ends_at - starts_at > timedelta(hours=MAX_SHIFT_HOURS):
        raise DomainError(f"A shift lasts at most {MAX_SHIFT_HOURS} hours.",
                          code="shift_too_long")
    if headcount < 1:
        raise DomainError("A shift needs at least one seat.", code="headcount_too_small")
    if headcount > MAX_HEADCOUNT:
        raise DomainError(f"A shift has at most {MAX_HEADCOUNT} seats.",
                          code="headcount_too_large")
    if now is not None and starts_at <= now:
        raise DomainError("A new shift must start in the future.", code="shift_in_past")


def shift_slot_create(
    *, queue: OverflowQueue, starts_at: datetime, ends_at: datetime, headcount: int,
    premium_multiplier: Decimal = Decimal("1.00"), is_hot: bool = False,
    published_by: User | None = None, now: datetime | None = None,
) -> ShiftSlot:
    """Publishes one slot. With `now`, the slot must start in the future."""
    _validate(starts_at=starts_at, ends_at=ends_at, headcount=headcount, now=now)
    return ShiftSlot.objects.create(
        queue=queue, starts_at=starts_at, ends_at=ends_at, headcount=headcount,
        premium_multiplier=premium_parse(premium_multiplier), is_hot=is_hot,
        published_by=published_by,
    )


def shift_slot_publish_local(
    *, queue: OverflowQueue, day: date, starts: time, ends: time, headcount: int,
    premium_multiplier: Decimal, is_hot: bool, published_by: User | None, now: datetime,
) -> ShiftSlot:
    """One slot given in the queue's wall-clock time; `ends` not after `starts` is overnight."""
    starts_at, ends_at = schedule.local_span(day, starts, ends, ZoneInfo(queue.time_zone))
    return shift_slot_create(
        queue=queue, starts_at=starts_at, ends_at=ends_at, headcount=headcount,
        premium_multiplier=premium_multiplier, is_hot=is_hot, published_by=published_by,
        now=now,
    )


@dataclass(frozen=True)
class PatternResult:
    created: list[ShiftSlot]
    already_published: int
    in_the_past: int


def shift_pattern_publish(
    *, queue: OverflowQueue, date_from: date, date_to: date, weekdays: frozenset[int],
    starts: time, ends: time, headcount: int, premium_multiplier: Decimal, is_hot: bool,
    published_by: User | None, now: datetime,
) -> PatternResult:
    """A weekly pattern in the queue's time zone, e.g. Mon-Fri 18:00-23:00 from one date to
    another. Slots already published with the same times, and those already begun, are skipped,
    so publishing the same pattern twice adds nothing."""
    if not weekdays or not weekdays <= set(range(7)):
        raise DomainError("Choose at least one weekday.", code="weekdays_required")
    if date_to < date_from:
        raise DomainError("The last date must not be before the first.",
                          code="date_range_reversed")
    if (date_to - date_from).days >= MAX_PATTERN_DAYS:
        raise DomainError(f"A pattern covers at most {MAX_PATTERN_DAYS} days.",
                          code="date_range_too_long")
    premium = premium_parse(premium_multiplier)
    spans = schedule.weekly_spans(date_from=date_from, date_to=date_to, weekdays=weekdays,
                                  starts=starts, ends=ends, zone=ZoneInfo(queue.time_zone))
    if not spans:
        raise DomainError("None of the chosen weekdays falls in that date range.",
                          code="pattern_empty")
    for starts_at, ends_at in spans:
        _validate(starts_at=starts_at, ends_at=ends_at, headcount=headcount, now=None)
    future = [(start, end) for start, end in spans if start > now]
    with transaction.atomic():
        existing = set(
            ShiftSlot.objects.filter(queue=queue, starts_at__in=[start for start, _ in future])
            .values_list("starts_at", "ends_at")
        )
        created = [
            shift_slot_create(queue=queue, starts_at=start, ends_at=end, headcount=headcount,
                              premium_multiplier=premium, is_hot=is_hot,
                              published_by=published_by)
            for start, end in future if (start, end) not in existing
        ]
    return PatternResult(created=created, already_published=len(future) - len(created),
                         in_the_past=len(spans) - len(future))


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


def is_certified(expert_id: int, brand_id: int) -> bool:
    return Certification.objects.filter(
        expert_id=expert_id, brand_id=brand_id, status=CertificationStatus.GRANTED
    ).exists()


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
        cutoff = shift_selectors.cancel_cutoff(queue_id=slot.queue_id)
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
        if now < booking.starts_at - shift_selectors.cancel_cutoff(queue_id=slot.queue_id):
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

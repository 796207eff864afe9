"""Publishing shift slots, one at a time or as a weekly pattern."""



from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db import transaction

from billing.terms.models import PremiumTier
from experts.shifts import schedule
from experts.shifts.models import (
    LIVE_BOOKING_STATUSES,
    BookingStatus,
    ShiftBooking,
    ShiftSlot,
    ShiftWaitlistEntry,
    WaitlistStatus,
)
from marketplace.infra.errors import Conflict, DomainError, NotFound, RuleViolation
from marketplace.infra.tasking import enqueue_on_commit
from marketplace.queues.models import OverflowQueue

MAX_PATTERN_DAYS = 92


MAX_HEADCOUNT = 500


MAX_SHIFT_HOURS = 48


def premium_tier_parse(raw: object) -> str:
    """The slot's premium tier (billing/terms `PremiumTier`); empty is standard."""
    value = "" if raw is None else str(raw).strip()
    if not value:
        return PremiumTier.STANDARD
    if value not in PremiumTier.values:
        choices = ", ".join(PremiumTier.values)
        raise DomainError(f"The premium tier is one of {choices}.", code="premium_tier_invalid")
    return value


def _validate(*, starts_at: datetime, ends_at: datetime, headcount: int,
              now: datetime | None) -> None:
    if ends_at <= starts_at:
        raise RuleViolation("A shift must end after it starts.",
                            code="shift_ends_before_start")
    if ends_at - starts_at > timedelta(hours=MAX_SHIFT_HOURS):
        raise RuleViolation(f"A shift lasts at most {MAX_SHIFT_HOURS} hours.",
                          code="shift_too_long")
    if headcount < 1:
        raise DomainError("A shift needs at least one seat.", code="headcount_too_small")
    if headcount > MAX_HEADCOUNT:
        raise DomainError(f"A shift has at most {MAX_HEADCOUNT} seats.",
                          code="headcount_too_large")
    if now is not None and starts_at <= now:
        raise RuleViolation("A new shift must start in the future.", code="shift_in_past")


def shift_slot_create(
    *, queue: OverflowQueue, starts_at: datetime, ends_at: datetime, headcount: int,
    premium_tier: str = PremiumTier.STANDARD, is_hot: bool = False,
    published_by: User | None = None, now: datetime | None = None,
) -> ShiftSlot:
    """Publishes one slot. With `now`, the slot must start in the future."""
    _validate(starts_at=starts_at, ends_at=ends_at, headcount=headcount, now=now)
    return ShiftSlot.objects.create(
        queue=queue, starts_at=starts_at, ends_at=ends_at, headcount=headcount,
        premium_tier=premium_tier_parse(premium_tier), is_hot=is_hot,
        published_by=published_by,
    )


def shift_slot_publish_local(
    *, queue: OverflowQueue, day: date, starts: time, ends: time, headcount: int,
    premium_tier: str, is_hot: bool, published_by: User | None, now: datetime,
) -> ShiftSlot:
    """One slot given in the queue's wall-clock time; `ends` not after `starts` is overnight."""
    starts_at, ends_at = schedule.local_span(day, starts, ends, ZoneInfo(queue.time_zone))
    return shift_slot_create(
        queue=queue, starts_at=starts_at, ends_at=ends_at, headcount=headcount,
        premium_tier=premium_tier, is_hot=is_hot, published_by=published_by,
        now=now,
    )


@dataclass(frozen=True)
class PatternResult:
    created: list[ShiftSlot]
    already_published: int
    in_the_past: int


def shift_pattern_publish(
    *, queue: OverflowQueue, date_from: date, date_to: date, weekdays: frozenset[int],
    starts: time, ends: time, headcount: int, premium_tier: str, is_hot: bool,
    published_by: User | None, now: datetime,
) -> PatternResult:
    """A weekly pattern in the queue's time zone, e.g. Mon-Fri 18:00-23:00 from one date to
    another. Slots already published with the same times, and those already begun, are skipped,
    so publishing the same pattern twice adds nothing."""
    if not weekdays or not weekdays <= set(range(7)):
        raise DomainError("Choose at least one weekday.", code="weekdays_required")
    if date_to < date_from:
        raise RuleViolation("The last date must not be before the first.",
                          code="date_range_reversed")
    if (date_to - date_from).days >= MAX_PATTERN_DAYS:
        raise RuleViolation(f"A pattern covers at most {MAX_PATTERN_DAYS} days.",
                          code="date_range_too_long")
    tier = premium_tier_parse(premium_tier)
    spans = schedule.weekly_spans(date_from=date_from, date_to=date_to, weekdays=weekdays,
                                  starts=starts, ends=ends, zone=ZoneInfo(queue.time_zone))
    if not spans:
        raise RuleViolation("None of the chosen weekdays falls in that date range.",
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
                              premium_tier=tier, is_hot=is_hot,
                              published_by=published_by)
            for start, end in future if (start, end) not in existing
        ]
    return PatternResult(created=created, already_published=len(future) - len(created),
                         in_the_past=len(spans) - len(future))


def _lock_slot_of(*, slot_id: int, queue_ids: list[int] | None) -> ShiftSlot:
    """The slot, locked, when it belongs to one of `queue_ids` (any queue for None) and is not
    cancelled; another brand's slot answers as if it did not exist."""
    slots = ShiftSlot.objects.select_for_update(of=("self",)).filter(pk=slot_id,
                                                                     cancelled_at__isnull=True)
    if queue_ids is not None:
        slots = slots.filter(queue_id__in=queue_ids)
    slot = slots.select_related("queue").first()
    if slot is None:
        raise NotFound("Shift not found.")
    return slot


def shift_slot_update(*, slot_id: int, queue_ids: list[int] | None, headcount: int,
                      is_hot: bool, premium_tier: str) -> ShiftSlot:
    """Changes a published slot's seats, hot mark and premium tier. The seats never go below
    the experts already booked on it (cancel the slot instead)."""
    tier = premium_tier_parse(premium_tier)
    with transaction.atomic():
        slot = _lock_slot_of(slot_id=slot_id, queue_ids=queue_ids)
        _validate(starts_at=slot.starts_at, ends_at=slot.ends_at, headcount=headcount, now=None)
        booked = slot.bookings.filter(status__in=LIVE_BOOKING_STATUSES).count()
        if headcount < booked:
            raise Conflict(f"{booked} experts are booked on this shift: keep at least "
                           f"{booked} seats, or cancel the shift.", code="headcount_below_booked")
        slot.headcount, slot.is_hot, slot.premium_tier = headcount, is_hot, tier
        slot.save(update_fields=["headcount", "is_hot", "premium_tier"])
    return slot


def shift_slot_cancel(*, slot_id: int, queue_ids: list[int] | None, now: datetime) -> int:
    """Cancels a slot that has not started: its bookings are cancelled (never no-shows, so no
    quality penalty), its waitlist emptied, and every booked expert is emailed after commit.
    Returns how many experts were booked."""
    with transaction.atomic():
        slot = _lock_slot_of(slot_id=slot_id, queue_ids=queue_ids)
        if slot.starts_at <= now:
            raise Conflict("This shift has started: it can no longer be cancelled.",
                           code="shift_started")
        booking_ids = list(slot.bookings.filter(status__in=LIVE_BOOKING_STATUSES)
                           .values_list("pk", flat=True))
        ShiftBooking.objects.filter(pk__in=booking_ids).update(
            status=BookingStatus.CANCELLED, ended_at=now)
        ShiftWaitlistEntry.objects.filter(slot=slot, status=WaitlistStatus.WAITING).update(
            status=WaitlistStatus.LEFT, left_at=now)
        slot.cancelled_at = now
        slot.save(update_fields=["cancelled_at"])
        for booking_id in booking_ids:
            enqueue_on_commit("experts.send_shift_email", booking_id, "slot_cancelled")
    return len(booking_ids)

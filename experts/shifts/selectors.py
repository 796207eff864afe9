"""Reads for shifts: the marketplace an expert browses, their calendar, a brand's slots and
each queue's shift policy."""


from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from billing.pricing import selectors as pricing_selectors
from billing.pricing.services import ExpertPay
from experts.certification.models import CertificationStatus
from experts.profiles.models import ExpertProfile
from experts.shifts import schedule
from experts.shifts.models import (
    LIVE_BOOKING_STATUSES,
    BookingStatus,
    QueueShiftPolicy,
    ShiftBooking,
    ShiftSlot,
    ShiftWaitlistEntry,
    WaitlistStatus,
)
from marketplace.infra.errors import NotFound
from marketplace.onboarding.models import Brand
from marketplace.queues.models import OverflowQueue


def _count(queryset: QuerySet, field: str = "slot") -> Coalesce:
    counted = queryset.filter(**{field: OuterRef("pk")}).order_by().values(field) \
        .annotate(total=Count("pk")).values("total")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _with_seat_counts(slots: QuerySet[ShiftSlot]) -> QuerySet[ShiftSlot]:
    live = ShiftBooking.objects.filter(status__in=LIVE_BOOKING_STATUSES)
    return slots.annotate(
        seats_taken=_count(live),
        seats_releasing=_count(live.filter(release_requested_at__isnull=False)),
        waiting=_count(ShiftWaitlistEntry.objects.filter(status=WaitlistStatus.WAITING)),
    ).annotate(seats_left=ExpressionWrapper(F("headcount") - F("seats_taken"),
                                            output_field=IntegerField()))


def slot_get(*, slot_id: int) -> ShiftSlot:
    slot = ShiftSlot.objects.select_related("queue__brand").filter(pk=slot_id).first()
    if slot is None:
        raise NotFound("Shift not found.")
    return slot


def slot_list_open_for_expert(
    *, expert: ExpertProfile, now: datetime, day: date | None = None
) -> QuerySet[ShiftSlot]:
    """Slots not yet over, of queues of brands the expert is certified for; with `day`, those
    overlapping that day in the expert's own time zone. Soonest first, with seat counts, the
    expert's own booking and waitlist place, and whether it clashes with a shift they hold."""
    certified_brands = expert.certifications.filter(status=CertificationStatus.GRANTED) \
        .values("brand_id")
    slots = ShiftSlot.objects.filter(queue__brand_id__in=certified_brands, ends_at__gt=now,
                                     cancelled_at__isnull=True)
    if day is not None:
        day_start, day_end = schedule.day_bounds(day, ZoneInfo(expert.time_zone))
        slots = slots.filter(starts_at__lt=day_end, ends_at__gt=day_start)
    mine = ShiftBooking.objects.filter(slot=OuterRef("pk"), expert=expert,
                                       status__in=LIVE_BOOKING_STATUSES)
    return _with_seat_counts(slots).annotate(
        my_booking_id=Subquery(mine.values("pk")[:1]),
        my_booking_status=Subquery(mine.values("status")[:1]),
        on_waitlist=Exists(ShiftWaitlistEntry.objects.filter(
            slot=OuterRef("pk"), expert=expert, status=WaitlistStatus.WAITING)),
        clashes=Exists(ShiftBooking.objects.filter(
            expert=expert, status__in=LIVE_BOOKING_STATUSES,
            starts_at__lt=OuterRef("ends_at"), ends_at__gt=OuterRef("starts_at"),
        ).exclude(slot=OuterRef("pk"))),
    ).select_related("queue__brand").order_by("starts_at", "pk")


def booking_list_for_expert_between(
    *, expert: ExpertProfile, starts: datetime, ends: datetime
) -> QuerySet[ShiftBooking]:
    return (
        ShiftBooking.objects.filter(expert=expert, starts_at__lt=ends, ends_at__gt=starts)
        .exclude(status="cancelled")
        .select_related("slot__queue__brand").order_by("starts_at")
    )


def cancel_cutoff(*, queue_id: int) -> timedelta:
    """How long before a shift of this queue free cancellation ends."""
    hours = QueueShiftPolicy.objects.filter(queue_id=queue_id) \
        .values_list("cancel_cutoff_hours", flat=True).first()
    return timedelta(hours=settings.SHIFT_CANCEL_CUTOFF_HOURS if hours is None else hours)


def booking_list_upcoming_for_expert(*, expert: ExpertProfile,
                                     now: datetime) -> list[ShiftBooking]:
    """Live bookings not yet over, soonest first, each with `cancel_until`: the end of free
    cancellation (after it, only a release to the waitlist), and its slot's `pay_lines`
    (`shift_pay_attach`). Three queries."""
    bookings = list(
        ShiftBooking.objects.filter(expert=expert, ends_at__gt=now,
                                    status__in=LIVE_BOOKING_STATUSES)
        .select_related("slot__queue__brand").order_by("starts_at")
    )
    hours = dict(QueueShiftPolicy.objects.filter(
        queue_id__in={booking.slot.queue_id for booking in bookings}
    ).values_list("queue_id", "cancel_cutoff_hours"))
    for booking in bookings:
        cutoff = timedelta(hours=hours.get(booking.slot.queue_id,
                                           settings.SHIFT_CANCEL_CUTOFF_HOURS))
        booking.cancel_until = booking.starts_at - cutoff  # type: ignore[attr-defined]
    shift_pay_attach(slots=[booking.slot for booking in bookings], now=now)
    return bookings


def waitlist_list_for_expert(*, expert: ExpertProfile,
                             now: datetime) -> QuerySet[ShiftWaitlistEntry]:
    return (
        ShiftWaitlistEntry.objects.filter(expert=expert, status=WaitlistStatus.WAITING,
                                          slot__starts_at__gt=now)
        .select_related("slot__queue__brand").order_by("slot__starts_at")
    )


def week_calendar_for_expert(
    *, expert: ExpertProfile, week_start: date
) -> list[schedule.CalendarDay]:
    zone = ZoneInfo(expert.time_zone)
    starts, _ = schedule.day_bounds(week_start, zone)
    ends, _ = schedule.day_bounds(week_start + timedelta(days=7), zone)
    items = [
        schedule.CalendarItem(key=booking.pk, label=str(booking.slot.queue),
                              status=booking.status, starts_at=booking.starts_at,
                              ends_at=booking.ends_at)
        for booking in booking_list_for_expert_between(expert=expert, starts=starts, ends=ends)
    ]
    return schedule.week_calendar(week_start=week_start, items=items, zone=zone)


def slot_list_for_brand(*, brand: Brand | None, now: datetime) -> QuerySet[ShiftSlot]:
    """A brand's slots not yet over (every brand's for ops, `brand=None`), soonest first."""
    slots = ShiftSlot.objects.filter(ends_at__gt=now, cancelled_at__isnull=True)
    if brand is not None:
        slots = slots.filter(queue__brand=brand)
    return _with_seat_counts(slots).select_related("queue__brand").order_by("starts_at", "pk")


def queue_list_for_publishing(*, brand: Brand | None) -> QuerySet[OverflowQueue]:
    queues = OverflowQueue.objects.select_related("brand").order_by("brand__name", "name")
    return queues if brand is None else queues.filter(brand=brand)


def policy_for_queue(*, queue: OverflowQueue) -> QueueShiftPolicy:
    """The queue's policy, or an unsaved one with the defaults."""
    return QueueShiftPolicy.objects.filter(queue=queue).first() or QueueShiftPolicy(queue=queue)


def slot_filter_has_certification(*, expert: ExpertProfile) -> bool:
    return expert.certifications.filter(status=CertificationStatus.GRANTED).exists()


def booking_counts_on_shift_by_queue(*, now: datetime) -> dict[int, tuple[int, int]]:
    """Per queue id, the experts booked on a shift running at `now` and how many of them have
    checked in: (booked, checked in), in one grouped query."""
    rows = (
        ShiftBooking.objects.filter(status__in=LIVE_BOOKING_STATUSES, starts_at__lte=now,
                                    ends_at__gt=now)
        .order_by().values("slot__queue_id")
        .annotate(booked=Count("pk"),
                  checked_in=Count("pk", filter=Q(status=BookingStatus.CHECKED_IN)))
    )
    return {int(row["slot__queue_id"]): (row["booked"], row["checked_in"]) for row in rows}


def booked_intervals_for_queues(*, queue_ids: list[int], start: datetime,
                                end: datetime) -> dict[int, list[tuple[datetime, datetime]]]:
    """Per queue id, the (start, end) of every live booking (booked or checked in) that
    overlaps [start, end): the hours an expert is booked to cover."""
    intervals: dict[int, list[tuple[datetime, datetime]]] = {}
    rows = (ShiftBooking.objects.filter(slot__queue_id__in=queue_ids,
                                        status__in=LIVE_BOOKING_STATUSES,
                                        starts_at__lt=end, ends_at__gt=start)
            .values_list("slot__queue_id", "starts_at", "ends_at"))
    for queue_id, starts_at, ends_at in rows:
        intervals.setdefault(queue_id, []).append((starts_at, ends_at))
    return intervals


def slot_count_published_between(*, queue_ids: list[int], start: datetime,
                                 end: datetime) -> int:
    return ShiftSlot.objects.filter(queue_id__in=queue_ids, starts_at__lt=end,
                                    ends_at__gt=start, cancelled_at__isnull=True).count()


@dataclass(frozen=True)
class PayLine:
    """The channels of a queue that pay the same per ticket, and that pay."""

    channels: str
    pay: ExpertPay


def shift_pay_attach(*, slots: Iterable[ShiftSlot], now: datetime) -> list[ShiftSlot]:
    """Gives each slot `pay_lines`: what a resolved ticket of the slot's queue pays the expert
    per channel at the slot's premium tier, by billing's own rule (`expert_pay`), channels that
    pay the same on one line. One query for every slot; each slot's `queue` must be loaded."""
    chosen = list(slots)
    combinations = {(slot.queue.currency, channel, slot.premium_tier)
                    for slot in chosen for channel in slot.queue.channels}
    pays = pricing_selectors.expert_pay_for(combinations=combinations, now=now)
    for slot in chosen:
        grouped: dict[ExpertPay, list[str]] = {}
        for channel in slot.queue.channels:
            pay = pays[(slot.queue.currency, channel, slot.premium_tier)]
            grouped.setdefault(pay, []).append(channel)
        slot.pay_lines = [  # type: ignore[attr-defined]
            PayLine(channels=", ".join(channels), pay=pay) for pay, channels in grouped.items()]
    return chosen

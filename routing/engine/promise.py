"""The reply-time promise a customer gets on receipt, computed from the queue as it is now.

Honest means two things: never more optimistic than the data (the estimate is rounded up, never
down, and counts every inquiry ahead), and never a promise worse than the queue's target unless
the data says so: measured handling times, or more work waiting than the experts have free
capacity. A default handling time (no history yet) alone never pushes a promise past the
target.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median
from zoneinfo import ZoneInfo

from routing.engine.coverage import CoverageCalendar

DEFAULT_HANDLING_TIME = {
    "chat": timedelta(minutes=2),
    "email": timedelta(minutes=10),
    "social": timedelta(minutes=10),
}
OFFER_LATENCY = timedelta(seconds=20)


@dataclass(frozen=True, slots=True)
class SeatCapacity:
    """One expert on shift and checked in, for the inquiry's channel."""

    load: int
    capacity: int

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.load)


@dataclass(frozen=True, slots=True)
class QueueSnapshot:
    """The queue at the moment the inquiry arrives."""

    now: datetime
    channel: str
    target: timedelta
    brand_open: bool
    covered_by_network: bool
    waiting_ahead: int
    seats: tuple[SeatCapacity, ...]
    recent_handling_times: tuple[timedelta, ...]
    calendar: CoverageCalendar
    brand_name: str
    experts_booked: int = 0
    """Experts booked on a shift of the queue running now, checked in or not: with nobody
    checked in, it tells "nobody booked for this hour" from "booked but nobody checked in"."""


class NobodyOnShift:
    """Why a covered queue had nobody to promise on (the basis's `nobody_on_shift`)."""

    NOT_COVERED = "not_covered"
    NOBODY_BOOKED = "nobody_booked"
    NOT_CHECKED_IN = "booked_not_checked_in"


NOBODY_ON_SHIFT_LABELS = {
    NobodyOnShift.NOT_COVERED: "The network does not cover this hour",
    NobodyOnShift.NOBODY_BOOKED: "No expert was booked for this hour",
    NobodyOnShift.NOT_CHECKED_IN: "Experts were booked for this hour but none had checked in",
}


@dataclass(frozen=True, slots=True)
class Promise:
    reply_by: datetime | None
    text: str
    basis: dict[str, object]


def round_up(duration: timedelta) -> timedelta:
    """Up to a figure a person reads easily: 10 s under two minutes, whole minutes under an
    hour, five minutes beyond. Rounding only ever makes the promise later."""
    seconds = max(1, math.ceil(duration.total_seconds()))
    step = 10 if seconds < 120 else 60 if seconds < 3600 else 300
    return timedelta(seconds=math.ceil(seconds / step) * step)


def describe(duration: timedelta) -> str:
    seconds = int(duration.total_seconds())
    if seconds < 120:
        return f"{seconds} seconds"
    minutes = seconds // 60
    if minutes < 120:
        return f"{minutes} minutes"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if minutes else f"{hours} hours"


def handling_time(samples: Sequence[timedelta], channel: str) -> timedelta:
    """The median time from accepting an inquiry to the first reply; a default without history."""
    if not samples:
        return DEFAULT_HANDLING_TIME[channel]
    return timedelta(seconds=median(sample.total_seconds() for sample in samples))


def estimate_wait(*, waiting_ahead: int, seats: Sequence[SeatCapacity],
                  handling: timedelta) -> timedelta | None:
    """Time to a first reply, or None with nobody on shift. Inquiries ahead take the free slots
    first, oldest deadline first; when they fill them, each further round of the experts' whole
    capacity costs one more handling time."""
    total_capacity = sum(seat.capacity for seat in seats)
    if total_capacity == 0:
        return None
    free = sum(seat.free for seat in seats)
    rounds = 0 if waiting_ahead < free else (waiting_ahead - free) // total_capacity + 1
    return OFFER_LATENCY + handling * (rounds + 1)


OPENING_HORIZON_DAYS = 62
"""How far ahead an opening is looked for: past the longest closure a brand plausibly sets."""


def _closed_all_day(calendar: CoverageCalendar, day: date) -> bool:
    """The brand's team is away the whole local day: a closure, or a public holiday the network
    covers."""
    return (any(closure.contains(day) for closure in calendar.closures)
            or (calendar.covers_holidays and day in calendar.holidays))


def next_opening(calendar: CoverageCalendar, now: datetime) -> datetime | None:
    """The next start of the brand's business hours after `now`, in UTC-aware form, skipping
    days the brand is away (its closures, and the public holidays the network covers), or None
    when the queue has no business hours or none within OPENING_HORIZON_DAYS. Wall-clock opening
    times in a daylight-saving gap open at the first real instant after the gap."""
    zone = ZoneInfo(calendar.time_zone)
    local_now = now.astimezone(zone)
    if not calendar.business_hours:
        return None
    for days_ahead in range(OPENING_HORIZON_DAYS):
        day = (local_now + timedelta(days=days_ahead)).date()
        if _closed_all_day(calendar, day):
            continue
        best: datetime | None = None
        for span in calendar.business_hours:
            if span.weekday != day.weekday():
                continue
            opening = datetime.combine(day, span.opens, tzinfo=zone)
            real = opening.astimezone(ZoneInfo("UTC")).astimezone(zone)
            if real > local_now and (best is None or real < best):
                best = real
        if best is not None:
            return best
    return None


def promise_reply_time(snapshot: QueueSnapshot) -> Promise:
    """The promise for a new inquiry. While the brand's own team is open it promises the queue's
    target; when the network covers the queue it estimates from the experts checked in; with
    nobody on shift (or no network coverage now) it says so and names the brand's next opening."""
    now, target = snapshot.now, snapshot.target
    handling = handling_time(snapshot.recent_handling_times, snapshot.channel)
    basis: dict[str, object] = {
        "channel": snapshot.channel,
        "target_seconds": int(target.total_seconds()),
        "brand_open": snapshot.brand_open,
        "covered_by_network": snapshot.covered_by_network,
        "waiting_ahead": snapshot.waiting_ahead,
        "experts_on_shift": len(snapshot.seats),
        "experts_booked": snapshot.experts_booked,
        "free_capacity": sum(seat.free for seat in snapshot.seats),
        "handling_seconds": int(handling.total_seconds()),
        "handling_samples": len(snapshot.recent_handling_times),
    }
    if snapshot.brand_open:
        basis["estimate"] = "brand_team"
        return Promise(
            reply_by=now + target,
            text=f"Thanks for writing to {snapshot.brand_name}. Our team is working now and "
            f"aims to reply within {describe(target)}.",
            basis=basis,
        )
    wait = estimate_wait(waiting_ahead=snapshot.waiting_ahead, seats=snapshot.seats,
                         handling=handling) if snapshot.covered_by_network else None
    if wait is None:
        return _nobody_on_shift(snapshot, basis)
    promised = round_up(wait)
    free = sum(seat.free for seat in snapshot.seats)
    data_says_slower = bool(snapshot.recent_handling_times) or snapshot.waiting_ahead >= free
    if wait <= target or not data_says_slower:
        promised = min(promised, target)
    basis["estimate_seconds"] = int(wait.total_seconds())
    basis["estimate"] = "network"
    reply_by = now + promised
    local = reply_by.astimezone(ZoneInfo(snapshot.calendar.time_zone))
    return Promise(
        reply_by=reply_by,
        text=f"Thanks for writing to {snapshot.brand_name}. We expect to reply within "
        f"{describe(promised)} (by {local:%H:%M} {snapshot.calendar.time_zone} time).",
        basis=basis,
    )


def nobody_on_shift_reason(snapshot: QueueSnapshot) -> str:
    """Outside network cover; covered but no expert booked for the hour; or booked experts,
    none of them checked in (so none can take work)."""
    if not snapshot.covered_by_network:
        return NobodyOnShift.NOT_COVERED
    if snapshot.experts_booked == 0:
        return NobodyOnShift.NOBODY_BOOKED
    return NobodyOnShift.NOT_CHECKED_IN


def _nobody_on_shift(snapshot: QueueSnapshot, basis: dict[str, object]) -> Promise:
    opening = next_opening(snapshot.calendar, snapshot.now)
    basis["estimate"] = "next_opening"
    basis["nobody_on_shift"] = nobody_on_shift_reason(snapshot)
    intro = f"Thanks for writing to {snapshot.brand_name}. Nobody is on shift right now."
    if opening is None:
        basis["next_opening"] = None
        return Promise(reply_by=None, text=f"{intro} We will reply as soon as someone is back.",
                       basis=basis)
    reply_by = opening + snapshot.target
    basis["next_opening"] = opening.isoformat()
    return Promise(
        reply_by=reply_by.astimezone(ZoneInfo("UTC")),
        text=f"{intro} We open again on {opening:%A %d %B at %H:%M} "
        f"({snapshot.calendar.time_zone} time) and expect to reply by {reply_by:%H:%M}.",
        basis=basis,
    )

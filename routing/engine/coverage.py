"""When does the network cover a queue? Decided from the queue's calendar in its own time zone.

Every rule is evaluated on the local wall clock of the queue's IANA zone, so daylight-saving
changes, half-hour shifts (Lord Howe) and odd offsets (Kathmandu +05:45) need no special case.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

SATURDAY = 5
SUNDAY = 6
DAYS_IN_WEEK = 7
BACKLOG_REPORT_FRESH_FOR = timedelta(minutes=10)


class CoverageReason(StrEnum):
    """Why the network covers the queue (`covered` True), or why the brand keeps it."""

    ALWAYS_ON = "always_on"
    CLOSURE = "closure"
    HOLIDAY = "holiday"
    OVERFLOW = "overflow"
    AFTER_HOURS = "after_hours"
    WEEKEND = "weekend"
    BUSINESS_HOURS = "business_hours"
    WEEKEND_NOT_COVERED = "weekend_not_covered"
    AFTER_HOURS_NOT_COVERED = "after_hours_not_covered"
    CHANNEL_NOT_SERVED = "channel_not_served"
    LANGUAGE_NOT_SERVED = "language_not_served"


REASON_LABELS: dict[CoverageReason, str] = {
    CoverageReason.ALWAYS_ON: "Covered: always on",
    CoverageReason.CLOSURE: "Covered: brand closure",
    CoverageReason.HOLIDAY: "Covered: public holiday",
    CoverageReason.OVERFLOW: "Covered: overflow in business hours",
    CoverageReason.AFTER_HOURS: "Covered: after hours",
    CoverageReason.WEEKEND: "Covered: weekend",
    CoverageReason.BUSINESS_HOURS: "With the brand: business hours",
    CoverageReason.WEEKEND_NOT_COVERED: "With the brand: weekend not covered",
    CoverageReason.AFTER_HOURS_NOT_COVERED: "With the brand: after hours not covered",
    CoverageReason.CHANNEL_NOT_SERVED: "With the brand: the network does not serve this channel",
    CoverageReason.LANGUAGE_NOT_SERVED: "With the brand: the network does not answer in this "
    "language",
}


@dataclass(frozen=True, slots=True)
class WeeklySpan:
    """Opening hours on one weekday (0 = Monday). `closes <= opens` means the span runs past
    midnight into the next day; `opens == closes == 00:00` means the whole day."""

    weekday: int
    opens: time
    closes: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday < DAYS_IN_WEEK:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {self.weekday}")

    @property
    def crosses_midnight(self) -> bool:
        return self.closes <= self.opens

    def contains(self, weekday: int, wall_time: time) -> bool:
        """True when the local wall-clock moment (weekday, time) falls inside this span."""
        if not self.crosses_midnight:
            return weekday == self.weekday and self.opens <= wall_time < self.closes
        if weekday == self.weekday:
            return wall_time >= self.opens
        next_day = (self.weekday + 1) % DAYS_IN_WEEK
        return weekday == next_day and wall_time < self.closes


@dataclass(frozen=True, slots=True)
class Closure:
    """The brand is closed from `starts_on` to `ends_on`, both local dates and inclusive."""

    starts_on: date
    ends_on: date
    label: str = ""

    def __post_init__(self) -> None:
        if self.ends_on < self.starts_on:
            raise ValueError("a closure cannot end before it starts")

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True, slots=True)
class BacklogReport:
    """The brand's own queue as it last reported it: waiting count and oldest wait."""

    backlog: int
    oldest_wait: timedelta
    reported_at: datetime


@dataclass(frozen=True, slots=True)
class OverflowRule:
    """Cover during business hours when the brand's backlog reaches `backlog_at_least` or its
    oldest wait reaches `oldest_wait_at_least` (either threshold may be None: not used). A
    report older than `fresh_for` counts as no overflow, so a brand that stops reporting does
    not keep the network answering in its business hours."""

    backlog_at_least: int | None = None
    oldest_wait_at_least: timedelta | None = None
    fresh_for: timedelta = BACKLOG_REPORT_FRESH_FOR

    def is_overflowing(self, report: BacklogReport | None, now: datetime) -> bool:
        if report is None or now - report.reported_at > self.fresh_for:
            return False
        if report.reported_at > now + self.fresh_for:
            return False
        by_backlog = (self.backlog_at_least is not None
                      and report.backlog >= self.backlog_at_least)
        by_wait = (self.oldest_wait_at_least is not None
                   and report.oldest_wait >= self.oldest_wait_at_least)
        return by_backlog or by_wait


@dataclass(frozen=True, slots=True)
class CoverageCalendar:
    """`holidays` are local dates the caller computed for the queue's country; with
    `covers_holidays` they are whole covered days, without it they are ordinary days. Empty
    `channels` or `languages` mean every channel or language is served."""

    time_zone: str
    business_hours: tuple[WeeklySpan, ...]
    covers_after_hours: bool
    covers_weekends: bool
    holidays: frozenset[date] = field(default_factory=frozenset)
    covers_holidays: bool = False
    closures: tuple[Closure, ...] = ()
    always_on: bool = False
    overflow: OverflowRule | None = None
    backlog: BacklogReport | None = None
    channels: frozenset[str] = field(default_factory=frozenset)
    languages: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class CoverageDecision:
    covered: bool
    reason: CoverageReason
    local_time: datetime

    @property
    def label(self) -> str:
        return REASON_LABELS[self.reason]


def is_business_hours(calendar: CoverageCalendar, now: datetime) -> bool:
    local = now.astimezone(ZoneInfo(calendar.time_zone))
    wall_time = local.time().replace(tzinfo=None)
    return any(span.contains(local.weekday(), wall_time) for span in calendar.business_hours)


def decide_coverage(
    calendar: CoverageCalendar, now: datetime, *, channel: str | None = None,
    language: str | None = None,
) -> CoverageDecision:
    """In order: a channel or language the queue does not serve (when given) stays with the
    brand; always on; a brand closure; a covered public holiday (whole local day); business
    hours (covered only while the brand reports overflow); weekends; after hours. `now` must
    be timezone-aware."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    local = now.astimezone(ZoneInfo(calendar.time_zone))
    if channel is not None and calendar.channels and channel not in calendar.channels:
        return CoverageDecision(False, CoverageReason.CHANNEL_NOT_SERVED, local)
    if language is not None and calendar.languages and language not in calendar.languages:
        return CoverageDecision(False, CoverageReason.LANGUAGE_NOT_SERVED, local)
    if calendar.always_on:
        return CoverageDecision(True, CoverageReason.ALWAYS_ON, local)
    today = local.date()
    if any(closure.contains(today) for closure in calendar.closures):
        return CoverageDecision(True, CoverageReason.CLOSURE, local)
    if calendar.covers_holidays and today in calendar.holidays:
        return CoverageDecision(True, CoverageReason.HOLIDAY, local)
    if is_business_hours(calendar, now):
        if calendar.overflow is not None and calendar.overflow.is_overflowing(
            calendar.backlog, now
        ):
            return CoverageDecision(True, CoverageReason.OVERFLOW, local)
        return CoverageDecision(False, CoverageReason.BUSINESS_HOURS, local)
    if local.weekday() in (SATURDAY, SUNDAY):
        if calendar.covers_weekends:
            return CoverageDecision(True, CoverageReason.WEEKEND, local)
        return CoverageDecision(False, CoverageReason.WEEKEND_NOT_COVERED, local)
    if calendar.covers_after_hours:
        return CoverageDecision(True, CoverageReason.AFTER_HOURS, local)
    return CoverageDecision(False, CoverageReason.AFTER_HOURS_NOT_COVERED, local)


def brand_is_open(calendar: CoverageCalendar, now: datetime) -> bool:
    """True in the brand's own business hours when nothing (always-on, a closure, a holiday,
    overflow) hands the time to the network: work waiting for an expert goes back then."""
    return decide_coverage(calendar, now).reason == CoverageReason.BUSINESS_HOURS


@dataclass(frozen=True, slots=True)
class HourCell:
    """One local hour of the preview. `decision` is taken at the first wall-clock minute of
    the hour that exists; `skipped` marks an hour the clocks jump over entirely."""

    day: date
    hour: int
    decision: CoverageDecision | None
    skipped: bool
    note: str = ""


def _first_existing_instant(zone: ZoneInfo, day: date, hour: int) -> tuple[datetime, str] | None:
    """The first instant (UTC) whose local wall time is within `day hour:00-59`, or None when
    the whole hour is skipped by a clock change."""
    for minute in range(0, 60, 15):
        wall = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
        instant = wall.astimezone(ZoneInfo("UTC"))
        back = instant.astimezone(zone)
        if (back.date(), back.hour, back.minute) == (day, hour, minute):
            note = "" if minute == 0 else f"clocks change: starts at {hour:02d}:{minute:02d}"
            if wall.replace(fold=1).astimezone(ZoneInfo("UTC")) != instant:
                note = "clocks go back: this hour happens twice"
            return instant, note
    return None


def coverage_week(calendar: CoverageCalendar, week_start: date) -> tuple[tuple[HourCell, ...], ...]:
    """A 7 x 24 picture of the local week starting on `week_start`: one row per day, one cell
    per local hour, each decided by `decide_coverage` at that hour. Overflow is not shown
    (it depends on live backlog reports), so business hours read as with the brand."""
    zone = ZoneInfo(calendar.time_zone)
    without_live_state = CoverageCalendar(
        time_zone=calendar.time_zone, business_hours=calendar.business_hours,
        covers_after_hours=calendar.covers_after_hours, covers_weekends=calendar.covers_weekends,
        holidays=calendar.holidays, covers_holidays=calendar.covers_holidays,
        closures=calendar.closures, always_on=calendar.always_on,
    )
    rows: list[tuple[HourCell, ...]] = []
    for offset in range(DAYS_IN_WEEK):
        day = week_start + timedelta(days=offset)
        cells: list[HourCell] = []
        for hour in range(24):
            found = _first_existing_instant(zone, day, hour)
            if found is None:
                cells.append(HourCell(day, hour, None, True, "clocks jump over this hour"))
                continue
            instant, note = found
            cells.append(HourCell(day, hour, decide_coverage(without_live_state, instant),
                                  False, note))
        rows.append(tuple(cells))
    return tuple(rows)

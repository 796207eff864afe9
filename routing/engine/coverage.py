"""When does the network cover a queue? Decided from the queue's calendar in its own time zone."""

from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

SATURDAY = 5
SUNDAY = 6
DAYS_IN_WEEK = 7


class CoverageReason(StrEnum):
    AFTER_HOURS = "after_hours"
    WEEKEND = "weekend"
    BUSINESS_HOURS = "business_hours"
    WEEKEND_NOT_COVERED = "weekend_not_covered"
    AFTER_HOURS_NOT_COVERED = "after_hours_not_covered"


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
class CoverageCalendar:
    time_zone: str
    business_hours: tuple[WeeklySpan, ...]
    covers_after_hours: bool
    covers_weekends: bool


@dataclass(frozen=True, slots=True)
class CoverageDecision:
    covered: bool
    reason: CoverageReason
    local_time: datetime


def is_business_hours(calendar: CoverageCalendar, now: datetime) -> bool:
    local = now.astimezone(ZoneInfo(calendar.time_zone))
    wall_time = local.time().replace(tzinfo=None)
    return any(span.contains(local.weekday(), wall_time) for span in calendar.business_hours)


def decide_coverage(calendar: CoverageCalendar, now: datetime) -> CoverageDecision:
    """The network covers the queue outside the brand's business hours, and at weekends when the
    queue has weekend coverage. `now` must be timezone-aware."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    local = now.astimezone(ZoneInfo(calendar.time_zone))
    if is_business_hours(calendar, now):
        return CoverageDecision(False, CoverageReason.BUSINESS_HOURS, local)
    if local.weekday() in (SATURDAY, SUNDAY):
        if calendar.covers_weekends:
            return CoverageDecision(True, CoverageReason.WEEKEND, local)
        return CoverageDecision(False, CoverageReason.WEEKEND_NOT_COVERED, local)
    if calendar.covers_after_hours:
        return CoverageDecision(True, CoverageReason.AFTER_HOURS, local)
    return CoverageDecision(False, CoverageReason.AFTER_HOURS_NOT_COVERED, local)

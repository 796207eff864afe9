"""The payout week: from the start weekday's midnight to the instant before the next one, in the
payout zone (settings.PAYOUT_TIME_ZONE, PAYOUT_WEEK_START_WEEKDAY; by default Saturday 00:00 to
Friday 23:59:59). Wall-clock midnights are turned into UTC instants here and only here, so a week
across a daylight-saving change is 167 or 169 hours long."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings


@dataclass(frozen=True)
class PayoutWeek:
    start: date
    period_start: datetime
    period_end: datetime

    @property
    def last_day(self) -> date:
        return self.start + timedelta(days=6)

    @property
    def payout_day(self) -> date:
        """The Monday (or the configured day) after the cut-off when the money is sent."""
        return self.start + timedelta(days=7 + settings.PAYOUT_DAY_OFFSET_DAYS)


def payout_zone() -> ZoneInfo:
    return ZoneInfo(settings.PAYOUT_TIME_ZONE)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=zone).astimezone(UTC)


def payout_week_starting(start: date) -> PayoutWeek:
    zone = payout_zone()
    return PayoutWeek(start=start, period_start=_midnight(start, zone),
                      period_end=_midnight(start + timedelta(days=7), zone))


def payout_week_containing(instant: datetime) -> PayoutWeek:
    local_day = instant.astimezone(payout_zone()).date()
    days_since_start = (local_day.weekday() - settings.PAYOUT_WEEK_START_WEEKDAY) % 7
    return payout_week_starting(local_day - timedelta(days=days_since_start))


def payout_week_last_closed(now: datetime) -> PayoutWeek:
    """The latest week whose cut-off has passed at `now`."""
    current = payout_week_containing(now)
    return payout_week_starting(current.start - timedelta(days=7))

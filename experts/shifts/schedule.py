"""Wall-clock times in an IANA zone turned into UTC instants and back: the one place shift times
are converted. Plain Python (zoneinfo), no database, so every daylight-saving edge is tested
directly.

Local times that do not exist or exist twice are handled on purpose, so a weekly pattern never
fails on the one Sunday a year the clocks change:

- A time inside the spring-forward gap (01:30 in Dublin on the last Sunday of March) means the
  moment the clocks jump (02:00 IST): a shift never starts or ends at an instant the clock
  never showed, and never grows by the gap.
- A time that occurs twice (01:30 on the last Sunday of October) means its first occurrence for
  a start and its second for an end, so the shift covers every moment the clock shows between
  its start and end.
"""


from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def _offset(instant: datetime, zone: ZoneInfo) -> timedelta:
    offset = instant.astimezone(zone).utcoffset()
    assert offset is not None
    return offset


def _gap_end(wall: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant the clocks jump over `wall`, which lies in a spring-forward gap."""
    earliest = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    latest = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    after = _offset(latest, zone)
    while latest - earliest > timedelta(seconds=1):
        middle = earliest + (latest - earliest) / 2
        if _offset(middle, zone) == after:
            latest = middle
        else:
            earliest = middle
    return latest.replace(microsecond=0)


def local_to_utc(day: date, at: time, zone: ZoneInfo, *, is_end: bool = False) -> datetime:
    """The UTC instant of wall time `at` on `day` in `zone` (see the module docstring)."""
    wall = datetime.combine(day, at)
    first = wall.replace(tzinfo=zone, fold=0)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
        return _gap_end(wall, zone)
    second = wall.replace(tzinfo=zone, fold=1)
    chosen = second if is_end else first
    return chosen.astimezone(UTC)


def local_span(day: date, starts: time, ends: time, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """A shift from `starts` on `day` to `ends`, on the next day when `ends` is not after
    `starts` (a night shift), as UTC instants."""
    end_day = day if ends > starts else day + timedelta(days=1)
    return local_to_utc(day, starts, zone), local_to_utc(end_day, ends, zone, is_end=True)


def weekly_spans(
    *, date_from: date, date_to: date, weekdays: frozenset[int], starts: time, ends: time,
    zone: ZoneInfo,
) -> list[tuple[datetime, datetime]]:
    """Every span of a weekly pattern (weekday 0 = Monday) from `date_from` to `date_to`
    inclusive, each computed in `zone` on its own date, so a pattern keeps its wall-clock
    times across a daylight-saving change."""
    spans = []
    day = date_from
    while day <= date_to:
        if day.weekday() in weekdays:
            spans.append(local_span(day, starts, ends, zone))
        day += timedelta(days=1)
    return spans


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants of local midnight starting `day` and the next one (23, 24 or 25 h)."""
    return local_to_utc(day, time(0), zone), local_to_utc(day + timedelta(days=1), time(0), zone)


@dataclass(frozen=True)
class CalendarBlock:
    """One shift's part of one day in the calendar: positions in percent of the day."""

    key: int
    label: str
    status: str
    starts: datetime
    ends: datetime
    top: float
    height: float


@dataclass(frozen=True)
class CalendarDay:
    day: date
    blocks: tuple[CalendarBlock, ...]


@dataclass(frozen=True)
class CalendarItem:
    key: int
    label: str
    status: str
    starts_at: datetime
    ends_at: datetime


MIN_BLOCK_MINUTES = 90
"""A block is at least this tall, enough for its times and queue; one late in the day sits at
the bottom of the day instead of running below the grid (its times still say when it is)."""


def _minutes(instant: datetime, zone: ZoneInfo) -> int:
    local = instant.astimezone(zone)
    return local.hour * 60 + local.minute


def week_calendar(
    *, week_start: date, items: list[CalendarItem], zone: ZoneInfo
) -> list[CalendarDay]:
    """Seven days from `week_start` in `zone`; a shift across midnight shows on both days.
    Blocks sit by wall-clock time, so a shift at 18:00 sits at 18:00 on a 23- or 25-hour day."""
    days = []
    for offset in range(7):
        day = week_start + timedelta(days=offset)
        day_start, day_end = day_bounds(day, zone)
        blocks = []
        for item in items:
            if item.ends_at <= day_start or item.starts_at >= day_end:
                continue
            starts, ends = max(item.starts_at, day_start), min(item.ends_at, day_end)
            top = 0 if starts == day_start else _minutes(starts, zone)
            bottom = 24 * 60 if ends == day_end else _minutes(ends, zone)
            bottom = max(bottom, top + MIN_BLOCK_MINUTES)
            if bottom > 24 * 60:
                top, bottom = 24 * 60 - MIN_BLOCK_MINUTES, 24 * 60
            blocks.append(CalendarBlock(
                key=item.key, label=item.label, status=item.status,
                starts=starts.astimezone(zone), ends=ends.astimezone(zone),
                top=round(top / 14.4, 2), height=round((bottom - top) / 14.4, 2),
            ))
        days.append(CalendarDay(day=day, blocks=tuple(blocks)))
    return days


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())

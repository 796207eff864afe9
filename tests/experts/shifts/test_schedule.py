"""Wall-clock shift times across daylight-saving changes: patterns keep their local times, the
gap and the repeated hour are handled on purpose, the calendar places shifts by local time."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from experts.shifts import schedule

DUBLIN = ZoneInfo("Europe/Dublin")


@pytest.mark.parametrize(("zone", "day", "utc_start"), [
    ("Europe/Dublin", date(2026, 3, 27), datetime(2026, 3, 27, 18, tzinfo=UTC)),
    ("Europe/Dublin", date(2026, 3, 30), datetime(2026, 3, 30, 17, tzinfo=UTC)),
    ("Europe/Dublin", date(2026, 10, 23), datetime(2026, 10, 23, 17, tzinfo=UTC)),
    ("Europe/Dublin", date(2026, 10, 26), datetime(2026, 10, 26, 18, tzinfo=UTC)),
    ("America/New_York", date(2026, 3, 6), datetime(2026, 3, 6, 23, tzinfo=UTC)),
    ("America/New_York", date(2026, 3, 9), datetime(2026, 3, 9, 22, tzinfo=UTC)),
    ("Australia/Sydney", date(2026, 4, 3), datetime(2026, 4, 3, 7, tzinfo=UTC)),
    ("Australia/Sydney", date(2026, 4, 6), datetime(2026, 4, 6, 8, tzinfo=UTC)),
])
def test_a_weekly_pattern_keeps_its_wall_clock_time_across_dst(
    zone: str, day: date, utc_start: datetime
) -> None:
    spans = schedule.weekly_spans(
        date_from=day, date_to=day, weekdays=frozenset(range(7)), starts=time(18),
        ends=time(23), zone=ZoneInfo(zone),
    )

    assert spans == [(utc_start, utc_start + timedelta(hours=5))]


def test_mon_to_fri_pattern_over_the_spring_change_in_dublin() -> None:
    spans = schedule.weekly_spans(
        date_from=date(2026, 3, 26), date_to=date(2026, 4, 1), weekdays=frozenset(range(5)),
        starts=time(18), ends=time(23), zone=DUBLIN,
    )

    assert [start.isoformat() for start, _ in spans] == [
        "2026-03-26T18:00:00+00:00", "2026-03-27T18:00:00+00:00",
        "2026-03-30T17:00:00+00:00", "2026-03-31T17:00:00+00:00", "2026-04-01T17:00:00+00:00",
    ]


def test_a_start_inside_the_spring_gap_moves_to_the_moment_the_clocks_jump() -> None:
    start, end = schedule.local_span(date(2026, 3, 29), time(1, 30), time(5), DUBLIN)

    assert start == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert start.astimezone(DUBLIN).strftime("%H:%M %Z") == "02:00 IST"
    assert end - start == timedelta(hours=3)


def test_an_end_inside_the_spring_gap_moves_to_the_moment_the_clocks_jump() -> None:
    start, end = schedule.local_span(date(2026, 3, 28), time(22), time(1, 30), DUBLIN)

    assert end == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert end - start == timedelta(hours=3)


def test_a_repeated_hour_starts_at_its_first_and_ends_at_its_second_occurrence() -> None:
    start, end = schedule.local_span(date(2026, 10, 25), time(1, 30), time(1, 45), DUBLIN)

    assert start == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert end == datetime(2026, 10, 25, 1, 45, tzinfo=UTC)


@pytest.mark.parametrize(("night", "hours"), [
    (date(2026, 3, 28), 3), (date(2026, 3, 21), 4), (date(2026, 10, 24), 5),
])
def test_a_night_shift_lasts_the_real_hours_of_its_night(night: date, hours: int) -> None:
    start, end = schedule.local_span(night, time(23), time(3), DUBLIN)

    assert end - start == timedelta(hours=hours)


@pytest.mark.parametrize(("day", "hours"), [
    (date(2026, 3, 29), 23), (date(2026, 10, 25), 25), (date(2026, 6, 1), 24),
])
def test_a_local_day_lasts_23_24_or_25_hours(day: date, hours: int) -> None:
    start, end = schedule.day_bounds(day, DUBLIN)

    assert end - start == timedelta(hours=hours)


@pytest.mark.parametrize("week", [date(2026, 3, 23), date(2026, 10, 19), date(2026, 6, 1)])
def test_the_calendar_places_an_evening_shift_at_its_local_time_every_week(week: date) -> None:
    sunday = week + timedelta(days=6)
    start, end = schedule.local_span(sunday, time(18), time(21), DUBLIN)
    item = schedule.CalendarItem(key=1, label="Evening", status="booked", starts_at=start,
                                 ends_at=end)

    days = schedule.week_calendar(week_start=week, items=[item], zone=DUBLIN)

    assert [len(day.blocks) for day in days] == [0, 0, 0, 0, 0, 0, 1]
    block = days[6].blocks[0]
    assert (block.top, block.height) == (75.0, 12.5)
    assert (f"{block.starts:%H:%M}", f"{block.ends:%H:%M}") == ("18:00", "21:00")


def test_a_shift_across_midnight_shows_on_both_days() -> None:
    start, end = schedule.local_span(date(2026, 6, 1), time(22), time(2), DUBLIN)
    item = schedule.CalendarItem(key=1, label="Night", status="booked", starts_at=start,
                                 ends_at=end)

    days = schedule.week_calendar(week_start=date(2026, 6, 1), items=[item], zone=DUBLIN)

    assert [(block.top, block.height) for block in days[0].blocks] == [(91.67, 8.33)]
    assert [(block.top, block.height) for block in days[1].blocks] == [(0.0, 8.33)]


@pytest.mark.parametrize("starts", [time(23), time(23, 45)])
def test_a_shift_late_in_the_day_stays_inside_the_days_grid(starts: time) -> None:
    start, end = schedule.local_span(date(2026, 6, 1), starts, time(7), DUBLIN)
    item = schedule.CalendarItem(key=1, label="Night", status="booked", starts_at=start,
                                 ends_at=end)

    days = schedule.week_calendar(week_start=date(2026, 6, 1), items=[item], zone=DUBLIN)

    block = days[0].blocks[0]
    assert (block.top, block.height) == (93.75, 6.25)
    assert block.starts.time() == starts

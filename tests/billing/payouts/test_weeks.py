"""The payout week in its zone, across daylight-saving changes and with another start day."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from billing.weeks import (
    payout_week_containing,
    payout_week_last_closed,
    payout_week_starting,
)


@pytest.mark.parametrize(("instant", "start"), [
    (datetime(2026, 11, 21, 0, 0, tzinfo=UTC), date(2026, 11, 21)),  # Saturday 00:00 opens it
    (datetime(2026, 11, 27, 23, 59, 59, tzinfo=UTC), date(2026, 11, 21)),  # Friday 23:59:59
    (datetime(2026, 11, 28, 0, 0, tzinfo=UTC), date(2026, 11, 28)),  # the next one
    (datetime(2026, 11, 24, 10, 0, tzinfo=UTC), date(2026, 11, 21)),
])
def test_default_week_runs_saturday_to_friday(instant: datetime, start: date) -> None:
    assert payout_week_containing(instant).start == start


def test_cut_off_is_midnight_in_the_payout_zone_not_utc() -> None:
    # Dublin is UTC+1 in July: Friday 23:30 UTC is already Saturday 00:30 in Dublin.
    week = payout_week_containing(datetime(2026, 7, 3, 23, 30, tzinfo=UTC))

    assert week.start == date(2026, 7, 4)
    assert week.period_start == datetime(2026, 7, 3, 23, 0, tzinfo=UTC)


@pytest.mark.parametrize(("start", "hours"), [
    (date(2026, 3, 28), 167),  # clocks go forward on Sunday 29 March
    (date(2026, 10, 24), 169),  # and back on Sunday 25 October
    (date(2026, 11, 21), 168),
])
def test_week_across_daylight_saving_is_shorter_or_longer(start: date, hours: int) -> None:
    week = payout_week_starting(start)

    assert week.period_end - week.period_start == timedelta(hours=hours)


def test_zone_and_start_day_are_settings(settings: Any) -> None:
    settings.PAYOUT_TIME_ZONE = "America/New_York"
    settings.PAYOUT_WEEK_START_WEEKDAY = 0  # Monday

    week = payout_week_containing(datetime(2026, 11, 24, 3, 0, tzinfo=UTC))  # Mon 22:00 NY

    assert week.start == date(2026, 11, 23)
    assert week.period_start == datetime(2026, 11, 23, 5, 0, tzinfo=UTC)


def test_last_closed_week_and_payout_day() -> None:
    week = payout_week_last_closed(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))

    assert week.start == date(2026, 11, 21)
    assert week.last_day == date(2026, 11, 27)
    assert week.payout_day == date(2026, 11, 30)

"""The coverage calendar, without a database: DST changes, midnight spans, weekends."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from routing.engine import CoverageCalendar, WeeklySpan, decide_coverage
from routing.engine.coverage import CoverageReason

WEEKDAYS_NINE_TO_FIVE = tuple(WeeklySpan(day, time(9), time(17)) for day in range(5))


def calendar(zone: str, spans: tuple[WeeklySpan, ...] = WEEKDAYS_NINE_TO_FIVE,
             *, after_hours: bool = True, weekends: bool = True) -> CoverageCalendar:
    return CoverageCalendar(time_zone=zone, business_hours=spans,
                            covers_after_hours=after_hours, covers_weekends=weekends)


def local(zone: str, *args: int) -> datetime:
    year, month, day, hour, minute = args
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone)).astimezone(UTC)


@pytest.mark.parametrize(
    ("zone", "moment", "covered", "reason"),
    [
        # Dublin: clocks go back on 2026-10-25; 09:30 local is business hours on both sides.
        ("Europe/Dublin", (2026, 10, 23, 9, 30), False, CoverageReason.BUSINESS_HOURS),
        ("Europe/Dublin", (2026, 10, 26, 9, 30), False, CoverageReason.BUSINESS_HOURS),
        ("Europe/Dublin", (2026, 10, 26, 8, 59), True, CoverageReason.AFTER_HOURS),
        ("Europe/Dublin", (2026, 10, 25, 1, 30), True, CoverageReason.WEEKEND),
        # Sao Paulo has no DST since 2019: 17:00 local closes the day all year.
        ("America/Sao_Paulo", (2026, 11, 4, 16, 59), False, CoverageReason.BUSINESS_HOURS),
        ("America/Sao_Paulo", (2026, 11, 4, 17, 0), True, CoverageReason.AFTER_HOURS),
        # Lord Howe moves by half an hour (2026-04-05 and 2026-10-04).
        ("Australia/Lord_Howe", (2026, 10, 5, 9, 0), False, CoverageReason.BUSINESS_HOURS),
        ("Australia/Lord_Howe", (2026, 4, 6, 8, 45), True, CoverageReason.AFTER_HOURS),
        # Kathmandu is UTC+05:45.
        ("Asia/Kathmandu", (2026, 11, 24, 9, 0), False, CoverageReason.BUSINESS_HOURS),
        ("Asia/Kathmandu", (2026, 11, 24, 8, 59), True, CoverageReason.AFTER_HOURS),
    ],
)
def test_business_hours_follow_local_wall_clock(
    zone: str, moment: tuple[int, ...], covered: bool, reason: CoverageReason
) -> None:
    decision = decide_coverage(calendar(zone), local(zone, *moment))

    assert (decision.covered, decision.reason) == (covered, reason)


def test_same_utc_instant_changes_answer_across_dublin_dst_change() -> None:
    # 08:30 UTC is 09:30 in summer time (open) and 08:30 in winter time (closed).
    summer = datetime(2026, 10, 23, 8, 30, tzinfo=UTC)
    winter = datetime(2026, 10, 26, 8, 30, tzinfo=UTC)

    assert decide_coverage(calendar("Europe/Dublin"), summer).covered is False
    assert decide_coverage(calendar("Europe/Dublin"), winter).covered is True


@pytest.mark.parametrize(
    ("moment", "in_hours"),
    [
        ((2026, 11, 23, 21, 59), False),  # Monday before the night span opens
        ((2026, 11, 23, 22, 0), True),  # Monday 22:00 opens
        ((2026, 11, 24, 1, 59), True),  # Tuesday early morning, still Monday's span
        ((2026, 11, 24, 2, 0), False),  # closes at 02:00
        ((2026, 11, 25, 1, 0), False),  # Wednesday 01:00: Tuesday has no span
    ],
)
def test_span_across_midnight_belongs_to_the_day_it_opens(
    moment: tuple[int, ...], in_hours: bool
) -> None:
    night_shift = (WeeklySpan(0, time(22), time(2)),)

    decision = decide_coverage(calendar("Europe/Dublin", night_shift), local("Europe/Dublin",
                                                                              *moment))

    assert decision.covered is (not in_hours)


def test_whole_day_span_keeps_brand_in_charge_around_the_clock() -> None:
    always_open = tuple(WeeklySpan(day, time(0), time(0)) for day in range(7))
    start = datetime(2026, 11, 23, tzinfo=UTC)

    decisions = [decide_coverage(calendar("Asia/Kathmandu", always_open),
                                 start + timedelta(minutes=17 * step)) for step in range(600)]

    assert {decision.reason for decision in decisions} == {CoverageReason.BUSINESS_HOURS}


def test_weekend_without_weekend_coverage_stays_with_brand() -> None:
    saturday_noon = local("Europe/Dublin", 2026, 11, 28, 12, 0)

    decision = decide_coverage(calendar("Europe/Dublin", weekends=False), saturday_noon)

    assert (decision.covered, decision.reason) == (False, CoverageReason.WEEKEND_NOT_COVERED)


def test_after_hours_without_after_hours_coverage_stays_with_brand() -> None:
    tuesday_night = local("Europe/Dublin", 2026, 11, 24, 23, 0)

    decision = decide_coverage(calendar("Europe/Dublin", after_hours=False), tuesday_night)

    assert (decision.covered, decision.reason) == (False, CoverageReason.AFTER_HOURS_NOT_COVERED)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        decide_coverage(calendar("Europe/Dublin"), datetime(2026, 11, 24, 10, 0))  # noqa: DTZ001


def test_weekday_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="weekday"):
        WeeklySpan(7, time(9), time(17))

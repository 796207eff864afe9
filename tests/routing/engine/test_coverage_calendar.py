"""Holidays, closures, always-on, overflow and the week preview, without a database; the
daylight-saving edges other helpdesks got wrong (historical Sao Paulo DST, Dublin, Lord Howe's
half hour, Kathmandu's +05:45)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from routing.engine import (
    BacklogReport,
    Closure,
    CoverageCalendar,
    CoverageReason,
    OverflowRule,
    WeeklySpan,
    coverage_week,
    decide_coverage,
)
from routing.engine.coverage import brand_is_open
from routing.engine.policy import policy_for_queue

NINE_TO_FIVE = tuple(WeeklySpan(day, time(9), time(17)) for day in range(5))
ALL_DAY_EVERY_DAY = tuple(WeeklySpan(day, time(0), time(0)) for day in range(7))


def calendar(zone: str, spans: tuple[WeeklySpan, ...] = NINE_TO_FIVE, **extra: object
             ) -> CoverageCalendar:
    return CoverageCalendar(time_zone=zone, business_hours=spans, covers_after_hours=True,
                            covers_weekends=True, **extra)  # type: ignore[arg-type]


def local(zone: str, year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone)).astimezone(UTC)


@pytest.mark.parametrize(
    ("zone", "utc_before", "utc_after", "before", "after"),
    [
        # Sao Paulo (2018, DST from 4 Nov): 11:00 UTC is 08:00 on Thursday, 09:00 on Monday.
        ("America/Sao_Paulo", datetime(2018, 11, 1, 11, 0, tzinfo=UTC),
         datetime(2018, 11, 5, 11, 0, tzinfo=UTC),
         CoverageReason.AFTER_HOURS, CoverageReason.BUSINESS_HOURS),
        # Sao Paulo (2018, DST ended 18 Feb): 12:00 UTC is 10:00 before, 09:00 after.
        ("America/Sao_Paulo", datetime(2018, 2, 16, 19, 30, tzinfo=UTC),
         datetime(2018, 2, 19, 19, 30, tzinfo=UTC),
         CoverageReason.AFTER_HOURS, CoverageReason.BUSINESS_HOURS),
        # Dublin spring forward (29 Mar 2026): 08:30 UTC is 08:30 then 09:30.
        ("Europe/Dublin", datetime(2026, 3, 27, 8, 30, tzinfo=UTC),
         datetime(2026, 3, 30, 8, 30, tzinfo=UTC),
         CoverageReason.AFTER_HOURS, CoverageReason.BUSINESS_HOURS),
        # Lord Howe moves half an hour (4 Oct 2026): 22:15 UTC Sunday is 08:45 then 09:15 Monday.
        ("Australia/Lord_Howe", datetime(2026, 9, 27, 22, 15, tzinfo=UTC),
         datetime(2026, 10, 4, 22, 15, tzinfo=UTC),
         CoverageReason.AFTER_HOURS, CoverageReason.BUSINESS_HOURS),
    ],
)
def test_same_utc_time_of_day_changes_answer_across_a_clock_change(
    zone: str, utc_before: datetime, utc_after: datetime, before: CoverageReason,
    after: CoverageReason,
) -> None:
    assert decide_coverage(calendar(zone), utc_before).reason == before
    assert decide_coverage(calendar(zone), utc_after).reason == after


@pytest.mark.parametrize(
    ("utc", "reason"),
    [
        (datetime(2026, 11, 24, 3, 14, tzinfo=UTC), CoverageReason.AFTER_HOURS),  # 08:59
        (datetime(2026, 11, 24, 3, 15, tzinfo=UTC), CoverageReason.BUSINESS_HOURS),  # 09:00
        (datetime(2026, 11, 24, 11, 14, tzinfo=UTC), CoverageReason.BUSINESS_HOURS),  # 16:59
        (datetime(2026, 11, 24, 11, 15, tzinfo=UTC), CoverageReason.AFTER_HOURS),  # 17:00
    ],
)
def test_kathmandu_opens_at_quarter_past_three_utc(utc: datetime, reason: CoverageReason
                                                   ) -> None:
    assert decide_coverage(calendar("Asia/Kathmandu"), utc).reason == reason


@pytest.mark.parametrize(
    ("moment", "reason"),
    [
        # Saturday 22:00 to 02:00 on the night Sao Paulo skipped 00:00-01:00 (4 Nov 2018).
        ((2018, 11, 3, 23, 30), CoverageReason.BUSINESS_HOURS),
        ((2018, 11, 4, 1, 30), CoverageReason.BUSINESS_HOURS),
        ((2018, 11, 4, 2, 0), CoverageReason.WEEKEND),
    ],
)
def test_span_across_midnight_survives_the_skipped_hour(moment: tuple[int, ...],
                                                        reason: CoverageReason) -> None:
    saturday_night = (WeeklySpan(5, time(22), time(2)),)
    zone = "America/Sao_Paulo"

    decision = decide_coverage(calendar(zone, saturday_night), local(zone, *moment))

    assert decision.reason == reason


@pytest.mark.parametrize(
    ("covers_holidays", "covered", "reason"),
    [(True, True, CoverageReason.HOLIDAY), (False, False, CoverageReason.BUSINESS_HOURS)],
)
def test_public_holiday_is_a_covered_day_only_with_holiday_coverage(
    covers_holidays: bool, covered: bool, reason: CoverageReason
) -> None:
    irish = frozenset(holidays.country_holidays("IE", years=2026))
    st_patricks_morning = local("Europe/Dublin", 2026, 3, 17, 10)

    decision = decide_coverage(
        calendar("Europe/Dublin", holidays=irish, covers_holidays=covers_holidays),
        st_patricks_morning)

    assert (decision.covered, decision.reason) == (covered, reason)


@pytest.mark.parametrize(
    ("utc", "reason"),
    [
        # 00:45 on 25 Dec in Kathmandu, still 24 Dec in UTC: the local date decides.
        (datetime(2026, 12, 24, 19, 0, tzinfo=UTC), CoverageReason.HOLIDAY),
        # 00:15 on 26 Dec in Kathmandu, still 25 Dec in UTC: no longer the holiday.
        (datetime(2026, 12, 25, 18, 30, tzinfo=UTC), CoverageReason.WEEKEND),
        # 10:00 on Thursday 24 Dec: an ordinary working morning.
        (datetime(2026, 12, 24, 4, 15, tzinfo=UTC), CoverageReason.BUSINESS_HOURS),
    ],
)
def test_holiday_follows_the_local_date_not_utc(utc: datetime, reason: CoverageReason) -> None:
    christmas = frozenset({date(2026, 12, 25)})

    decision = decide_coverage(
        calendar("Asia/Kathmandu", holidays=christmas, covers_holidays=True), utc)

    assert decision.reason == reason


@pytest.mark.parametrize(
    ("moment", "reason"),
    [
        ((2026, 12, 23, 23, 59), CoverageReason.AFTER_HOURS),
        ((2026, 12, 24, 0, 0), CoverageReason.CLOSURE),
        ((2026, 12, 28, 10, 0), CoverageReason.CLOSURE),  # Monday working hours, last day
        ((2026, 12, 29, 10, 0), CoverageReason.BUSINESS_HOURS),
    ],
)
def test_closure_covers_its_local_dates_inclusively(moment: tuple[int, ...],
                                                    reason: CoverageReason) -> None:
    break_ = (Closure(date(2026, 12, 24), date(2026, 12, 28), "Christmas break"),)

    decision = decide_coverage(calendar("Europe/Dublin", closures=break_),
                               local("Europe/Dublin", *moment))

    assert decision.reason == reason


def test_always_on_covers_every_hour_even_inside_24_7_business_hours() -> None:
    always = calendar("Australia/Lord_Howe", ALL_DAY_EVERY_DAY, always_on=True)
    start = datetime(2026, 3, 30, tzinfo=UTC)

    decisions = {decide_coverage(always, start + timedelta(minutes=37 * step))
                 .reason for step in range(2000)}

    assert decisions == {CoverageReason.ALWAYS_ON}


def test_24_7_business_hours_never_hand_work_to_the_network() -> None:
    open_all_week = calendar("America/Sao_Paulo", ALL_DAY_EVERY_DAY)
    start = datetime(2018, 11, 1, tzinfo=UTC)

    covered = [decide_coverage(open_all_week, start + timedelta(minutes=23 * step)).covered
               for step in range(1000)]

    assert not any(covered)


TUESDAY_TEN = local("Europe/Dublin", 2026, 11, 24, 10)


@pytest.mark.parametrize(
    ("report", "reason"),
    [
        (None, CoverageReason.BUSINESS_HOURS),
        (BacklogReport(25, timedelta(minutes=1), TUESDAY_TEN - timedelta(minutes=2)),
         CoverageReason.OVERFLOW),
        (BacklogReport(25, timedelta(minutes=1), TUESDAY_TEN - timedelta(minutes=10)),
         CoverageReason.OVERFLOW),
        (BacklogReport(25, timedelta(minutes=1), TUESDAY_TEN - timedelta(minutes=10, seconds=1)),
         CoverageReason.BUSINESS_HOURS),  # stale: counts as no overflow
        (BacklogReport(19, timedelta(minutes=1), TUESDAY_TEN), CoverageReason.BUSINESS_HOURS),
        (BacklogReport(3, timedelta(minutes=30), TUESDAY_TEN), CoverageReason.OVERFLOW),
    ],
)
def test_overflow_needs_a_fresh_report_past_a_threshold(report: BacklogReport | None,
                                                       reason: CoverageReason) -> None:
    rule = OverflowRule(backlog_at_least=20, oldest_wait_at_least=timedelta(minutes=30))

    decision = decide_coverage(calendar("Europe/Dublin", overflow=rule, backlog=report),
                               TUESDAY_TEN)

    assert decision.reason == reason
    assert brand_is_open(calendar("Europe/Dublin", overflow=rule, backlog=report),
                         TUESDAY_TEN) is (reason == CoverageReason.BUSINESS_HOURS)


def test_overflow_rule_does_nothing_outside_business_hours() -> None:
    rule = OverflowRule(backlog_at_least=1)
    night = local("Europe/Dublin", 2026, 11, 24, 23)
    report = BacklogReport(50, timedelta(hours=1), night)

    decision = decide_coverage(calendar("Europe/Dublin", overflow=rule, backlog=report), night)

    assert decision.reason == CoverageReason.AFTER_HOURS


@pytest.mark.parametrize(
    ("zone", "week_start", "day", "hour", "skipped", "note"),
    [
        # Sao Paulo skipped midnight to 01:00 on 4 Nov 2018.
        ("America/Sao_Paulo", date(2018, 10, 29), date(2018, 11, 4), 0, True,
         "clocks jump over this hour"),
        # Dublin skipped 01:00 to 02:00 on 29 Mar 2026.
        ("Europe/Dublin", date(2026, 3, 23), date(2026, 3, 29), 1, True,
         "clocks jump over this hour"),
        # Lord Howe skips 02:00 to 02:30 on 4 Oct 2026: the hour exists from 02:30.
        ("Australia/Lord_Howe", date(2026, 9, 28), date(2026, 10, 4), 2, False,
         "clocks change: starts at 02:30"),
        ("Asia/Kathmandu", date(2026, 11, 23), date(2026, 11, 29), 2, False, ""),
        # Dublin repeats 01:00 to 02:00 on 25 Oct 2026; Lord Howe 01:30 to 02:00 on 5 Apr.
        ("Europe/Dublin", date(2026, 10, 19), date(2026, 10, 25), 1, False,
         "clocks go back: this hour happens twice"),
        ("Australia/Lord_Howe", date(2026, 3, 30), date(2026, 4, 5), 1, False, ""),
    ],
)
def test_week_preview_marks_hours_the_clocks_skip(
    zone: str, week_start: date, day: date, hour: int, skipped: bool, note: str
) -> None:
    week = coverage_week(calendar(zone), week_start)
    cell = week[(day - week_start).days][hour]

    assert (len(week), {len(row) for row in week}) == (7, {24})
    assert (cell.day, cell.hour, cell.skipped, cell.note) == (day, hour, skipped, note)


def test_week_preview_shows_why_each_hour_is_covered() -> None:
    irish = frozenset(holidays.country_holidays("IE", years=2026))
    queue = calendar("Europe/Dublin", holidays=irish, covers_holidays=True,
                     closures=(Closure(date(2026, 3, 19), date(2026, 3, 19), "Offsite"),))

    week = coverage_week(queue, date(2026, 3, 16))

    monday, tuesday, thursday, saturday = week[0], week[1], week[3], week[5]
    assert [cell.decision.reason for cell in monday[8:10] if cell.decision] == [
        CoverageReason.AFTER_HOURS, CoverageReason.BUSINESS_HOURS]
    assert {cell.decision.reason for cell in tuesday if cell.decision} == {
        CoverageReason.HOLIDAY}  # St Patrick's Day
    assert {cell.decision.reason for cell in thursday if cell.decision} == {
        CoverageReason.CLOSURE}
    assert {cell.decision.reason for cell in saturday if cell.decision} == {
        CoverageReason.WEEKEND}
    assert monday[9].decision is not None
    assert monday[9].decision.label == "With the brand: business hours"


def test_week_preview_ignores_live_overflow_state() -> None:
    rule = OverflowRule(backlog_at_least=1)
    monday_ten = local("Europe/Dublin", 2026, 11, 23, 10)
    queue = calendar("Europe/Dublin", overflow=rule,
                     backlog=BacklogReport(99, timedelta(hours=1), monday_ten))

    cell = coverage_week(queue, date(2026, 11, 23))[0][10]

    assert cell.decision is not None
    assert cell.decision.reason == CoverageReason.BUSINESS_HOURS


def test_closure_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot end before it starts"):
        Closure(date(2026, 12, 28), date(2026, 12, 24), "backwards")


@pytest.mark.parametrize(
    ("channel", "offer_seconds", "reply_timeout"),
    [("chat", 45, timedelta(minutes=5)), ("email", 300, None), ("social", 90, None)],
)
def test_policy_for_queue_takes_the_queue_timeouts(channel: str, offer_seconds: int,
                                                   reply_timeout: timedelta | None) -> None:
    policy = policy_for_queue(channel, offer_timeout=timedelta(seconds=offer_seconds),
                              first_reply_timeout=timedelta(minutes=5))

    assert (policy.offer_timeout, policy.first_reply_timeout) == (
        timedelta(seconds=offer_seconds), reply_timeout)


@pytest.mark.parametrize(
    ("channel", "language", "reason"),
    [
        ("email", "en", CoverageReason.ALWAYS_ON),
        ("social", "en", CoverageReason.CHANNEL_NOT_SERVED),
        ("chat", "pt", CoverageReason.LANGUAGE_NOT_SERVED),
        (None, None, CoverageReason.ALWAYS_ON),
    ],
)
def test_channels_and_languages_the_queue_does_not_serve_stay_with_the_brand(
    channel: str | None, language: str | None, reason: CoverageReason
) -> None:
    queue = calendar("Europe/Dublin", always_on=True, channels=frozenset({"email", "chat"}),
                     languages=frozenset({"en", "de"}))

    decision = decide_coverage(queue, TUESDAY_TEN, channel=channel, language=language)

    assert (decision.covered, decision.reason) == (reason == CoverageReason.ALWAYS_ON, reason)


def test_empty_channels_and_languages_serve_everything() -> None:
    decision = decide_coverage(calendar("Europe/Dublin", always_on=True), TUESDAY_TEN,
                               channel="social", language="pt")

    assert decision.reason == CoverageReason.ALWAYS_ON

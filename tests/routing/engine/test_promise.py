"""The promise engine, pure: no database."""

import itertools
from datetime import UTC, date, datetime, time, timedelta

import pytest

from routing.engine import Closure, CoverageCalendar, WeeklySpan
from routing.engine.promise import (
    DEFAULT_HANDLING_TIME,
    OFFER_LATENCY,
    QueueSnapshot,
    SeatCapacity,
    estimate_wait,
    handling_time,
    next_opening,
    promise_reply_time,
    round_up,
)

# A Sunday, 15:00 UTC (15:00 in Dublin).
SUNDAY = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)
WEEKDAYS_NINE_TO_FIVE = tuple(WeeklySpan(day, time(9), time(17)) for day in range(5))


def calendar(time_zone: str = "Europe/Dublin",
             spans: tuple[WeeklySpan, ...] = WEEKDAYS_NINE_TO_FIVE) -> CoverageCalendar:
    return CoverageCalendar(time_zone=time_zone, business_hours=spans, covers_after_hours=True,
                            covers_weekends=True)


def snapshot(**overrides: object) -> QueueSnapshot:
    fields: dict[str, object] = {
        "now": SUNDAY, "channel": "email", "target": timedelta(minutes=15),
        "brand_open": False, "covered_by_network": True, "waiting_ahead": 0,
        "seats": (SeatCapacity(load=0, capacity=5),),
        "recent_handling_times": (timedelta(minutes=4),), "calendar": calendar(),
        "brand_name": "Northwind",
    }
    fields.update(overrides)
    return QueueSnapshot(**fields)  # type: ignore[arg-type]


def test_free_expert_and_fast_history_promise_the_rounded_estimate() -> None:
    promise = promise_reply_time(snapshot())

    assert promise.reply_by == SUNDAY + timedelta(minutes=5)
    assert promise.basis["estimate_seconds"] == 260
    assert promise.text == ("Thanks for writing to Northwind. We expect to reply within "
                            "5 minutes (by 15:05 Europe/Dublin time).")


def test_estimate_just_under_target_is_not_rounded_above_the_target() -> None:
    history = (timedelta(minutes=14, seconds=30),)

    promise = promise_reply_time(snapshot(recent_handling_times=history))

    assert promise.basis["estimate_seconds"] == 14 * 60 + 50
    assert promise.reply_by == SUNDAY + timedelta(minutes=15)


def test_slow_history_promises_above_the_target_because_the_data_says_so() -> None:
    history = (timedelta(minutes=20), timedelta(minutes=30), timedelta(minutes=25))

    promise = promise_reply_time(snapshot(recent_handling_times=history))

    assert promise.reply_by == SUNDAY + timedelta(minutes=26)


def test_work_waiting_beyond_free_capacity_adds_rounds_of_handling() -> None:
    seats = (SeatCapacity(load=5, capacity=5), SeatCapacity(load=4, capacity=5))

    wait = estimate_wait(waiting_ahead=11, seats=seats, handling=timedelta(minutes=4))

    assert wait == OFFER_LATENCY + timedelta(minutes=4) * 3


def test_waiting_work_that_fits_in_free_capacity_costs_one_handling_time() -> None:
    seats = (SeatCapacity(load=1, capacity=5),)

    assert estimate_wait(waiting_ahead=3, seats=seats, handling=timedelta(minutes=4)) == \
        OFFER_LATENCY + timedelta(minutes=4)


def test_more_waiting_work_never_gives_an_earlier_promise() -> None:
    seats = (SeatCapacity(load=2, capacity=5), SeatCapacity(load=0, capacity=3))

    waits = [estimate_wait(waiting_ahead=ahead, seats=seats, handling=timedelta(minutes=3))
             for ahead in range(40)]

    assert all(earlier is not None and later is not None and earlier <= later
               for earlier, later in itertools.pairwise(waits))


def test_no_history_uses_the_channel_default() -> None:
    assert handling_time((), "chat") == DEFAULT_HANDLING_TIME["chat"]
    assert handling_time((timedelta(seconds=10), timedelta(seconds=30), timedelta(seconds=90)),
                         "chat") == timedelta(seconds=30)


@pytest.mark.parametrize(("duration", "rounded"), [
    (timedelta(seconds=41), timedelta(seconds=50)),
    (timedelta(minutes=4, seconds=1), timedelta(minutes=5)),
    (timedelta(hours=1, minutes=1), timedelta(hours=1, minutes=5)),
    (timedelta(minutes=3), timedelta(minutes=3)),
])
def test_rounding_only_ever_goes_up(duration: timedelta, rounded: timedelta) -> None:
    assert round_up(duration) == rounded


def test_nobody_on_shift_says_so_and_names_the_next_opening() -> None:
    promise = promise_reply_time(snapshot(seats=()))

    assert promise.reply_by == datetime(2026, 11, 23, 9, 15, tzinfo=UTC)
    assert promise.basis["next_opening"] == "2026-11-23T09:00:00+00:00"
    assert promise.text == (
        "Thanks for writing to Northwind. Nobody is on shift right now. We open again on "
        "Monday 23 November at 09:00 (Europe/Dublin time) and expect to reply by 09:15.")


def test_nobody_on_shift_without_business_hours_promises_no_time() -> None:
    promise = promise_reply_time(snapshot(seats=(), calendar=calendar(spans=())))

    assert promise.reply_by is None
    assert "Nobody is on shift right now" in promise.text


def test_inside_business_hours_the_brand_team_promises_the_target() -> None:
    promise = promise_reply_time(snapshot(brand_open=True, covered_by_network=False, seats=()))

    assert promise.reply_by == SUNDAY + timedelta(minutes=15)
    assert promise.basis["estimate"] == "brand_team"


def test_closed_brand_without_network_coverage_names_the_next_opening() -> None:
    promise = promise_reply_time(snapshot(covered_by_network=False))

    assert promise.reply_by == datetime(2026, 11, 23, 9, 15, tzinfo=UTC)
    assert promise.basis["estimate"] == "next_opening"


@pytest.mark.parametrize(("time_zone", "now", "opening"), [
    # New York opens 09:00 EST on Monday = 14:00 UTC.
    ("America/New_York", datetime(2026, 11, 22, 15, 0, tzinfo=UTC),
     datetime(2026, 11, 23, 14, 0, tzinfo=UTC)),
    # Friday evening in Kathmandu (+05:45): next opening Monday 09:00 = 03:15 UTC.
    ("Asia/Kathmandu", datetime(2026, 11, 20, 14, 0, tzinfo=UTC),
     datetime(2026, 11, 23, 3, 15, tzinfo=UTC)),
    # Saturday before Dublin's clocks go back (25 Oct 2026): Monday 09:00 GMT.
    ("Europe/Dublin", datetime(2026, 10, 24, 12, 0, tzinfo=UTC),
     datetime(2026, 10, 26, 9, 0, tzinfo=UTC)),
    # Earlier the same weekday: today's opening.
    ("Europe/Dublin", datetime(2026, 11, 24, 7, 0, tzinfo=UTC),
     datetime(2026, 11, 24, 9, 0, tzinfo=UTC)),
])
def test_next_opening_in_the_queue_time_zone(time_zone: str, now: datetime,
                                             opening: datetime) -> None:
    assert next_opening(calendar(time_zone), now) == opening


def test_the_next_opening_skips_a_public_holiday_the_network_covers() -> None:
    # Monday 23 November is a (made-up) holiday: the brand is away, it opens Tuesday.
    holiday = CoverageCalendar(time_zone="Europe/Dublin", business_hours=WEEKDAYS_NINE_TO_FIVE,
                               covers_after_hours=True, covers_weekends=True,
                               holidays=frozenset({date(2026, 11, 23)}), covers_holidays=True)

    assert next_opening(holiday, SUNDAY) == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_a_holiday_the_network_does_not_cover_is_an_ordinary_day() -> None:
    ordinary = CoverageCalendar(time_zone="Europe/Dublin", business_hours=WEEKDAYS_NINE_TO_FIVE,
                                covers_after_hours=True, covers_weekends=True,
                                holidays=frozenset({date(2026, 11, 23)}), covers_holidays=False)

    assert next_opening(ordinary, SUNDAY) == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_the_next_opening_skips_a_closure_longer_than_a_week() -> None:
    closed = CoverageCalendar(
        time_zone="Europe/Dublin", business_hours=WEEKDAYS_NINE_TO_FIVE,
        covers_after_hours=True, covers_weekends=True,
        closures=(Closure(date(2026, 11, 23), date(2026, 12, 4), "Stocktake"),))

    assert next_opening(closed, SUNDAY) == datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def test_the_promise_names_the_day_after_the_holiday() -> None:
    holiday = CoverageCalendar(time_zone="Europe/Dublin", business_hours=WEEKDAYS_NINE_TO_FIVE,
                               covers_after_hours=True, covers_weekends=True,
                               holidays=frozenset({date(2026, 11, 23)}), covers_holidays=True)

    promise = promise_reply_time(snapshot(seats=(), calendar=holiday))

    assert "Tuesday 24 November at 09:00" in promise.text


def test_opening_inside_a_daylight_saving_gap_is_the_first_real_instant() -> None:
    # Lord Howe springs forward from 02:00 to 02:30 on Sunday 4 October 2026.
    spans = (WeeklySpan(6, time(2, 15), time(10)),)
    now = datetime(2026, 10, 3, 0, 0, tzinfo=UTC)

    opening = next_opening(calendar("Australia/Lord_Howe", spans), now)

    assert opening is not None
    assert opening.astimezone(UTC) == datetime(2026, 10, 3, 15, 45, tzinfo=UTC)


def test_without_history_the_default_alone_never_promises_beyond_the_target() -> None:
    chat = snapshot(channel="chat", target=timedelta(seconds=30), recent_handling_times=())

    promise = promise_reply_time(chat)

    assert promise.basis["estimate_seconds"] == 140
    assert promise.reply_by == SUNDAY + timedelta(seconds=30)


def test_without_history_work_beyond_free_capacity_may_exceed_the_target() -> None:
    busy = snapshot(channel="chat", target=timedelta(seconds=30), recent_handling_times=(),
                    waiting_ahead=5, seats=(SeatCapacity(load=3, capacity=3),))

    promise = promise_reply_time(busy)

    assert promise.reply_by == SUNDAY + timedelta(minutes=7)


@pytest.mark.parametrize(("covered", "booked", "reason"), [
    (True, 0, "nobody_booked"),
    (True, 2, "booked_not_checked_in"),
    (False, 2, "not_covered"),
])
def test_the_basis_says_why_nobody_was_on_shift(covered: bool, booked: int,
                                                reason: str) -> None:
    promise = promise_reply_time(snapshot(seats=(), covered_by_network=covered,
                                          experts_booked=booked))

    assert (promise.basis["nobody_on_shift"], promise.basis["experts_booked"]) == (reason, booked)
    assert "Nobody is on shift right now" in promise.text


def test_a_promise_with_experts_checked_in_has_no_nobody_reason() -> None:
    promise = promise_reply_time(snapshot(experts_booked=1))

    assert "nobody_on_shift" not in promise.basis

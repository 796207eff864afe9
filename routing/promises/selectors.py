"""The honest promise: what the queue looks like when an inquiry arrives (waiting work, free
seats, recent handling times and coverage), handed to the pure engine
(routing/engine/promise.py)."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.apps import apps
from django.db import connection
from django.db.models import Model

from marketplace.infra.rows import column
from marketplace.inquiries.models import Inquiry, InquiryStatus
from marketplace.queues.models import BusinessHoursSpan, OverflowQueue
from marketplace.queues.selectors import queue_coverage_calendar
from routing.engine import WeeklySpan
from routing.engine.coverage import CoverageReason, decide_coverage
from routing.engine.promise import Promise, QueueSnapshot, SeatCapacity, promise_reply_time
from routing.models import (
    Assignment,
    AssignmentStatus,
    ExpertSeat,
)
from routing.offers.selectors import UNASSIGNED
from routing.seats.selectors import LIVE_BOOKING_STATUSES
from routing.seats.services import CAPACITY_FIELDS, LOAD_FIELDS


def queue_snapshot(*, queue: OverflowQueue, channel: str, language: str,
                   now: datetime) -> QueueSnapshot:
    target = queue.first_response_target(channel)
    inputs = promise_inputs(queue_id=queue.pk, channel=channel,
                                              language=language, now=now, due_at=now + target)
    calendar = queue_coverage_calendar(queue=queue, now=now,
                                       business_hours=inputs.business_hours)
    coverage = decide_coverage(calendar, now)
    return QueueSnapshot(
        now=now, channel=channel, target=target,
        brand_open=coverage.reason == CoverageReason.BUSINESS_HOURS,
        covered_by_network=coverage.covered,
        waiting_ahead=inputs.waiting_ahead,
        seats=tuple(SeatCapacity(load=load, capacity=capacity) for load, capacity in inputs.seats),
        recent_handling_times=inputs.handling_times,
        calendar=calendar,
        brand_name=queue.brand.name,
        experts_booked=inputs.experts_booked,
    )


def promise_for_new_inquiry(*, queue: OverflowQueue, channel: str, language: str,
                            now: datetime) -> Promise:
    return promise_reply_time(queue_snapshot(queue=queue, channel=channel, language=language,
                                             now=now))


HANDLING_SAMPLE_SIZE = 50


@dataclass(frozen=True)
class PromiseInputs:
    waiting_ahead: int
    """Unassigned inquiries of the channel that routing serves first (earliest deadline
    first)."""
    seats: tuple[tuple[int, int], ...]
    """(load, capacity) on the channel of every expert checked in on the queue now who speaks
    the language: the people a promise may count on."""
    handling_times: tuple[timedelta, ...]
    """Acceptance to first reply over the queue's latest resolved assignments on the
    channel."""
    business_hours: tuple[WeeklySpan, ...]
    """The queue's weekly opening hours, in order."""
    experts_booked: int = 0
    """Experts booked on a shift of the queue running now, checked in or not (experts.shifts,
    read by table name as routing/seats does: it sits above routing in the layers)."""


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def promise_inputs(*, queue_id: int, channel: str, language: str, now: datetime,
                   due_at: datetime) -> PromiseInputs:
    """What the queue looks like to a new inquiry due at `due_at`, with its business hours and
    the experts booked now, in one statement of five aggregates (counts and arrays, where the
    ORM would take five round trips): it runs on the intake path of every inquiry."""
    load, capacity = LOAD_FIELDS[channel], CAPACITY_FIELDS[channel]
    booking = apps.get_model("experts", "ShiftBooking")
    slot = apps.get_model("experts", "ShiftSlot")
    sql = f"""
        SELECT
          (SELECT count(*) FROM {_table(Inquiry)} i
            WHERE i.queue_id = %(queue)s AND i.channel = %(channel)s
              AND i.first_response_due_at <= %(due_at)s AND i.status = ANY(%(waiting)s)),
          ARRAY(SELECT ARRAY[s.{load}, s.{capacity}] FROM {_table(ExpertSeat)} s
            WHERE s.queue_id = %(queue)s AND s.available AND s.shift_ends_at > %(now)s
              AND %(language)s = ANY(s.languages)),
          ARRAY(SELECT GREATEST(interval '0', i.first_replied_at - a.created_at)
            FROM {_table(Assignment)} a JOIN {_table(Inquiry)} i ON i.id = a.inquiry_id
            WHERE a.status = %(resolved)s AND i.queue_id = %(queue)s
              AND i.channel = %(channel)s AND i.first_replied_at IS NOT NULL
            ORDER BY a.ended_at DESC LIMIT %(sample)s),
          ARRAY(SELECT ARRAY[h.weekday::text, h.opens_at::text, h.closes_at::text]
            FROM {_table(BusinessHoursSpan)} h WHERE h.queue_id = %(queue)s
            ORDER BY h.weekday, h.opens_at),
          (SELECT count(DISTINCT b.{column(booking, "expert")}) FROM {_table(booking)} b
            JOIN {_table(slot)} sl ON sl.{column(slot, "id")} = b.{column(booking, "slot")}
            WHERE sl.{column(slot, "queue")} = %(queue)s
              AND b.{column(booking, "status")} = ANY(%(live)s)
              AND b.{column(booking, "starts_at")} <= %(now)s
              AND b.{column(booking, "ends_at")} > %(now)s)
    """  # noqa: S608 (model identifiers; values bound)
    with connection.cursor() as cursor:
        cursor.execute(sql, {
            "queue": queue_id, "channel": channel, "due_at": due_at, "now": now,
            "language": language, "resolved": AssignmentStatus.RESOLVED.value,
            "waiting": [InquiryStatus.RECEIVED.value, *(status.value for status in UNASSIGNED)],
            "sample": HANDLING_SAMPLE_SIZE, "live": list(LIVE_BOOKING_STATUSES),
        })
        waiting_ahead, seats, handling_times, spans, booked = cursor.fetchone()
    return PromiseInputs(
        waiting_ahead=waiting_ahead,
        seats=tuple((seat_load, seat_capacity) for seat_load, seat_capacity in seats),
        handling_times=tuple(handling_times),
        business_hours=tuple(
            WeeklySpan(weekday=int(weekday), opens=time.fromisoformat(opens),
                       closes=time.fromisoformat(closes))
            for weekday, opens, closes in spans),
        experts_booked=booked,
    )

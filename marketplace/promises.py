"""The honest promise: what the queue looks like when an inquiry arrives, handed to the pure
engine (routing/engine/promise.py), and whether the promise was kept."""

from datetime import datetime

from marketplace.models import Inquiry, OverflowQueue
from marketplace.selectors import queue_coverage_calendar
from routing import selectors as routing_selectors
from routing.engine.coverage import CoverageReason, decide_coverage
from routing.engine.promise import Promise, QueueSnapshot, SeatCapacity, promise_reply_time


def queue_snapshot(*, queue: OverflowQueue, channel: str, language: str,
                   now: datetime) -> QueueSnapshot:
    target = queue.first_response_target(channel)
    inputs = routing_selectors.promise_inputs(queue_id=queue.pk, channel=channel,
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
    )


def promise_for_new_inquiry(*, queue: OverflowQueue, channel: str, language: str,
                            now: datetime) -> Promise:
    return promise_reply_time(queue_snapshot(queue=queue, channel=channel, language=language,
                                             now=now))


def promise_kept_at(inquiry: Inquiry, replied_at: datetime) -> bool | None:
    if inquiry.promised_reply_by is None:
        return None
    return replied_at <= inquiry.promised_reply_by

"""Benchmark a: one routing decision with 10, 1,000 and 10,000 experts on shift and 100,000
open inquiries, against a naive scan of every expert on shift.

Each measured decision routes one fresh inquiry through `routing.offers.services.inquiry_route` (the
code the Celery task runs) inside a transaction that is rolled back, so every iteration sees
the same state. Reported: median and p90 milliseconds, the ratio of the 10,000 to the 10 case,
and the reading statements (SELECT or WITH … SELECT) per decision; beside it the same service
reading every expert on shift and letting the engine rank them all (the naive scan)."""

import statistics
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from experts.certification.models import Certification
from experts.profiles.models import ExpertProfile, ExpertStatus
from experts.shifts.models import BookingStatus, ShiftBooking, ShiftSlot
from marketplace.inquiries.models import Customer, Inquiry, InquiryStatus
from marketplace.intake.services import InquiryIntake, inquiry_create
from marketplace.onboarding.models import Brand
from marketplace.queues.models import OverflowQueue
from routing.engine import Candidate
from routing.models import ExpertSeat
from routing.offers import services as offers_services
from routing.seats import selectors as seats_selectors
from routing.seats.services import CAPACITY_FIELDS, LOAD_FIELDS

POOL_SIZES = (10, 1_000, 10_000)
OPEN_INQUIRIES = 100_000
NOW = datetime(2026, 11, 22, 22, 0, tzinfo=UTC)
SEED_MARKER = "bench-seeded-v1"


@dataclass(frozen=True)
class DecisionFigures:
    experts: int
    median_ms: float
    p90_ms: float
    queries: int
    naive_median_ms: float


def _pool(brand: Brand, size: int) -> OverflowQueue:
    queue = OverflowQueue.objects.create(
        brand=brand, name=f"pool-{size}", time_zone="Europe/Dublin",
    )
    slot = ShiftSlot.objects.create(queue=queue, starts_at=NOW - timedelta(hours=1),
                                    ends_at=NOW + timedelta(days=3650), headcount=size)
    users = User.objects.bulk_create(
        User(username=f"bench-{size}-{number}@example.test") for number in range(size)
    )
    experts = ExpertProfile.objects.bulk_create(
        ExpertProfile(user=user, display_name=user.username, time_zone="UTC",
                      languages=["en"] if number % 4 else ["pt"], status=ExpertStatus.APPROVED,
                      quality_score=(number % 50) / 10)
        for number, user in enumerate(users)
    )
    Certification.objects.bulk_create(
        Certification(expert=expert, brand=brand, granted_at=NOW) for expert in experts
    )
    ShiftBooking.objects.bulk_create(
        ShiftBooking(slot=slot, expert=expert, starts_at=slot.starts_at, ends_at=slot.ends_at,
                     booked_at=NOW, checked_in_at=NOW, status=BookingStatus.CHECKED_IN)
        for expert in experts
    )
    ExpertSeat.objects.bulk_create(
        ExpertSeat(expert=expert, queue=queue, languages=expert.languages, skills=[],
                   chat_load=number % 3, email_load=number % 5,
                   idle_since=NOW - timedelta(seconds=number), quality_score=expert.quality_score,
                   shift_ends_at=slot.ends_at, opened_at=NOW)
        for number, expert in enumerate(experts)
    )
    return queue


def seed() -> dict[int, OverflowQueue]:
    brand, created = Brand.objects.get_or_create(slug=SEED_MARKER, defaults={"name": "Bench"})
    if not created:
        return {size: OverflowQueue.objects.get(brand=brand, name=f"pool-{size}")
                for size in POOL_SIZES}
    queues = {size: _pool(brand, size) for size in POOL_SIZES}
    customer = Customer.objects.create(brand=brand, email="bench@example.test")
    backlog = queues[POOL_SIZES[-1]]
    Inquiry.objects.bulk_create(
        (Inquiry(brand=brand, queue=backlog, customer=customer, external_id=f"open-{number}",
                 channel="email", subject="open", status=InquiryStatus.ANSWERED,
                 received_at=NOW, first_response_due_at=NOW + timedelta(minutes=15))
         for number in range(OPEN_INQUIRIES)),
        batch_size=5_000,
    )
    return queues


def _fresh_inquiry(queue: OverflowQueue, number: int) -> Inquiry:
    inquiry, _ = inquiry_create(
        intake=InquiryIntake(queue=queue, external_id=f"measure-{number}", channel="email",
                             subject="Where is my order?", body="Hello", language="en",
                             customer_email="bench@example.test", customer_name=""),
        now=NOW,
    )
    return inquiry


def _every_seat(*, queue_id: int, channel: str, **_: object) -> seats_selectors.RoutingPool:
    """The naive read: every expert on shift as a model instance, handed to the engine to rank
    them all."""
    load, capacity = LOAD_FIELDS[channel], CAPACITY_FIELDS[channel]
    return seats_selectors.RoutingPool(shortlist=[
        Candidate(expert_id=seat.expert_id, approved=True, certified=True, on_shift=True,
                  checked_in=True, languages=frozenset(seat.languages),
                  skills=frozenset(seat.skills), active_load=getattr(seat, load),
                  capacity=getattr(seat, capacity), idle_since=seat.idle_since,
                  quality_score=seat.quality_score, available=seat.available)
        for seat in ExpertSeat.objects.filter(queue_id=queue_id)], excluded_counts={})


class _Rollback(Exception):
    pass


def _timed(action: object, iterations: int) -> tuple[list[float], int]:
    durations: list[float] = []
    queries = 0
    for number in range(iterations):
        try:
            with transaction.atomic():
                inquiry = _fresh_inquiry(action.queue, number)  # type: ignore[attr-defined]
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    action(inquiry)  # type: ignore[operator]
                    durations.append((time.perf_counter() - started) * 1000)
                queries = sum(1 for query in captured.captured_queries
                              if query["sql"].lstrip().upper().startswith(("SELECT", "WITH")))
                raise _Rollback
        except _Rollback:
            pass
    return durations, queries


class _Route:
    def __init__(self, queue: OverflowQueue) -> None:
        self.queue = queue

    def __call__(self, inquiry: Inquiry) -> None:
        outcome = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=NOW)
        assert outcome.offer_id is not None, outcome


class _Naive(_Route):
    """The same routing service, reading every seat instead of the indexed shortlist."""

    def __call__(self, inquiry: Inquiry) -> None:
        pool = seats_selectors.routing_pool
        seats_selectors.routing_pool = _every_seat  # type: ignore[assignment]
        try:
            super().__call__(inquiry)
        finally:
            seats_selectors.routing_pool = pool


def run(iterations: int = 60) -> list[DecisionFigures]:
    queues = seed()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    figures = []
    for size in POOL_SIZES:
        queue = queues[size]
        _timed(_Route(queue), 5)
        durations, queries = _timed(_Route(queue), iterations)
        naive, _ = _timed(_Naive(queue), max(10, iterations // 3))
        figures.append(DecisionFigures(
            experts=size, median_ms=statistics.median(durations),
            p90_ms=statistics.quantiles(durations, n=10)[-1], queries=queries,
            naive_median_ms=statistics.median(naive),
        ))
    return figures

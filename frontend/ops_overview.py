"""What the ops console's overview pages show, put together from each app's selectors: the
brands list (one row per brand) and the live board (one row per queue). Each costs a fixed
number of grouped queries, however many brands, queues and inquiries there are."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from experts.certification import selectors as certification_selectors
from experts.shifts import selectors as shifts_selectors
from marketplace.inquiries import selectors as inquiries_selectors
from marketplace.onboarding import selectors as onboarding_selectors
from marketplace.onboarding.models import Brand
from marketplace.queues import selectors as queues_selectors
from marketplace.queues.models import OverflowQueue
from routing.seats import selectors as seats_selectors

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class BrandRow:
    brand: Brand
    status: str
    queues: int
    experts_certified: int
    received_this_week: int
    at_risk_now: int


def _brand_status(*, queues: int, experts_certified: int, received_this_week: int) -> str:
    if not queues:
        return "No queue yet"
    if not experts_certified:
        return "No certified expert"
    return "Live" if received_this_week else "Ready, quiet this week"


def brand_rows(*, now: datetime, search: str | None = None) -> list[BrandRow]:
    counts = inquiries_selectors.inquiry_counts_by(field="brand_id", received_since=now - WEEK)
    certified = certification_selectors.certified_expert_counts_by_brand()
    rows = []
    empty = inquiries_selectors.InquiryCounts()
    for brand in onboarding_selectors.brand_list_for_ops(search=search):
        figures = counts.get(brand.pk, empty)
        experts_certified = certified.get(brand.pk, 0)
        queue_count = int(getattr(brand, "queue_count", 0))
        rows.append(BrandRow(
            brand=brand, queues=queue_count, experts_certified=experts_certified,
            received_this_week=figures.received, at_risk_now=figures.at_risk,
            status=_brand_status(queues=queue_count, experts_certified=experts_certified,
                                 received_this_week=figures.received),
        ))
    return rows


@dataclass(frozen=True)
class QueueBoardRow:
    queue: OverflowQueue
    waiting: int
    at_risk: int
    offered: int
    experts_booked: int
    experts_checked_in: int
    experts_available: int

    @property
    def needs_attention(self) -> bool:
        """Work waits or is at risk with nobody to route it to."""
        return bool(self.at_risk or (self.waiting and not self.experts_available))


def board_rows(*, now: datetime) -> list[QueueBoardRow]:
    """Per queue: inquiries waiting for an expert, at risk and offered now; experts booked on a
    shift running now, checked in, and available to routing."""
    counts = inquiries_selectors.inquiry_counts_by(field="queue_id", received_since=now)
    bookings = shifts_selectors.booking_counts_on_shift_by_queue(now=now)
    available = seats_selectors.available_seat_counts_by_queue()
    empty = inquiries_selectors.InquiryCounts()
    rows = []
    for queue in queues_selectors.queue_list_all():
        figures = counts.get(queue.pk, empty)
        booked, checked_in = bookings.get(queue.pk, (0, 0))
        rows.append(QueueBoardRow(
            queue=queue, waiting=figures.waiting, at_risk=figures.at_risk,
            offered=figures.offered, experts_booked=booked, experts_checked_in=checked_in,
            experts_available=available.get(queue.pk, 0),
        ))
    return rows

"""Every non-trivial read on the brand side."""

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from marketplace.errors import NotFound
from marketplace.models import (
    Brand,
    BrandMembership,
    Inquiry,
    InquiryEvent,
    Message,
    OverflowQueue,
)
from routing.engine import CoverageCalendar, WeeklySpan


def brand_membership_for_user(
    *, user: User | AnonymousUser
) -> BrandMembership | None:
    if not user.is_authenticated:
        return None
    return BrandMembership.objects.select_related("brand").filter(user=user).first()


def queue_get_for_brand(*, brand: Brand, queue_id: int | None) -> OverflowQueue:
    """The brand's queue with this id, or its first queue when no id is given."""
    queues = OverflowQueue.objects.filter(brand=brand).select_related("brand").order_by("id")
    queue = queues.first() if queue_id is None else queues.filter(pk=queue_id).first()
    if queue is None:
        raise NotFound("No such queue for this brand." if queue_id else "The brand has no queue.")
    return queue


def queue_get(*, queue_id: int) -> OverflowQueue:
    queue = OverflowQueue.objects.filter(pk=queue_id).select_related("brand").first()
    if queue is None:
        raise NotFound("Queue not found.")
    return queue


def queue_coverage_calendar(*, queue: OverflowQueue) -> CoverageCalendar:
    return CoverageCalendar(
        time_zone=queue.time_zone,
        business_hours=tuple(
            WeeklySpan(weekday=span.weekday, opens=span.opens_at, closes=span.closes_at)
            for span in queue.spans.all()
        ),
        covers_after_hours=queue.covers_after_hours,
        covers_weekends=queue.covers_weekends,
    )


def inquiry_list_for_brand(*, brand: Brand, status: str | None = None) -> QuerySet[Inquiry]:
    inquiries = (
        Inquiry.objects.filter(brand=brand)
        .select_related("customer", "queue")
        .order_by("-received_at", "-id")
    )
    if status:
        inquiries = inquiries.filter(status=status)
    return inquiries


def inquiry_list_recent(*, limit: int = 50) -> QuerySet[Inquiry]:
    return Inquiry.objects.select_related("customer", "brand").order_by("-received_at")[:limit]


def inquiry_get_for_brand(*, brand: Brand, inquiry_id: int) -> Inquiry:
    """A brand sees only its own inquiries; another brand's id answers as if it did not exist."""
    inquiry = (
        Inquiry.objects.filter(brand=brand, pk=inquiry_id)
        .select_related("customer", "queue", "brand")
        .first()
    )
    if inquiry is None:
        raise NotFound("Inquiry not found.")
    return inquiry


def inquiry_get(*, inquiry_id: int) -> Inquiry:
    inquiry = (
        Inquiry.objects.filter(pk=inquiry_id).select_related("customer", "queue", "brand").first()
    )
    if inquiry is None:
        raise NotFound("Inquiry not found.")
    return inquiry


def message_list_for_inquiry(*, inquiry: Inquiry) -> QuerySet[Message]:
    return Message.objects.filter(inquiry=inquiry).select_related("author").order_by(
        "created_at", "id"
    )


def event_list_for_inquiry(*, inquiry: Inquiry) -> QuerySet[InquiryEvent]:
    return InquiryEvent.objects.filter(inquiry=inquiry).select_related("actor").order_by(
        "created_at", "id"
    )


def brand_get(*, brand_id: int) -> Brand | None:
    return Brand.objects.filter(pk=brand_id).first()


def brand_get_by_slug(*, slug: str) -> Brand | None:
    return Brand.objects.filter(slug=slug).first()

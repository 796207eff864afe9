"""Every non-trivial read on the brand side."""

from datetime import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Q, QuerySet

from marketplace.errors import NotFound
from marketplace.models import (
    Attachment,
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


def inquiry_list_for_brand(
    *, brand: Brand, status: str | None = None, channel: str | None = None,
    received_after: datetime | None = None, received_before: datetime | None = None,
) -> QuerySet[Inquiry]:
    inquiries = (
        Inquiry.objects.filter(brand=brand)
        .select_related("customer", "queue")
        .order_by("-received_at", "-id")
    )
    if status:
        inquiries = inquiries.filter(status=status)
    if channel:
        inquiries = inquiries.filter(channel=channel)
    if received_after is not None:
        inquiries = inquiries.filter(received_at__gte=received_after)
    if received_before is not None:
        inquiries = inquiries.filter(received_at__lte=received_before)
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
    return (
        Message.objects.filter(inquiry=inquiry).select_related("author")
        .prefetch_related("attachments", "delivery_log").order_by("created_at", "id")
    )


def message_get_for_brand(*, brand: Brand, message_id: int) -> Message:
    message = (Message.objects.filter(pk=message_id, inquiry__brand=brand)
               .select_related("inquiry").first())
    if message is None:
        raise NotFound("Message not found.")
    return message


def queue_get_for_inbound(*, queue_id: int) -> OverflowQueue:
    """Any brand's queue by id, for the signed and token-authenticated inbound endpoints (the
    secret proves which brand is calling)."""
    return queue_get(queue_id=queue_id)


def event_list_for_inquiry(*, inquiry: Inquiry) -> QuerySet[InquiryEvent]:
    return InquiryEvent.objects.filter(inquiry=inquiry).select_related("actor").order_by(
        "created_at", "id"
    )


def promise_summary_for_brand(
    *, brand: Brand, received_after: datetime | None = None,
    received_before: datetime | None = None,
) -> dict[str, int]:
    """How the promises of the brand's inquiries turned out: kept, missed, still open (no
    reply yet) and without a time (nobody on shift and no business hours to name)."""
    inquiries = inquiry_list_for_brand(brand=brand, received_after=received_after,
                                       received_before=received_before)
    return inquiries.order_by().aggregate(
        kept=Count("id", filter=Q(promise_kept=True)),
        missed=Count("id", filter=Q(promise_kept=False)),
        open=Count("id", filter=Q(promise_kept__isnull=True, promised_reply_by__isnull=False)),
        without_time=Count("id", filter=Q(promised_reply_by__isnull=True)),
    )

def brand_get(*, brand_id: int) -> Brand | None:
    return Brand.objects.filter(pk=brand_id).first()


def brand_get_by_slug(*, slug: str) -> Brand | None:
    return Brand.objects.filter(slug=slug).first()


def attachment_get_for_brand(*, brand: Brand, attachment_id: int) -> Attachment:
    """A stored attachment of one of the brand's inquiries; anything else is not found."""
    attachment = (Attachment.objects.filter(pk=attachment_id, message__inquiry__brand=brand,
                                            stored=True).first())
    if attachment is None:
        raise NotFound("Attachment not found (or not kept: it was over the size limit).")
    return attachment


def attachment_get_for_inquiry(*, inquiry_id: int, attachment_id: int) -> Attachment:
    attachment = (Attachment.objects.filter(pk=attachment_id, message__inquiry_id=inquiry_id,
                                            stored=True).first())
    if attachment is None:
        raise NotFound("Attachment not found (or not kept: it was over the size limit).")
    return attachment

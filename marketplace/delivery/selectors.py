"""The brand's outbound webhook delivery log: what Shiftline posted to a queue's outbound
webhook (replies, `message.created`, and inquiry events), newest first, with the attempts,
the last answer and when the next try is due."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from marketplace.delivery.models import DeliveryAttempt, WebhookEventAttempt
from marketplace.delivery.services import DeliveryRoute, delivery_next_due
from marketplace.inquiries.models import (
    DeliveryStatus,
    InquirySource,
    Message,
    MessageDirection,
    WebhookEvent,
)
from marketplace.queues.models import OverflowQueue


class WebhookDeliveryKind:
    REPLY = "reply"
    EVENT = "event"


REPLY_EVENT = "message.created"


@dataclass(frozen=True)
class WebhookDelivery:
    kind: str
    delivery_id: int
    inquiry_id: int
    event: str
    created_at: datetime
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str
    last_attempt_at: datetime | None
    next_retry_at: datetime | None

    @property
    def failed(self) -> bool:
        return self.status == DeliveryStatus.FAILED


COLUMNS = ("row_kind", "row_id", "row_inquiry", "row_event", "row_created", "row_status",
           "row_attempts", "row_code", "row_error", "row_attempted")


def _row(*, kind: str, event: Value | F, last: QuerySet) -> dict[str, Any]:
    """The columns both kinds of delivery share, in `COLUMNS` order, so the two unite: the
    last attempt (`last`, newest first) gives the answer, its error and when."""
    return {
        "row_kind": Value(kind), "row_id": F("pk"), "row_inquiry": F("inquiry_id"),
        "row_event": event, "row_created": F("created_at"), "row_status": F("delivery_status"),
        "row_attempts": F("delivery_attempts"),
        "row_code": Subquery(last.values("status_code")[:1]),
        "row_error": Coalesce(Subquery(last.values("error")[:1]), F("delivery_error")),
        "row_attempted": Subquery(last.values("attempted_at")[:1]),
    }


def _replies(queue: OverflowQueue) -> QuerySet[Message]:
    by_webhook = DeliveryAttempt.objects.filter(message=OuterRef("pk"),
                                                route=DeliveryRoute.WEBHOOK)
    last = DeliveryAttempt.objects.filter(message=OuterRef("pk")).order_by("-number")
    waiting = Q(delivery_status=DeliveryStatus.PENDING) & ~Q(inquiry__source=InquirySource.EMAIL) \
        if queue.outbound_webhook_url else Q(pk__in=[])
    return (Message.objects.filter(inquiry__queue=queue, direction=MessageDirection.OUTBOUND)
            .filter(Q(Exists(by_webhook)) | waiting)
            .annotate(**_row(kind=WebhookDeliveryKind.REPLY, event=Value(REPLY_EVENT),
                             last=last)))


def _events(queue: OverflowQueue) -> QuerySet[WebhookEvent]:
    last = WebhookEventAttempt.objects.filter(webhook_event=OuterRef("pk")).order_by("-number")
    return (WebhookEvent.objects.filter(inquiry__queue=queue)
            .annotate(**_row(kind=WebhookDeliveryKind.EVENT, event=F("event"), last=last)))


def _delivery(row: dict[str, object]) -> WebhookDelivery:
    status = str(row["row_status"])
    attempts = int(row["row_attempts"])  # type: ignore[call-overload]
    created_at: datetime = row["row_created"]  # type: ignore[assignment]
    attempted_at: datetime | None = row["row_attempted"]  # type: ignore[assignment]
    return WebhookDelivery(
        kind=str(row["row_kind"]), delivery_id=int(row["row_id"]),  # type: ignore[call-overload]
        inquiry_id=int(row["row_inquiry"]),  # type: ignore[call-overload]
        event=str(row["row_event"]), created_at=created_at, status=status, attempts=attempts,
        last_status_code=row["row_code"],  # type: ignore[arg-type]
        last_error=str(row["row_error"] or ""), last_attempt_at=attempted_at,
        next_retry_at=delivery_next_due(created_at=created_at, attempts=attempts,
                                        last_attempt_at=attempted_at)
        if status == DeliveryStatus.PENDING else None,
    )


def webhook_delivery_page(*, queue: OverflowQueue, failed_only: bool,
                          page_number: int | str | None, per_page: int) -> Page:
    """One page of the queue's outbound webhook deliveries, replies and inquiry events
    together, newest first, as `WebhookDelivery`s; `failed_only` keeps those that gave up.
    Two queries (the count and the page), whatever the page's length."""
    replies, events = _replies(queue), _events(queue)
    if failed_only:
        replies = replies.filter(delivery_status=DeliveryStatus.FAILED)
        events = events.filter(delivery_status=DeliveryStatus.FAILED)
    rows = (replies.values(*COLUMNS).union(events.values(*COLUMNS), all=True)
            .order_by("-row_created", "-row_id"))
    page = Paginator(rows, per_page).get_page(page_number)
    page.object_list = [_delivery(row) for row in page.object_list]
    return page

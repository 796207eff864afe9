"""Reads of inquiries, their messages, timelines, attachments and daily figures."""


from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate

from marketplace.infra.errors import NotFound
from marketplace.inquiries.models import (
    Attachment,
    Inquiry,
    InquiryEvent,
    InquiryStatus,
    Message,
    MessageDirection,
)
from marketplace.onboarding.models import Brand

OPEN_STATUSES = (
    InquiryStatus.RECEIVED, InquiryStatus.QUEUED, InquiryStatus.OFFERED, InquiryStatus.ASSIGNED,
    InquiryStatus.ANSWERED, InquiryStatus.WAITING_ON_CUSTOMER,
)


def inquiry_list_for_brand(
    *, brand: Brand, status: str | None = None, channel: str | None = None,
    search: str | None = None, open_only: bool = False,
    received_after: datetime | None = None, received_before: datetime | None = None,
) -> QuerySet[Inquiry]:
    """Newest first. `search` matches the subject, the customer's email or the external id,
    case-insensitively; `open_only` keeps the inquiries still in the brand's live queue;
    `received_after` / `received_before` bound the receipt time (inclusive)."""
    inquiries = (
        Inquiry.objects.filter(brand=brand)
        .select_related("customer", "queue")
        .order_by("-received_at", "-id")
    )
    if status:
        inquiries = inquiries.filter(status=status)
    if open_only:
        inquiries = inquiries.filter(status__in=OPEN_STATUSES)
    if channel:
        inquiries = inquiries.filter(channel=channel)
    if search:
        inquiries = inquiries.filter(
            Q(subject__icontains=search) | Q(customer__email__icontains=search)
            | Q(external_id__icontains=search)
        )
    if received_after is not None:
        inquiries = inquiries.filter(received_at__gte=received_after)
    if received_before is not None:
        inquiries = inquiries.filter(received_at__lte=received_before)
    return inquiries


@dataclass(frozen=True)
class DailyFigures:
    """One day (in the viewer's zone) of a brand's inquiries. `due` counts the network's
    inquiries received that day whose first response was given or is overdue; `on_time` those
    answered by their deadline."""

    day: date
    received: int
    resolved: int
    due: int
    on_time: int

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.due if self.due else None


def inquiry_list_open_for_brand_id(*, brand_id: int, limit: int) -> list[Inquiry]:
    """The brand's live queue as the console's first page shows it: open inquiries, newest
    first."""
    return list(
        Inquiry.objects.filter(brand_id=brand_id, status__in=OPEN_STATUSES)
        .select_related("customer", "queue")
        .order_by("-received_at", "-id")[:limit]
    )


def inquiry_daily_figures_for_brand(
    *, brand: Brand, now: datetime, days: int = 7, zone: tzinfo = UTC
) -> list[DailyFigures]:
    """Received and resolved per day of `zone` (the viewer's) for the last `days` days (today
    included), oldest first, in two grouped queries."""
    today = now.astimezone(zone).date()
    first_day = today - timedelta(days=days - 1)
    start = datetime.combine(first_day, datetime.min.time(), tzinfo=zone)
    received = {
        row["day"]: row
        for row in Inquiry.objects.filter(brand=brand, received_at__gte=start)
        .annotate(day=TruncDate("received_at", tzinfo=zone)).order_by().values("day")
        .annotate(
            received=Count("id"),
            due=Count("id", filter=~Q(status=InquiryStatus.WITH_BRAND) & (
                Q(first_replied_at__isnull=False) | Q(first_response_due_at__lte=now))),
            on_time=Count("id", filter=Q(first_replied_at__lte=F("first_response_due_at"))),
        )
    }
    resolved = dict(
        Inquiry.objects.filter(brand=brand, resolved_at__gte=start)
        .annotate(day=TruncDate("resolved_at", tzinfo=zone)).order_by().values("day")
        .annotate(count=Count("id")).values_list("day", "count")
    )
    figures = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        row = received.get(day, {})
        figures.append(DailyFigures(
            day=day, received=row.get("received", 0), resolved=resolved.get(day, 0),
            due=row.get("due", 0), on_time=row.get("on_time", 0),
        ))
    return figures


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


def inquiry_get_for_brand_id(*, brand_id: int, inquiry_id: int) -> Inquiry:
    inquiry = (
        Inquiry.objects.filter(brand_id=brand_id, pk=inquiry_id)
        .select_related("customer", "queue", "brand")
        .first()
    )
    if inquiry is None:
        raise NotFound("Inquiry not found.")
    return inquiry


def inquiry_get_by_external_id(*, brand_id: int, external_id: str) -> Inquiry:
    """The brand's own inquiry by the id its helpdesk gave it."""
    inquiry = Inquiry.objects.filter(brand_id=brand_id, external_id=external_id).first()
    if inquiry is None:
        raise NotFound("No inquiry with this external_id.")
    return inquiry


def inquiry_subjects(inquiry_ids: Sequence[int]) -> dict[int, str]:
    """Each inquiry's subject by id, in one query (the expert's earnings rows)."""
    return dict(Inquiry.objects.filter(pk__in=list(inquiry_ids)).values_list("pk", "subject"))


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


def inquiry_list_quoted(*, brand_id: int, message_ids: Sequence[str]) -> list[Inquiry]:
    """The brand's inquiries that an email's In-Reply-To / References point at, through a
    Message-ID stored on one of their messages or their acknowledgement, latest first."""
    if not message_ids:
        return []
    return list(
        Inquiry.objects.filter(brand_id=brand_id)
        .filter(Q(messages__email_message_id__in=message_ids)
                | Q(acknowledgement_message_id__in=message_ids))
        .select_related("customer").distinct().order_by("-received_at", "-id")
    )


def message_get_sent_by_id(*, brand_id: int, message_ids: Sequence[str]) -> Message | None:
    """The brand's reply whose Message-ID is one of these (the latest), as a bounce names it."""
    return (Message.objects.filter(inquiry__brand_id=brand_id,
                                   direction=MessageDirection.OUTBOUND,
                                   email_message_id__in=message_ids)
            .select_related("inquiry").order_by("-created_at", "-id").first())


def inquiry_get_acknowledged_by(*, brand_id: int, message_ids: Sequence[str]) -> Inquiry | None:
    """The brand's inquiry whose acknowledgement carried one of these Message-IDs."""
    return (Inquiry.objects.filter(brand_id=brand_id, acknowledgement_message_id__in=message_ids)
            .order_by("-received_at").first())


def message_id_is_taken(*, email_message_id: str) -> bool:
    return Message.objects.filter(email_message_id=email_message_id).exists()


def message_get_by_email_id(*, email_message_id: str) -> Message | None:
    return (Message.objects.filter(email_message_id=email_message_id)
            .select_related("inquiry__customer").first())


AT_RISK_STATUSES = (InquiryStatus.QUEUED, InquiryStatus.OFFERED)
"""An inquiry is at risk while it waits for an expert past its risk mark: queued or offered."""


def inquiry_list_for_ops(
    *, search: str | None = None, status: str | None = None, channel: str | None = None,
    at_risk: bool = False, handed_back: bool = False,
) -> QuerySet[Inquiry]:
    """Every brand's inquiries, newest first, for the ops console. `search` matches the
    subject, the customer's email or name, the external id, the brand's name, or (a number)
    the inquiry's id; `at_risk` keeps those waiting past their risk mark, `handed_back` those
    handed back to the brand without coverage."""
    inquiries = (
        Inquiry.objects.select_related("customer", "brand", "queue")
        .order_by("-received_at", "-id")
    )
    if status:
        inquiries = inquiries.filter(status=status)
    if channel:
        inquiries = inquiries.filter(channel=channel)
    if at_risk:
        inquiries = inquiries.filter(at_risk_at__isnull=False, status__in=AT_RISK_STATUSES)
    if handed_back:
        inquiries = inquiries.filter(status=InquiryStatus.HANDED_BACK)
    if search:
        matches = (
            Q(subject__icontains=search) | Q(customer__email__icontains=search)
            | Q(customer__name__icontains=search) | Q(external_id__icontains=search)
            | Q(brand__name__icontains=search)
        )
        number = search.lstrip("#")
        if number.isdigit() and len(number) < 19:
            matches |= Q(pk=int(number))
        inquiries = inquiries.filter(matches)
    return inquiries


@dataclass(frozen=True)
class InquiryCounts:
    """Counts of one brand's or one queue's inquiries: received since a moment, waiting for an
    expert (queued), offered now, and at risk now."""

    received: int = 0
    waiting: int = 0
    offered: int = 0
    at_risk: int = 0


def inquiry_counts_by(*, field: str, received_since: datetime) -> dict[int, InquiryCounts]:
    """`field` is "brand_id" or "queue_id": the counts per brand or per queue in one grouped
    query (at-risk and waiting counts cover every open inquiry, however old)."""
    if field not in ("brand_id", "queue_id"):
        raise ValueError(field)
    rows = (
        Inquiry.objects.filter(Q(received_at__gte=received_since) | Q(status__in=OPEN_STATUSES))
        .order_by().values(field)
        .annotate(
            received=Count("id", filter=Q(received_at__gte=received_since)),
            waiting=Count("id", filter=Q(status=InquiryStatus.QUEUED)),
            offered=Count("id", filter=Q(status=InquiryStatus.OFFERED)),
            at_risk=Count("id", filter=Q(at_risk_at__isnull=False,
                                         status__in=AT_RISK_STATUSES)),
        )
    )
    return {
        int(row[field]): InquiryCounts(received=row["received"], waiting=row["waiting"],
                                       offered=row["offered"], at_risk=row["at_risk"])
        for row in rows
    }


def brand_has_inquiry(*, brand: Brand, sources: Sequence[str] | None = None) -> bool:
    """Any inquiry of the brand (from one of `sources`, when given)."""
    inquiries = Inquiry.objects.filter(brand=brand)
    if sources is not None:
        inquiries = inquiries.filter(source__in=sources)
    return inquiries.exists()

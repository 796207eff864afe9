"""Every non-trivial read on the brand side."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

import holidays
import markdown
import nh3
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from marketplace import rows
from marketplace.errors import NotFound
from marketplace.models import (
    ApiKey,
    Attachment,
    Brand,
    BrandInvitation,
    BrandMembership,
    BusinessHoursSpan,
    Inquiry,
    InquiryEvent,
    InquiryStatus,
    Message,
    OverflowQueue,
    QueueMacro,
)
from routing.engine import (
    BacklogReport,
    Closure,
    CoverageCalendar,
    OverflowRule,
    WeeklySpan,
    coverage_week,
)
from routing.engine.coverage import HourCell


def brand_membership_for_user(
    *, user: User | AnonymousUser
) -> BrandMembership | None:
    if not user.is_authenticated:
        return None
    return BrandMembership.objects.select_related("brand").filter(user=user).first()


def api_key_with_brand(*, prefix: str) -> ApiKey | None:
    """The key with this visible prefix, its brand loaded. Every API request asks, so this is
    one hand-written statement (marketplace/rows.py), not a compiled queryset."""
    row = rows.fetch_one(
        f"SELECT {rows.columns(ApiKey, 'k')}, {rows.columns(Brand, 'b')} "  # noqa: S608 (model identifiers; values bound)
        f"FROM {rows.table(ApiKey)} k JOIN {rows.table(Brand)} b ON b.id = k.brand_id "
        "WHERE k.prefix = %s", [prefix])
    if row is None:
        return None
    api_key = rows.instance(ApiKey, row)
    api_key.brand = rows.instance(Brand, row, rows.width(ApiKey))
    return api_key


def queue_get_for_brand(*, brand: Brand, queue_id: int | None) -> OverflowQueue:
    """The brand's queue with this id, or its first queue when no id is given. On the intake
    path of every inquiry, so one hand-written statement (marketplace/rows.py)."""
    chosen = "q.id = %s" if queue_id is not None else "TRUE"
    row = rows.fetch_one(
        f"SELECT {rows.columns(OverflowQueue, 'q')} FROM {rows.table(OverflowQueue)} q "  # noqa: S608 (model identifiers; values bound)
        f"WHERE q.brand_id = %s AND {chosen} ORDER BY q.id LIMIT 1",
        [brand.pk] if queue_id is None else [brand.pk, queue_id])
    if row is None:
        raise NotFound("No such queue for this brand." if queue_id else "The brand has no queue.")
    queue = rows.instance(OverflowQueue, row)
    queue.brand = brand
    return queue


def queue_weekly_spans(*, queue_id: int) -> tuple[WeeklySpan, ...]:
    """The queue's business hours, in order, as the engine takes them."""
    with rows.cursor() as cursor:
        cursor.execute(
            f"SELECT weekday, opens_at, closes_at FROM {rows.table(BusinessHoursSpan)} "  # noqa: S608 (model identifiers; values bound)
            "WHERE queue_id = %s ORDER BY weekday, opens_at", [queue_id])
        return tuple(WeeklySpan(weekday=weekday, opens=opens, closes=closes)
                     for weekday, opens, closes in cursor.fetchall())


def queue_get(*, queue_id: int) -> OverflowQueue:
    queue = OverflowQueue.objects.filter(pk=queue_id).select_related("brand").first()
    if queue is None:
        raise NotFound("Queue not found.")
    return queue


@lru_cache(maxsize=256)
def public_holidays(country: str, year: int) -> frozenset[date]:
    """The country's public holidays in one year, from the `holidays` package."""
    return frozenset(holidays.country_holidays(country, years=year))


def queue_coverage_calendar(
    *, queue: OverflowQueue, now: datetime | None = None,
    business_hours: tuple[WeeklySpan, ...] | None = None,
) -> CoverageCalendar:
    """The queue's calendar for the engine, with public holidays for the years around `now`
    and the brand's latest backlog report. `business_hours` saves reading the spans again when
    the caller has them (the promise reads them with its other inputs)."""
    year = (now or timezone.now()).year
    holiday_dates: frozenset[date] = frozenset()
    if queue.holiday_country:
        holiday_dates = frozenset().union(*(
            public_holidays(queue.holiday_country, each) for each in (year - 1, year, year + 1)
        ))
    overflow = None
    if queue.covers_overflow:
        wait = queue.overflow_wait_threshold_seconds
        overflow = OverflowRule(
            backlog_at_least=queue.overflow_backlog_threshold,
            oldest_wait_at_least=None if wait is None else timedelta(seconds=wait),
        )
    backlog = None
    if queue.backlog_reported_at is not None:
        backlog = BacklogReport(
            backlog=queue.backlog_count or 0,
            oldest_wait=timedelta(seconds=queue.backlog_oldest_wait_seconds or 0),
            reported_at=queue.backlog_reported_at,
        )
    return CoverageCalendar(
        time_zone=queue.time_zone,
        business_hours=(queue_weekly_spans(queue_id=queue.pk) if business_hours is None
                        else business_hours),
        covers_after_hours=queue.covers_after_hours,
        covers_weekends=queue.covers_weekends,
        holidays=holiday_dates,
        covers_holidays=queue.covers_holidays,
        closures=queue_closures(queue=queue),
        always_on=queue.always_on,
        overflow=overflow,
        backlog=backlog,
        channels=frozenset(queue.channels),
        languages=frozenset(queue.languages),
    )


def queue_closures(*, queue: OverflowQueue) -> tuple[Closure, ...]:
    return tuple(
        Closure(date.fromisoformat(closure["starts_on"]), date.fromisoformat(closure["ends_on"]),
                closure["label"])
        for closure in queue.closures
    )


def queue_coverage_preview(
    *, queue: OverflowQueue, week_start: date
) -> tuple[tuple[HourCell, ...], ...]:
    """The 7 x 24 coverage picture of the local week from `week_start` (a Monday)."""
    calendar = queue_coverage_calendar(
        queue=queue, now=datetime(week_start.year, week_start.month, week_start.day,
                                  tzinfo=UTC))
    return coverage_week(calendar, week_start)


def queue_list_for_brand(*, brand: Brand) -> QuerySet[OverflowQueue]:
    return (OverflowQueue.objects.filter(brand=brand).prefetch_related("spans", "macros")
            .order_by("id"))


def queue_get_configured(*, brand: Brand, queue_id: int) -> OverflowQueue:
    """The brand's queue with its spans, closures and macros loaded; another brand's id
    answers as if it did not exist."""
    queue = (OverflowQueue.objects.filter(brand=brand, pk=queue_id).select_related("brand")
             .prefetch_related("spans", "macros").first())
    if queue is None:
        raise NotFound("No such queue for this brand.")
    return queue


def macro_list_for_queue(*, queue: OverflowQueue) -> QuerySet[QueueMacro]:
    return QueueMacro.objects.filter(queue=queue).order_by("name", "id")


GUIDELINE_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "code", "pre", "blockquote",
                  "h1", "h2", "h3", "h4", "hr"}


def guidelines_html(*, text: str) -> str:
    """Markdown rendered, then sanitised by nh3 (an allow-list of tags; no scripts, no event
    attributes, links forced to safe schemes), so brand text cannot run in experts' pages."""
    rendered = markdown.markdown(text, extensions=["sane_lists"])
    return nh3.clean(rendered, tags=GUIDELINE_TAGS, attributes={"a": {"href", "title"}},
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")


def api_key_list_for_brand(*, brand: Brand) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(brand=brand).order_by("revoked_at", "-created_at", "-id")


def membership_list_for_brand(*, brand: Brand) -> QuerySet[BrandMembership]:
    return BrandMembership.objects.filter(brand=brand).select_related("user").order_by("id")


def invitation_list_open_for_brand(*, brand: Brand) -> QuerySet[BrandInvitation]:
    return BrandInvitation.objects.filter(brand=brand, accepted_at__isnull=True).order_by(
        "-created_at", "-id")


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
    """One UTC day of a brand's inquiries. `due` counts the network's inquiries received that
    day whose first response was given or is overdue; `on_time` those answered by their
    deadline."""

    day: date
    received: int
    resolved: int
    due: int
    on_time: int

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.due if self.due else None


def inquiry_daily_figures_for_brand(
    *, brand: Brand, now: datetime, days: int = 7
) -> list[DailyFigures]:
    """Received and resolved per UTC day for the last `days` days (today included), oldest
    first, in two grouped queries."""
    today = now.astimezone(UTC).date()
    first_day = today - timedelta(days=days - 1)
    start = datetime.combine(first_day, datetime.min.time(), tzinfo=UTC)
    received = {
        row["day"]: row
        for row in Inquiry.objects.filter(brand=brand, received_at__gte=start)
        .annotate(day=TruncDate("received_at", tzinfo=UTC)).order_by().values("day")
        .annotate(
            received=Count("id"),
            due=Count("id", filter=~Q(status=InquiryStatus.WITH_BRAND) & (
                Q(first_replied_at__isnull=False) | Q(first_response_due_at__lte=now))),
            on_time=Count("id", filter=Q(first_replied_at__lte=F("first_response_due_at"))),
        )
    }
    resolved = dict(
        Inquiry.objects.filter(brand=brand, resolved_at__gte=start)
        .annotate(day=TruncDate("resolved_at", tzinfo=UTC)).order_by().values("day")
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

"""Reads about queues and their macros."""



from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

import holidays
import markdown
import nh3
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from marketplace.infra.errors import NotFound
from marketplace.onboarding.models import Brand
from marketplace.queues.models import BusinessHoursSpan, OverflowQueue, QueueMacro
from routing.engine import (
    BacklogReport,
    Closure,
    CoverageCalendar,
    OverflowRule,
    WeeklySpan,
    coverage_week,
)
from routing.engine.coverage import HourCell


def queue_get_for_brand(*, brand: Brand, queue_id: int | None) -> OverflowQueue:
    """The brand's queue with this id, or its first queue when no id is given. On the intake
    path of every inquiry, so one `raw()` statement whose row the ORM turns into the queue:
    compiling the same queryset over the queue's forty columns costs twice as much CPU."""
    quote = connection.ops.quote_name
    chosen = "AND q.id = %s " if queue_id is not None else ""
    queues = OverflowQueue.objects.raw(
        f"SELECT q.* FROM {quote(OverflowQueue._meta.db_table)} q "  # noqa: S608 (model identifiers; values bound)
        f"WHERE q.brand_id = %s {chosen}ORDER BY q.id LIMIT 1",
        [brand.pk] if queue_id is None else [brand.pk, queue_id])
    for queue in queues:
        queue.brand = brand
        return queue
    raise NotFound("No such queue for this brand." if queue_id else "The brand has no queue.")


def queue_get(*, queue_id: int) -> OverflowQueue:
    queue = OverflowQueue.objects.filter(pk=queue_id).select_related("brand").first()
    if queue is None:
        raise NotFound("Queue not found.")
    return queue


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


def queue_get_for_inbound(*, queue_id: int) -> OverflowQueue:
    """Any brand's queue by id, for the signed and token-authenticated inbound endpoints (the
    secret proves which brand is calling)."""
    return queue_get(queue_id=queue_id)


def queue_weekly_spans(*, queue_id: int) -> tuple[WeeklySpan, ...]:
    """The queue's business hours, in order, as the engine takes them."""
    return tuple(
        WeeklySpan(weekday=weekday, opens=opens, closes=closes)
        for weekday, opens, closes in BusinessHoursSpan.objects.filter(queue_id=queue_id)
        .order_by("weekday", "opens_at").values_list("weekday", "opens_at", "closes_at")
    )


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


GUIDELINE_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "code", "pre", "blockquote",
                  "h1", "h2", "h3", "h4", "hr"}


def guidelines_html(*, text: str) -> str:
    """Markdown rendered, then sanitised by nh3 (an allow-list of tags; no scripts, no event
    attributes, links forced to safe schemes), so brand text cannot run in experts' pages."""
    rendered = markdown.markdown(text, extensions=["sane_lists"])
    return nh3.clean(rendered, tags=GUIDELINE_TAGS, attributes={"a": {"href", "title"}},
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")


def queue_list_all() -> QuerySet[OverflowQueue]:
    """Every brand's queues, by brand and name, for the ops board."""
    return OverflowQueue.objects.select_related("brand").order_by("brand__name", "name", "id")

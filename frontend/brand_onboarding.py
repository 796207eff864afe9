"""The brand console's onboarding checklist: what a new brand still has to do before the
network can answer its customers, and the covered hours of the next 7 days that no expert is
booked for (the console says so while there are any)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from experts.certification import selectors as certification_selectors
from experts.shifts import selectors as shifts_selectors
from marketplace.access import selectors as access_selectors
from marketplace.inquiries import selectors as inquiries_selectors
from marketplace.models import InquirySource
from marketplace.onboarding.models import Brand
from marketplace.queues import selectors as queues_selectors
from routing.engine import CoverageCalendar
from routing.engine.coverage import decide_coverage

HORIZON = timedelta(days=7)
HOUR = timedelta(hours=1)


def uncovered_hours(*, calendar: CoverageCalendar, booked: Sequence[tuple[datetime, datetime]],
                    start: datetime, hours: int) -> list[datetime]:
    """The starts of the whole hours from `start` (rounded down to the hour) in which the
    network covers the queue yet no booking overlaps the hour."""
    first = start.replace(minute=0, second=0, microsecond=0)
    missing = []
    for number in range(hours):
        hour = first + number * HOUR
        if not decide_coverage(calendar, hour).covered:
            continue
        if not any(begins < hour + HOUR and ends > hour for begins, ends in booked):
            missing.append(hour)
    return missing


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    done: bool
    detail: str
    url_name: str


@dataclass(frozen=True)
class Checklist:
    items: tuple[ChecklistItem, ...]
    uncovered_hours: int
    uncovered_now: bool
    booked_not_checked_in_now: bool = False
    """A queue the network covers now has experts booked on a running shift, none checked in:
    inquiries wait for them, which is not the same as nobody being booked."""

    @property
    def done(self) -> bool:
        return all(item.done for item in self.items)

    @property
    def remaining(self) -> int:
        return sum(not item.done for item in self.items)


def brand_checklist(*, brand: Brand, now: datetime) -> Checklist:
    queues = list(queues_selectors.queue_list_for_brand(brand=brand))
    queue_ids = [queue.pk for queue in queues]
    certified = certification_selectors.certified_expert_count(brand=brand)
    booked = shifts_selectors.booked_intervals_for_queues(queue_ids=queue_ids, start=now,
                                                          end=now + HORIZON)
    on_shift = shifts_selectors.booking_counts_on_shift_by_queue(now=now)
    missing: list[datetime] = []
    waiting_for_check_in = False
    for queue in queues:
        calendar = queues_selectors.queue_coverage_calendar(queue=queue, now=now)
        missing += uncovered_hours(calendar=calendar, booked=booked.get(queue.pk, []),
                                   start=now, hours=int(HORIZON / HOUR))
        booked_now, checked_in_now = on_shift.get(queue.pk, (0, 0))
        if booked_now and not checked_in_now and decide_coverage(calendar, now).covered:
            waiting_for_check_in = True
    slots = shifts_selectors.slot_count_published_between(queue_ids=queue_ids, start=now,
                                                          end=now + HORIZON)
    this_hour = now.replace(minute=0, second=0, microsecond=0)
    connected = (access_selectors.brand_has_active_api_key(brand=brand)
                 or any(queue.outbound_webhook_url for queue in queues)
                 or inquiries_selectors.brand_has_inquiry(
                     brand=brand, sources=[InquirySource.WEBHOOK, InquirySource.EMAIL]))
    if not slots:
        shifts_detail = "No shifts published for the next 7 days."
    elif missing:
        shifts_detail = (f"{len(missing)} covered hour{'s' if len(missing) != 1 else ''} in "
                         "the next 7 days without a booked expert.")
    else:
        shifts_detail = "Every covered hour of the next 7 days has a booked expert."
    items = (
        ChecklistItem("queue", "Configure a queue", bool(queues),
                      f"{len(queues)} queue{'s' if len(queues) != 1 else ''}." if queues
                      else "No queue yet.", "brand:queues"),
        ChecklistItem("training", "Publish a training pack",
                      certification_selectors.training_pack_is_published(brand=brand),
                      "Guidelines and at least one quiz question.", "brand:training"),
        ChecklistItem("experts", "Get experts certified", certified > 0,
                      f"{certified} expert{'s' if certified != 1 else ''} certified.",
                      "brand:training"),
        ChecklistItem("shifts", "Publish shifts experts book for the next 7 days",
                      bool(slots) and not missing, shifts_detail, "brand:shifts"),
        ChecklistItem("channel", "Connect a channel", connected,
                      "An API key, a signed webhook or the inbound email address.",
                      "brand:keys"),
        ChecklistItem("test_inquiry", "Send a test inquiry",
                      inquiries_selectors.brand_has_inquiry(brand=brand),
                      "POST /api/v1/inquiries with your API key, or write to the inbound "
                      "address.", "api-docs"),
    )
    return Checklist(items=items, uncovered_hours=len(missing),
                     uncovered_now=this_hour in missing,
                     booked_not_checked_in_now=waiting_for_check_in)

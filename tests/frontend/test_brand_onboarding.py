"""The brand console's onboarding checklist: shown until every step is done, with the count of
covered hours of the next 7 days that no expert is booked for; while the current covered hour
has nobody booked, the console says so and the customer's promise is honest about it."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from frontend.brand_onboarding import brand_checklist, uncovered_hours
from marketplace.queues import selectors as queues_selectors
from routing.promises.selectors import promise_for_new_inquiry
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_new_brand_sees_every_step_to_do() -> None:
    brand = factories.brand()
    client = Client()
    client.force_login(factories.brand_member(of=brand))

    page = client.get("/brand/").content.decode()

    assert "Get ready to take inquiries (6 steps left)" in page
    assert "No queue yet." in page
    assert "0 experts certified." in page


def test_the_checklist_counts_covered_hours_without_a_booked_expert(captured_tasks: list) -> None:
    now = timezone.now()
    queue = factories.queue()  # covers after hours and weekends, no business hours: always
    factories.on_shift_expert(on=queue, now=now)  # booked from an hour ago for 8 hours

    checklist = brand_checklist(brand=queue.brand, now=now)

    steps = {item.key: item.done for item in checklist.items}
    assert steps == {"queue": True, "training": False, "experts": True, "shifts": False,
                     "channel": False, "test_inquiry": False}
    # the hour now and the next eight overlap the booking (it ends mid-hour, at now + 8 h)
    booked_hours = 9 if now.replace(minute=0, second=0, microsecond=0) != now else 8
    assert checklist.uncovered_hours == 168 - booked_hours
    assert not checklist.uncovered_now


def test_uncovered_hours_skip_hours_the_brand_covers_itself() -> None:
    queue = factories.queue(covers_weekends=False, spans=tuple(
        (weekday, "09:00", "17:00") for weekday in range(5)))
    monday = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
    calendar = queues_selectors.queue_coverage_calendar(queue=queue, now=monday)

    missing = uncovered_hours(calendar=calendar, booked=[(monday + timedelta(hours=18),
                                                          monday + timedelta(hours=24))],
                              start=monday, hours=24)

    # Dublin is UTC in winter: covered 00-09 and 17-24, booked 18-24.
    assert [hour.hour for hour in missing] == [0, 1, 2, 3, 4, 5, 6, 7, 8, 17]


def test_an_uncovered_hour_now_is_said_on_the_console_and_in_the_promise() -> None:
    now = timezone.now()
    queue = factories.queue()
    client = Client()
    client.force_login(factories.brand_member(of=queue.brand))

    page = client.get("/brand/").content.decode()
    promise = promise_for_new_inquiry(queue=queue, channel="email", language="en", now=now)

    assert "No expert is booked for this hour" in page
    assert "nobody has checked in" not in page
    assert "Nobody is on shift right now." in promise.text
    assert promise.basis["experts_on_shift"] == 0
    assert (promise.basis["experts_booked"], promise.basis["nobody_on_shift"]) \
        == (0, "nobody_booked")


def test_booked_but_not_checked_in_is_told_apart_from_nobody_booked(
        captured_tasks: list) -> None:
    now = timezone.now()
    queue = factories.queue()
    factories.on_shift_expert(on=queue, now=now, checked_in=False)
    client = Client()
    client.force_login(factories.brand_member(of=queue.brand))

    console = client.get("/brand/").content.decode()
    inquiry = factories.inquiry(on=queue, now=now)
    inquiry_page = client.get(f"/brand/inquiries/{inquiry.pk}/").content.decode()

    assert "booked for this hour but nobody has checked in" in console
    assert "No expert is booked for this hour" not in console
    assert (inquiry.promise_basis["experts_booked"], inquiry.promise_basis["experts_on_shift"],
            inquiry.promise_basis["nobody_on_shift"]) == (1, 0, "booked_not_checked_in")
    assert "Experts were booked for this hour but none had checked in (1 booked)." \
        in inquiry_page


def test_the_brands_inquiry_page_is_live(now: datetime, captured_tasks: list) -> None:
    """The page listens on the console's socket for its inquiry's row and then reloads its
    facts, conversation and timeline in place."""
    queue = factories.queue()
    inquiry = factories.inquiry(on=queue, now=now)
    client = Client()
    client.force_login(factories.brand_member(of=queue.brand))

    page = client.get(f"/brand/inquiries/{inquiry.pk}/").content.decode()

    assert 'ws-connect="/ws/brand/"' in page
    assert f'<tr id="inquiry-row-{inquiry.pk}"></tr>' in page
    assert 'hx-select="#inquiry-live"' in page
    assert 'hx-trigger="inquiry-changed from:body"' in page

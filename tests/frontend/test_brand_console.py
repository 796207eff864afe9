"""The brand console: the live queue with search, filters and pagination, the week chart,
the inquiry timeline, for every brand role."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from marketplace.inquiries import selectors as inquiries_selectors
from marketplace.inquiries.models import Inquiry, InquiryStatus
from marketplace.onboarding.models import BrandRole
from routing.assignments import services as assignments_services
from routing.offers import services as offers_services
from tests import factories

pytestmark = pytest.mark.django_db


def logged_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def row_ids(response: object) -> list[int]:
    return [inquiry.pk for inquiry in response.context["page"].object_list]  # type: ignore[attr-defined]


@pytest.mark.parametrize("role", [BrandRole.OWNER, BrandRole.ADMIN, BrandRole.VIEWER])
def test_every_brand_role_sees_the_console_and_the_inquiry(
    role: BrandRole, now: datetime, captured_tasks: list
) -> None:
    queue = factories.queue()
    inquiry = factories.inquiry(on=queue, now=now, subject="Lost parcel")
    client = logged_in(factories.brand_member(of=queue.brand, role=role))

    console = client.get("/brand/")
    page = client.get(f"/brand/inquiries/{inquiry.pk}/")

    assert console.status_code == 200
    assert b"Lost parcel" in console.content
    assert page.status_code == 200
    assert b"Lost parcel" in page.content


def test_empty_console_explains_how_inquiries_arrive() -> None:
    queue = factories.queue()

    response = logged_in(factories.brand_member(of=queue.brand)).get("/brand/")

    assert b"Nothing open right now" in response.content
    assert b'id="live-rows"' in response.content


def test_live_queue_shows_open_inquiries_and_all_shows_resolved_too(
    now: datetime, captured_tasks: list
) -> None:
    queue = factories.queue()
    open_inquiry = factories.inquiry(on=queue, now=now)
    closed = factories.inquiry(on=queue, now=now - timedelta(minutes=1))
    Inquiry.objects.filter(pk=closed.pk).update(status=InquiryStatus.RESOLVED, resolved_at=now)
    client = logged_in(factories.brand_member(of=queue.brand))

    assert row_ids(client.get("/brand/")) == [open_inquiry.pk]
    assert row_ids(client.get("/brand/?status=all")) == [open_inquiry.pk, closed.pk]
    assert row_ids(client.get("/brand/?status=resolved")) == [closed.pk]
    assert row_ids(client.get("/brand/?status=nonsense")) == [open_inquiry.pk]


def test_search_matches_subject_customer_email_and_external_id(
    now: datetime, captured_tasks: list
) -> None:
    queue = factories.queue()
    by_subject = factories.inquiry(on=queue, now=now, subject="Broken zipper")
    by_email = factories.inquiry(on=queue, now=now - timedelta(seconds=1),
                                 customer_email="kim@shop.example")
    by_external = factories.inquiry(on=queue, now=now - timedelta(seconds=2),
                                    external_id="zendesk-777")
    client = logged_in(factories.brand_member(of=queue.brand))

    assert row_ids(client.get("/brand/?q=zipper")) == [by_subject.pk]
    assert row_ids(client.get("/brand/?q=KIM@shop")) == [by_email.pk]
    assert row_ids(client.get("/brand/?q=desk-777")) == [by_external.pk]
    nothing = client.get("/brand/?q=nowhere%00")
    assert nothing.status_code == 200
    assert "No inquiries match “nowhere”" in nothing.content.decode()
    assert b'id="live-rows"' not in nothing.content


def test_channel_filter(now: datetime, captured_tasks: list) -> None:
    queue = factories.queue()
    chat = factories.inquiry(on=queue, now=now, channel="chat")
    factories.inquiry(on=queue, now=now, channel="email")
    client = logged_in(factories.brand_member(of=queue.brand))

    assert row_ids(client.get("/brand/?channel=chat")) == [chat.pk]


def test_console_is_paginated_keeping_the_filters(now: datetime, captured_tasks: list) -> None:
    queue = factories.queue()
    created = [factories.inquiry(on=queue, now=now - timedelta(seconds=n), channel="chat")
               for n in range(26)]
    client = logged_in(factories.brand_member(of=queue.brand))

    first = client.get("/brand/?channel=chat")
    second = client.get("/brand/?channel=chat&page=2")

    assert row_ids(first) == [inquiry.pk for inquiry in created[:25]]
    assert row_ids(second) == [created[25].pk]
    assert b'href="?channel=chat&amp;page=2"' in first.content
    assert b"Page 2 of 2" in second.content


def test_row_shows_age_promise_and_time_left(captured_tasks: list) -> None:
    received = datetime.now(UTC) - timedelta(minutes=5)
    queue = factories.queue()
    factories.inquiry(on=queue, now=received, channel="email")
    client = logged_in(factories.brand_member(of=queue.brand))

    content = client.get("/brand/").content.decode()

    assert "5\xa0minutes" in content
    assert "min" in content and " left</time>" in content
    deadline = received + timedelta(minutes=15)
    assert f'data-countdown="{deadline.isoformat()}"' in content


def test_daily_figures_count_received_resolved_and_on_time(captured_tasks: list) -> None:
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    queue = factories.queue()
    fast = factories.inquiry(on=queue, now=now - timedelta(days=1))
    slow = factories.inquiry(on=queue, now=now - timedelta(days=1, minutes=1))
    waiting = factories.inquiry(on=queue, now=now - timedelta(minutes=1))
    Inquiry.objects.filter(pk=fast.pk).update(
        first_replied_at=fast.received_at + timedelta(minutes=2),
        status=InquiryStatus.RESOLVED, resolved_at=now)
    Inquiry.objects.filter(pk=slow.pk).update(
        first_replied_at=slow.received_at + timedelta(hours=1))
    factories.inquiry(on=queue, now=now - timedelta(days=8))
    factories.inquiry(on=factories.queue(), now=now)

    figures = inquiries_selectors.inquiry_daily_figures_for_brand(brand=queue.brand, now=now)

    assert [figure.day for figure in figures] == [date(2026, 11, 19) + timedelta(days=n)
                                                  for n in range(7)]
    assert [(f.received, f.resolved, f.due, f.on_time) for f in figures[-2:]] == [
        (2, 0, 2, 1), (1, 1, 0, 0)]
    assert figures[-2].on_time_share == 0.5
    assert figures[-1].on_time_share is None
    assert sum(figure.received for figure in figures) == 3
    assert waiting.pk


def test_console_draws_the_week_chart(now: datetime, captured_tasks: list) -> None:
    queue = factories.queue()
    factories.inquiry(on=queue, now=datetime.now(UTC))
    client = logged_in(factories.brand_member(of=queue.brand))

    content = client.get("/brand/").content.decode()

    assert "<svg" in content
    assert content.count('class="bar-received"') == 7
    assert "Last 7 days: 1 received, 0 resolved" in content


def test_inquiry_page_tells_the_whole_story(now: datetime, captured_tasks: list) -> None:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)
    inquiry = factories.inquiry(on=queue, now=now, subject="Lost parcel")
    offer_id = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now).offer_id
    assert offer_id is not None
    offers_services.offer_accept(offer_id=offer_id, expert=expert, now=now)
    assignments_services.assignment_reply(inquiry_id=inquiry.pk, expert=expert, author=expert.user,
                                      body="It ships tomorrow.", now=now + timedelta(minutes=3))
    assignments_services.assignment_resolve(inquiry_id=inquiry.pk, expert=expert,
                                        now=now + timedelta(minutes=9))
    client = logged_in(factories.brand_member(of=queue.brand, role=BrandRole.VIEWER))

    content = client.get(f"/brand/inquiries/{inquiry.pk}/").content.decode()

    labels = ["Received", "Coverage decision", "Offered", "Accepted", "Reply sent", "Resolved"]
    timeline = content[content.index("<h2>Timeline</h2>"):]
    positions = [timeline.index(f"<strong>{label}</strong>") for label in labels]
    assert positions == sorted(positions)
    assert f"{expert.display_name} <strong>(chosen)</strong>" in content
    assert "after 3 min 00 s (within target)" in content
    assert "It ships tomorrow." in content


def test_console_queries_do_not_grow_with_the_rows(
    now: datetime, captured_tasks: list, django_assert_num_queries: Any
) -> None:
    queue = factories.queue()
    client = logged_in(factories.brand_member(of=queue.brand))
    factories.inquiry(on=queue, now=now)
    client.get("/brand/")
    with CaptureQueriesContext(connection) as one_row:
        client.get("/brand/")
    for number in range(10):
        factories.inquiry(on=queue, now=now - timedelta(seconds=number + 1))

    with django_assert_num_queries(len(one_row)):
        response = client.get("/brand/")

    assert len(row_ids(response)) == 11

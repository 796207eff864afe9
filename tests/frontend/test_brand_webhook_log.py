"""The brand's outbound webhook delivery log (/brand/queues/<id>/webhooks/): replies and
inquiry events together, newest first, with attempts, the last answer and the next try; the
failed ones alone; a retry of a failed one that is audit-logged; owners and admins only."""

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from marketplace.delivery.models import WebhookEventAttempt
from marketplace.inquiries.models import DeliveryStatus, Message, WebhookEvent
from marketplace.onboarding.models import BrandAuditEvent, BrandRole
from tests import factories
from tests.frontend.test_brand_channels import failed_reply

pytestmark = pytest.mark.django_db


def logged_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def event_of(reply: Message, now: datetime, *, status: str, attempts: int = 1,
             code: int | None = 200, name: str = "inquiry.assigned") -> WebhookEvent:
    event = WebhookEvent.objects.create(
        inquiry=reply.inquiry, event=name, payload={}, created_at=now + timedelta(seconds=1),
        delivery_status=status, delivery_attempts=attempts)
    for number in range(1, attempts + 1):
        WebhookEventAttempt.objects.create(
            webhook_event=event, number=number, attempted_at=now + timedelta(seconds=number),
            succeeded=status == DeliveryStatus.DELIVERED and number == attempts,
            status_code=code, error="" if code == 200 else "ConnectError: refused")
    return event


def test_the_log_lists_replies_and_events_with_attempts_answer_and_next_try(
        now: datetime, captured_tasks: list) -> None:
    reply = failed_reply(now)
    WebhookEvent.objects.filter(inquiry=reply.inquiry).delete()
    delivered = event_of(reply, now, status=DeliveryStatus.DELIVERED)
    pending = event_of(reply, now, status=DeliveryStatus.PENDING, attempts=2, code=None,
                       name="inquiry.resolved")
    queue = reply.inquiry.queue
    client = logged_in(factories.brand_member(of=queue.brand, role=BrandRole.ADMIN))

    page = client.get(f"/brand/queues/{queue.pk}/webhooks/").content.decode()
    failed = client.get(f"/brand/queues/{queue.pk}/webhooks/?failed=1").content.decode()

    reply_row = page.split(f'id="delivery-reply-{reply.pk}"')[1].split("</tr>")[0]
    assert "message.created" in reply_row and "The helpdesk answered HTTP 503." in reply_row
    assert "Failed" in reply_row and "Retry now" in reply_row
    delivered_row = page.split(f'id="delivery-event-{delivered.pk}"')[1].split("</tr>")[0]
    assert "HTTP 200" in delivered_row and "Delivered" in delivered_row
    assert "Retry now" not in delivered_row
    pending_row = page.split(f'id="delivery-event-{pending.pk}"')[1].split("</tr>")[0]
    assert "ConnectError: refused" in pending_row
    assert 'data-label="Next try">–' not in pending_row
    assert f'id="delivery-reply-{reply.pk}"' in failed
    assert f'id="delivery-event-{delivered.pk}"' not in failed
    assert f'id="delivery-event-{pending.pk}"' not in failed


def test_the_log_costs_the_same_queries_for_few_or_many_deliveries(
        now: datetime, captured_tasks: list) -> None:
    reply = failed_reply(now)
    queue = reply.inquiry.queue
    client = logged_in(factories.brand_member(of=queue.brand, role=BrandRole.ADMIN))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/brand/queues/{queue.pk}/webhooks/").status_code == 200
        return len(captured.captured_queries)

    few = queries()
    for number in range(12):
        event_of(reply, now, status=DeliveryStatus.DELIVERED, name=f"inquiry.event{number}")
    assert queries() == few


def test_an_admin_retries_a_failed_event_and_the_audit_log_says_so(
        now: datetime, captured_tasks: list, django_capture_on_commit_callbacks: Any) -> None:
    reply = failed_reply(now)
    event = event_of(reply, now, status=DeliveryStatus.FAILED, code=500)
    queue = reply.inquiry.queue
    client = logged_in(factories.brand_member(of=queue.brand, role=BrandRole.ADMIN))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/brand/queues/{queue.pk}/webhooks/event/{event.pk}/retry/")
    again = client.post(f"/brand/queues/{queue.pk}/webhooks/event/{event.pk}/retry/")
    reply_retry = client.post(f"/brand/queues/{queue.pk}/webhooks/reply/{reply.pk}/retry/")

    assert response.status_code == 302
    assert response["Location"] == f"/brand/queues/{queue.pk}/webhooks/"
    event.refresh_from_db()
    reply.refresh_from_db()
    assert (event.delivery_status, reply.delivery_status) == ("pending", "pending")
    assert ("marketplace.deliver_webhook_event", [event.pk]) in captured_tasks
    assert again.status_code == 303  # the edge flashes "Only a failed delivery can be retried"
    assert reply_retry.status_code == 302
    audit = list(BrandAuditEvent.objects.filter(brand=queue.brand,
                                                action="channel.webhook_delivery_retried")
                 .order_by("id").values_list("target", flat=True))
    assert audit == [f"Event inquiry.assigned #{event.pk} of inquiry #{reply.inquiry_id}, "
                     f"queue {queue.name} (#{queue.pk})",
                     f"Reply #{reply.pk} of inquiry #{reply.inquiry_id}, "
                     f"queue {queue.name} (#{queue.pk})"]


def test_viewers_and_other_brands_neither_see_nor_retry(
        now: datetime, captured_tasks: list) -> None:
    reply = failed_reply(now)
    event = event_of(reply, now, status=DeliveryStatus.FAILED, code=500)
    queue = reply.inquiry.queue
    viewer = logged_in(factories.brand_member(of=queue.brand, role=BrandRole.VIEWER))
    stranger = logged_in(factories.brand_member(of=factories.brand(), role=BrandRole.ADMIN))
    retry = f"/brand/queues/{queue.pk}/webhooks/event/{event.pk}/retry/"

    assert viewer.get(f"/brand/queues/{queue.pk}/webhooks/").status_code == 403
    assert viewer.post(retry).status_code == 403
    assert stranger.get(f"/brand/queues/{queue.pk}/webhooks/").status_code == 404
    assert stranger.post(retry).status_code == 404
    assert stranger.post(f"/brand/queues/{queue.pk}/webhooks/bogus/{event.pk}/retry/") \
        .status_code == 404
    event.refresh_from_db()
    assert event.delivery_status == DeliveryStatus.FAILED
    assert not BrandAuditEvent.objects.filter(action="channel.webhook_delivery_retried").exists()


def test_the_channels_page_links_the_log_for_admins_only(now: datetime,
                                                         captured_tasks: list) -> None:
    queue = factories.queue()
    admin = logged_in(factories.brand_member(of=queue.brand, role=BrandRole.ADMIN))
    viewer = logged_in(factories.brand_member(of=queue.brand, role=BrandRole.VIEWER))

    assert f"/brand/queues/{queue.pk}/webhooks/" in admin.get(
        f"/brand/queues/{queue.pk}/channels/").content.decode()
    assert f"/brand/queues/{queue.pk}/webhooks/" not in viewer.get(
        f"/brand/queues/{queue.pk}/channels/").content.decode()

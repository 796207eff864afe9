"""Inquiry events out: each state change a helpdesk needs (created, assigned, replied,
escalated, resolved, reopened), posted to the queue's webhook when it subscribes, signed as
replies are, logged and retried. Only the HTTP boundary (outbound.send) is replaced."""

import json
from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from marketplace.delivery import services as delivery
from marketplace.delivery.models import WebhookEventAttempt
from marketplace.delivery.tasks import MAX_DELIVERY_RETRIES, deliver_webhook_event
from marketplace.infra import signing
from marketplace.inquiries.models import DeliveryStatus, WebhookEvent
from marketplace.intake import services as intake
from marketplace.queues.models import OverflowQueue
from marketplace.queues.parsers import WEBHOOK_EVENTS
from routing.assignments import services as assignments_services
from routing.escalations import services as escalations
from routing.offers import services as offers_services
from tests import factories
from tests.conftest import SUNDAY_AFTERNOON
from tests.marketplace.delivery.test_delivery import HELPDESK, helpdesk

pytestmark = pytest.mark.django_db

NOW = SUNDAY_AFTERNOON


def subscribed(*events: str) -> OverflowQueue:
    queue = factories.queue()
    queue.outbound_webhook_url = HELPDESK
    queue.webhook_events = list(events)
    queue.save(update_fields=["outbound_webhook_url", "webhook_events"])
    return queue


def test_every_subscribed_change_is_recorded_in_lifecycle_order(captured_tasks: list) -> None:
    queue = subscribed(*WEBHOOK_EVENTS)
    expert = factories.on_shift_expert(on=queue, now=NOW)
    inquiry = factories.inquiry(on=queue, now=NOW)
    offer_id = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=NOW).offer_id
    assert offer_id is not None
    offers_services.offer_accept(offer_id=offer_id, expert=expert, now=NOW)
    assignments_services.assignment_reply(inquiry_id=inquiry.pk, expert=expert,
                                          author=expert.user, body="On its way.", now=NOW)
    assignments_services.assignment_resolve(inquiry_id=inquiry.pk, expert=expert, now=NOW)
    intake.inquiry_add_customer_message(inquiry_id=inquiry.pk, body="Broken again.",
                                        now=NOW + timedelta(hours=1))

    events = list(WebhookEvent.objects.filter(inquiry=inquiry).values_list("event", flat=True))
    assert events == ["inquiry.created", "inquiry.assigned", "inquiry.replied",
                      "inquiry.resolved", "inquiry.reopened"]
    assert set(WebhookEvent.objects.values_list("delivery_status", flat=True)) == {
        DeliveryStatus.PENDING}


def test_only_the_subscribed_events_go_out(captured_tasks: list) -> None:
    queue = subscribed("inquiry.escalated")
    expert = factories.on_shift_expert(on=queue, now=NOW)
    inquiry = factories.inquiry(on=queue, now=NOW)
    offer_id = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=NOW).offer_id
    assert offer_id is not None
    offers_services.offer_accept(offer_id=offer_id, expert=expert, now=NOW)

    escalations.assignment_escalate(inquiry_id=inquiry.pk, expert=expert,
                                    reason="refund_or_exception", note="",
                                    summary="Wants EUR 240 back.", now=NOW)

    event = WebhookEvent.objects.get()
    assert (event.event, event.payload["inquiry"]["status"], event.payload["data"]) == (
        "inquiry.escalated", "escalated",
        {"reason": "refund_or_exception", "note": "", "summary": "Wants EUR 240 back."})


def test_no_event_without_an_outbound_webhook(captured_tasks: list) -> None:
    queue = subscribed(*WEBHOOK_EVENTS)
    queue.outbound_webhook_url = ""
    queue.save(update_fields=["outbound_webhook_url"])

    factories.inquiry(on=queue, now=NOW)

    assert WebhookEvent.objects.count() == 0


def test_an_event_is_posted_signed_with_its_idempotency_key(
    monkeypatch: pytest.MonkeyPatch, captured_tasks: list,
) -> None:
    fake = helpdesk(monkeypatch, 200)
    queue = subscribed("inquiry.created")
    inquiry = factories.inquiry(on=queue, now=NOW)
    event = WebhookEvent.objects.get()

    delivered = delivery.webhook_event_deliver(webhook_event_id=event.pk, now=NOW)
    delivery.webhook_event_deliver(webhook_event_id=event.pk, now=NOW)

    assert (delivered.delivery_status, delivered.delivered_at) == (DeliveryStatus.DELIVERED, NOW)
    assert len(fake.requests) == 1
    headers = fake.requests[0]["headers"]
    assert headers["Idempotency-Key"] == f"event-{event.pk}"
    assert headers["X-Shiftline-Delivery"] == f"event-{event.pk}-attempt-1"
    signing.verify(secret=queue.webhook_secret,
                   timestamp_header=headers["X-Shiftline-Timestamp"],
                   signature_header=headers["X-Shiftline-Signature"],
                   body=fake.requests[0]["content"], now=NOW)
    payload = json.loads(fake.requests[0]["content"])
    assert (payload["id"], payload["event"], payload["inquiry"]["external_id"]) == (
        event.pk, "inquiry.created", inquiry.external_id)
    with pytest.raises(signing.SignatureRejected):
        signing.verify(secret="another secret",
                       timestamp_header=headers["X-Shiftline-Timestamp"],
                       signature_header=headers["X-Shiftline-Signature"],
                       body=fake.requests[0]["content"], now=NOW)


def test_the_task_retries_until_the_helpdesk_answers(monkeypatch: pytest.MonkeyPatch,
                                                     captured_tasks: list) -> None:
    fake = helpdesk(monkeypatch, 0, 502, 200)
    factories.inquiry(on=subscribed("inquiry.created"), now=NOW)
    event = WebhookEvent.objects.get()

    deliver_webhook_event.apply(args=(event.pk,))

    event.refresh_from_db()
    assert (event.delivery_status, event.delivery_attempts) == (DeliveryStatus.DELIVERED, 3)
    assert len(fake.requests) == 3
    assert list(WebhookEventAttempt.objects.values_list("number", "succeeded", "status_code")) \
        == [(1, False, None), (2, False, 502), (3, True, 200)]


def test_the_task_gives_up_after_the_last_attempt(monkeypatch: pytest.MonkeyPatch,
                                                  captured_tasks: list) -> None:
    helpdesk(monkeypatch, 503)
    factories.inquiry(on=subscribed("inquiry.created"), now=NOW)
    event = WebhookEvent.objects.get()

    deliver_webhook_event.apply(args=(event.pk,))

    event.refresh_from_db()
    assert (event.delivery_status, event.delivery_attempts, event.delivery_error) == (
        DeliveryStatus.FAILED, MAX_DELIVERY_RETRIES + 1, "The helpdesk answered HTTP 503.")


def test_a_refusal_fails_at_once(monkeypatch: pytest.MonkeyPatch, captured_tasks: list) -> None:
    fake = helpdesk(monkeypatch, 400)
    factories.inquiry(on=subscribed("inquiry.created"), now=NOW)
    event = WebhookEvent.objects.get()

    deliver_webhook_event.apply(args=(event.pk,))

    event.refresh_from_db()
    assert (event.delivery_status, len(fake.requests)) == (DeliveryStatus.FAILED, 1)


def test_a_lost_event_task_is_resumed_by_the_sweep(captured_tasks: list) -> None:
    factories.inquiry(on=subscribed("inquiry.created"), now=NOW)
    event = WebhookEvent.objects.get()

    early = delivery.webhook_events_resume_stalled(now=NOW + timedelta(seconds=10))
    late = delivery.webhook_events_resume_stalled(now=NOW + timedelta(minutes=2))

    assert (early, late, event.delivery_status) == (0, 1, DeliveryStatus.PENDING)


def test_the_queue_api_sets_and_refuses_subscriptions(captured_tasks: list) -> None:
    queue = factories.queue()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {factories.api_key(of=queue.brand)}")

    saved = client.patch(f"/api/v1/queues/{queue.pk}",
                         {"webhook_events": ["inquiry.resolved", "inquiry.escalated"]},
                         format="json")
    refused = client.patch(f"/api/v1/queues/{queue.pk}", {"webhook_events": ["inquiry.eaten"]},
                           format="json")

    assert saved.status_code == 200, saved.content
    assert saved.json()["webhook_events"] == ["inquiry.escalated", "inquiry.resolved"]
    assert refused.status_code == 400
    queue.refresh_from_db()
    assert queue.webhook_events == ["inquiry.escalated", "inquiry.resolved"]

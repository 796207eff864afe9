"""Replies out: email threading, the signed outbound webhook, retries, the delivery log, the
failed state and nothing delivered twice. Only the HTTP boundary (outbound.send) is replaced."""

import json
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from django.core import mail

from marketplace.delivery import services as delivery
from marketplace.delivery.models import DeliveryAttempt
from marketplace.delivery.tasks import MAX_DELIVERY_RETRIES, deliver_message
from marketplace.infra import signing
from marketplace.inquiries.models import DeliveryStatus, Message
from marketplace.intake import services as intake
from routing.assignments import services as assignments_services
from tests import factories
from tests.conftest import PUBLIC_HELPDESK_ADDRESS, SUNDAY_AFTERNOON

pytestmark = pytest.mark.django_db

HELPDESK = "https://helpdesk.example/shiftline"


@dataclass
class FakeHelpdesk:
    """Answers the given status codes in turn (the last one repeats) and records requests."""

    statuses: list[int]
    requests: list[dict[str, Any]] = field(default_factory=list)

    def post(self, url: httpx.URL, *, content: bytes, headers: dict[str, str],
             timeout: float, **_: object) -> httpx.Response:
        self.requests.append({"url": url, "content": content, "headers": headers})
        status = self.statuses[min(len(self.requests), len(self.statuses)) - 1]
        if status == 0:
            raise httpx.ConnectError("connection refused")
        return httpx.Response(status, request=httpx.Request("POST", url))


def helpdesk(monkeypatch: pytest.MonkeyPatch, *statuses: int) -> FakeHelpdesk:
    fake = FakeHelpdesk(list(statuses))
    monkeypatch.setattr("marketplace.infra.outbound.send", fake.post)
    return fake


def reply_on(*, webhook: bool, now: datetime = SUNDAY_AFTERNOON, source: str = "api") -> Message:
    queue = factories.queue()
    if webhook:
        queue.outbound_webhook_url = HELPDESK
        queue.save(update_fields=["outbound_webhook_url"])
    reply, _ = factories.expert_reply(on=queue, now=now, body="It ships today.",
                                      source=source, subject="Lost parcel")
    return reply


def test_webhook_delivery_is_signed_and_carries_an_idempotency_key(
    monkeypatch: pytest.MonkeyPatch, captured_tasks: list,
) -> None:
    fake = helpdesk(monkeypatch, 200)
    message = reply_on(webhook=True)

    delivered = delivery.message_deliver(message_id=message.pk, now=SUNDAY_AFTERNOON)

    assert delivered.delivery_status == DeliveryStatus.DELIVERED
    request = fake.requests[0]
    headers = request["headers"]
    # Sent to the address that was checked, under the helpdesk's own name (outbound.py).
    assert str(request["url"]) == f"https://{PUBLIC_HELPDESK_ADDRESS}/shiftline"
    assert headers["Host"] == "helpdesk.example"
    assert headers["Idempotency-Key"] == f"message-{message.pk}"
    assert headers["X-Shiftline-Delivery"] == f"message-{message.pk}-attempt-1"
    signing.verify(secret=message.inquiry.queue.webhook_secret,
                   timestamp_header=headers["X-Shiftline-Timestamp"],
                   signature_header=headers["X-Shiftline-Signature"],
                   body=request["content"], now=SUNDAY_AFTERNOON)
    payload = json.loads(request["content"])
    assert payload["event"] == "message.created"
    assert payload["message"] == {"id": message.pk, "body": "It ships today.",
                                  "created_at": SUNDAY_AFTERNOON.isoformat(),
                                  "author": ""}
    assert payload["inquiry"]["external_id"] == message.inquiry.external_id
    assert list(DeliveryAttempt.objects.values_list("number", "route", "succeeded",
                                                    "status_code")) == [
        (1, "webhook", True, 200)]
    assert mail.outbox == []


def test_delivered_message_is_never_sent_again(monkeypatch: pytest.MonkeyPatch,
                                               captured_tasks: list) -> None:
    fake = helpdesk(monkeypatch, 200)
    message = reply_on(webhook=True)

    delivery.message_deliver(message_id=message.pk, now=SUNDAY_AFTERNOON)
    delivery.message_deliver(message_id=message.pk, now=SUNDAY_AFTERNOON)
    deliver_message.apply(args=(message.pk,))

    assert len(fake.requests) == 1
    assert DeliveryAttempt.objects.count() == 1


def test_transient_failure_is_logged_and_stays_pending(monkeypatch: pytest.MonkeyPatch,
                                                       captured_tasks: list) -> None:
    helpdesk(monkeypatch, 503)
    message = reply_on(webhook=True)

    result = delivery.message_deliver(message_id=message.pk, now=SUNDAY_AFTERNOON)

    assert (result.delivery_status, result.delivery_attempts) == (DeliveryStatus.PENDING, 1)
    assert list(DeliveryAttempt.objects.values_list("succeeded", "status_code", "error")) == [
        (False, 503, "The helpdesk answered HTTP 503.")]


def test_helpdesk_refusal_fails_at_once_and_is_on_the_timeline(
    monkeypatch: pytest.MonkeyPatch, captured_tasks: list,
) -> None:
    fake = helpdesk(monkeypatch, 410)
    message = reply_on(webhook=True)

    deliver_message.apply(args=(message.pk,))

    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.FAILED
    assert len(fake.requests) == 1
    event = message.inquiry.events.last()
    assert event is not None and event.kind == "delivery_failed"


def test_task_retries_until_the_helpdesk_answers(monkeypatch: pytest.MonkeyPatch,
                                                 captured_tasks: list) -> None:
    fake = helpdesk(monkeypatch, 0, 502, 200)
    message = reply_on(webhook=True)

    deliver_message.apply(args=(message.pk,))

    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.DELIVERED
    assert len(fake.requests) == 3
    assert list(DeliveryAttempt.objects.values_list("number", "succeeded", "status_code")) == [
        (1, False, None), (2, False, 502), (3, True, 200)]
    assert DeliveryAttempt.objects.first().error.startswith("ConnectError")  # type: ignore[union-attr]


def test_task_gives_up_after_the_last_attempt_and_the_brand_can_retry(
    monkeypatch: pytest.MonkeyPatch, captured_tasks: list,
) -> None:
    fake = helpdesk(monkeypatch, 503)
    message = reply_on(webhook=True)

    deliver_message.apply(args=(message.pk,))
    message.refresh_from_db()
    failed_status = message.delivery_status
    fake.statuses = [200]
    delivery.message_retry_delivery(brand=message.inquiry.brand, message_id=message.pk,
                                    now=SUNDAY_AFTERNOON)
    deliver_message.apply(args=(message.pk,))

    message.refresh_from_db()
    assert failed_status == DeliveryStatus.FAILED
    assert message.delivery_status == DeliveryStatus.DELIVERED
    assert message.delivery_attempts == MAX_DELIVERY_RETRIES + 2
    assert list(DeliveryAttempt.objects.values_list("succeeded", flat=True)) == \
        [False] * (MAX_DELIVERY_RETRIES + 1) + [True]


def test_failed_message_is_not_sent_by_the_task_again(monkeypatch: pytest.MonkeyPatch,
                                                      captured_tasks: list) -> None:
    fake = helpdesk(monkeypatch, 400)
    message = reply_on(webhook=True)
    deliver_message.apply(args=(message.pk,))

    deliver_message.apply(args=(message.pk,))

    assert len(fake.requests) == 1


def test_email_inquiry_is_answered_by_email_even_with_a_webhook(
    monkeypatch: pytest.MonkeyPatch, captured_tasks: list,
) -> None:
    fake = helpdesk(monkeypatch, 200)
    message = reply_on(webhook=True, source="email")

    delivery.message_deliver(message_id=message.pk, now=SUNDAY_AFTERNOON)

    assert fake.requests == []
    assert len(mail.outbox) == 1
    assert DeliveryAttempt.objects.get().route == "email"


def test_email_reply_threads_onto_the_latest_customer_message(captured_tasks: list) -> None:
    message = reply_on(webhook=False)
    inquiry = message.inquiry
    first = inquiry.messages.order_by("created_at").first()
    intake.inquiry_add_customer_message(
        inquiry_id=inquiry.pk, body="Which carrier?",
        now=SUNDAY_AFTERNOON + timedelta(minutes=1),
        email_message_id="<later@mail.example.com>")
    expert = message.author
    assert expert is not None
    second = assignments_services.assignment_reply(
        inquiry_id=inquiry.pk,
        expert=expert.expert_profile,
        author=expert,
        body="DHL.",
        now=SUNDAY_AFTERNOON + timedelta(minutes=2),
    )

    delivery.message_deliver(message_id=second.pk, now=SUNDAY_AFTERNOON + timedelta(minutes=2))

    sent = mail.outbox[0]
    assert first is not None
    assert sent.extra_headers["In-Reply-To"] == "<later@mail.example.com>"
    assert sent.extra_headers["References"] == " ".join(
        [first.email_message_id, message.email_message_id, "<later@mail.example.com>"])
    assert sent.subject == "Re: Lost parcel"


def test_smtp_failure_is_logged_and_retried(monkeypatch: pytest.MonkeyPatch,
                                            captured_tasks: list) -> None:
    message = reply_on(webhook=False)

    def refuse(*args: object, **kwargs: object) -> int:
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)

    result = delivery.message_deliver(message_id=message.pk, now=SUNDAY_AFTERNOON)

    assert result.delivery_status == DeliveryStatus.PENDING
    assert DeliveryAttempt.objects.get().error == "SMTPServerDisconnected: gone"


def resumed_at(moment: datetime, captured_tasks: list,
               capture: Any) -> list[tuple[str, list[object]]]:
    captured_tasks.clear()
    with capture(execute=True):
        delivery.messages_resume_stalled_deliveries(now=moment)
    return list(captured_tasks)


def test_a_reply_whose_delivery_task_was_lost_is_sent_again_within_a_minute(
    captured_tasks: list, django_capture_on_commit_callbacks: Any,
) -> None:
    """Redis down when the reply was written: its task never reached the broker. The sweep
    (every 15 s) schedules it again once it is 45 s overdue, not 15 minutes later."""
    lost = reply_on(webhook=True)
    capture = django_capture_on_commit_callbacks

    assert resumed_at(SUNDAY_AFTERNOON + timedelta(seconds=30), captured_tasks, capture) == []
    assert resumed_at(SUNDAY_AFTERNOON + timedelta(seconds=46), captured_tasks, capture) == [
        ("marketplace.deliver_message", [lost.pk])]


def test_a_reply_waiting_out_its_backoff_is_not_resumed_until_the_retry_is_overdue(
    captured_tasks: list, django_capture_on_commit_callbacks: Any, settings: Any,
) -> None:
    """Three failed attempts: the task's next retry is 30 s times 4 after the last one; a second
    retry chain must not start before that retry is itself late."""
    settings.SHIFTLINE_DELIVERY_RETRY_SECONDS = 30
    waiting = reply_on(webhook=True)
    last = SUNDAY_AFTERNOON + timedelta(minutes=5)
    for number in (1, 2, 3):
        DeliveryAttempt.objects.create(message=waiting, number=number, route="webhook",
                                       attempted_at=last - timedelta(seconds=60 * (3 - number)),
                                       succeeded=False, status_code=503)
    capture = django_capture_on_commit_callbacks

    assert resumed_at(last + timedelta(seconds=120 + 40), captured_tasks, capture) == []
    assert resumed_at(last + timedelta(seconds=120 + 46), captured_tasks, capture) == [
        ("marketplace.deliver_message", [waiting.pk])]


def test_delivered_and_failed_replies_are_never_resumed(
    captured_tasks: list, django_capture_on_commit_callbacks: Any,
) -> None:
    delivered, failed = reply_on(webhook=True), reply_on(webhook=True)
    Message.objects.filter(pk=delivered.pk).update(delivery_status=DeliveryStatus.DELIVERED)
    Message.objects.filter(pk=failed.pk).update(delivery_status=DeliveryStatus.FAILED)

    assert resumed_at(SUNDAY_AFTERNOON + timedelta(hours=1), captured_tasks,
                      django_capture_on_commit_callbacks) == []


def test_a_resumed_task_beside_the_live_one_sends_the_reply_once(
    monkeypatch: pytest.MonkeyPatch, captured_tasks: list,
) -> None:
    fake = helpdesk(monkeypatch, 200)
    message = reply_on(webhook=True)

    for _ in range(2):  # the original task, late, and the one the sweep scheduled
        delivery.message_deliver(message_id=message.pk, now=SUNDAY_AFTERNOON)

    assert len(fake.requests) == 1
    assert DeliveryAttempt.objects.filter(message=message).count() == 1

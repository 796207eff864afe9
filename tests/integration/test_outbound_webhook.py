"""A reply to a helpdesk inquiry travels through the real Celery worker to a brand's helpdesk
(a tiny HTTP server on 127.0.0.1 here) that fails twice, then accepts: retried with backoff,
every attempt logged, delivered once."""

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import timezone

from marketplace.delivery.models import DeliveryAttempt
from marketplace.infra import signing
from marketplace.inquiries.models import DeliveryStatus, Message
from routing.assignments import services as assignments_services
from routing.models import Offer
from routing.offers import services as offers_services
from tests import factories
from tests.live import LivePlatform
from tests.marketplace.intake.emails import basic_auth

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@contextmanager
def flaky_helpdesk(statuses: list[int]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"headers": dict(self.headers), "body": body})
            status = statuses[min(len(received), len(statuses)) - 1]
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/shiftline", received
    finally:
        server.shutdown()
        server.server_close()


def wait_until(check: Any, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_webhook_reply_failing_twice_is_retried_by_the_worker_and_logged(
    live: LivePlatform,
) -> None:
    now = timezone.now()
    with flaky_helpdesk([503, 503, 200]) as (url, received):
        queue = factories.queue()
        queue.outbound_webhook_url = url
        queue.save(update_fields=["outbound_webhook_url"])
        expert = factories.on_shift_expert(on=queue, now=now)
        created = live.post_json("/api/v1/inquiries", {
            "external_id": "hd-1", "channel": "chat", "subject": "Refund",
            "body": "Please refund.", "customer": {"email": "ana@example.com"},
        }, api_key=factories.api_key(of=queue.brand))
        wait_until(lambda: Offer.objects.filter(inquiry_id=created["id"]).exists())
        offer = Offer.objects.get(inquiry_id=created["id"])
        offers_services.offer_accept(offer_id=offer.pk, expert=expert, now=timezone.now())
        reply = assignments_services.assignment_reply(inquiry_id=created["id"], expert=expert,
                                          author=expert.user, body="Refunded.",
                                          now=timezone.now())

        wait_until(lambda: Message.objects.get(pk=reply.pk).delivery_status
                   == DeliveryStatus.DELIVERED)

    attempts = list(DeliveryAttempt.objects.filter(message=reply)
                    .values_list("number", "succeeded", "status_code"))
    assert attempts == [(1, False, 503), (2, False, 503), (3, True, 200)]
    assert len(received) == 3
    keys = {request["headers"]["Idempotency-Key"] for request in received}
    assert keys == {f"message-{reply.pk}"}
    last = received[-1]
    signing.verify(secret=queue.webhook_secret,
                   timestamp_header=last["headers"]["X-Shiftline-Timestamp"],
                   signature_header=last["headers"]["X-Shiftline-Signature"],
                   body=last["body"], now=timezone.now())
    assert json.loads(last["body"])["message"]["body"] == "Refunded."
    times = list(DeliveryAttempt.objects.filter(message=reply)
                 .values_list("attempted_at", flat=True))
    assert times[1] - times[0] >= timedelta(seconds=1)
    assert times[2] - times[1] >= timedelta(seconds=2)


def post_raw(live: LivePlatform, path: str, body: bytes,
             headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(live.base_url + path, data=body, method="POST",  # noqa: S310
                                     headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_signed_webhook_and_raw_email_through_the_live_server(live: LivePlatform) -> None:
    queue = factories.queue()
    body = json.dumps({"external_id": "live-wh", "channel": "chat", "subject": "Hi",
                       "body": "Hello", "customer": {"email": "ana@example.com"}}).encode()
    timestamp = int(time.time())
    signed = {"Content-Type": "application/json",
              "X-Shiftline-Timestamp": str(timestamp), "X-Shiftline-Delivery": "live-1",
              "X-Shiftline-Signature": signing.sign(secret=queue.webhook_secret,
                                                    timestamp=timestamp, body=body)}
    email = (b"From: Ana <ana@example.com>\r\nSubject: Zip\r\nMessage-ID: <live@x>\r\n\r\n"
             b"Broken.\r\n")
    email_path = f"/api/v1/inbound/email/{queue.pk}"
    email_headers = {"Content-Type": "message/rfc822", "Authorization": basic_auth(queue)}

    webhook = post_raw(live, f"/api/v1/webhooks/queues/{queue.pk}/inquiries", body, signed)
    replay = post_raw(live, f"/api/v1/webhooks/queues/{queue.pk}/inquiries", body, signed)
    received = post_raw(live, email_path, email, email_headers)
    too_big = post_raw(live, email_path, b"x" * (25 * 1024 * 1024 + 1), email_headers)
    nul = post_raw(live, f"/api/v1/webhooks/queues/{queue.pk}/inquiries",
                   b'{"body": "\\u0000"}', {**signed, "X-Shiftline-Signature": signing.sign(
                       secret=queue.webhook_secret, timestamp=timestamp,
                       body=b'{"body": "\\u0000"}'), "X-Shiftline-Delivery": "live-2"})

    assert (webhook[0], replay[0], received[0], too_big[0], nul[0]) == (201, 201, 201, 413, 400)
    assert replay[1] == webhook[1]
    assert received[1]["inquiry"]["received_via"] == "email"
    assert nul[1]["detail"] == "NUL characters (\\u0000) are not allowed in text."

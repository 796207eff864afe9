"""A reply to a helpdesk inquiry travels through the real Celery worker to a brand's helpdesk
(a tiny HTTP server on 127.0.0.1 here) that fails twice, then accepts: retried with backoff,
every attempt logged, delivered once."""

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import timezone

from marketplace import signing
from marketplace.models import DeliveryAttempt, DeliveryStatus, Message
from routing import services
from routing.models import Offer
from tests import factories
from tests.live import LivePlatform

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
        services.offer_accept(offer_id=offer.pk, expert=expert, now=timezone.now())
        reply = services.assignment_reply(inquiry_id=created["id"], expert=expert,
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

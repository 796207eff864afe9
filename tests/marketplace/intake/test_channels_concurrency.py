"""Once-only under concurrency, on the real database: a repeated webhook delivery and a
repeated reply delivery that arrive while the first is still in flight. Also the expert's
websocket hears a customer's reply."""

import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.db import close_old_connections, connections
from django.utils import timezone

from experts.presence.consumers import ExpertConsumer
from marketplace.delivery import services as delivery
from marketplace.delivery.models import DeliveryAttempt
from marketplace.inquiries.models import DeliveryStatus, Inquiry, Message
from marketplace.intake import services as intake
from marketplace.intake.models import InboundDelivery
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def in_thread(job: Callable[[], Any], results: list[Any]) -> threading.Thread:
    def run() -> None:
        try:
            results.append(job())
        except BaseException as error:
            results.append(error)
        finally:
            close_old_connections()
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_repeat_webhook_delivery_waits_for_the_first_and_answers_the_same(
    captured_tasks: list,
) -> None:
    queue = factories.queue()
    first_inside = threading.Event()
    now = timezone.now()

    def handle() -> tuple[int, dict[str, Any], Inquiry | None]:
        inquiry = factories.inquiry(on=queue, now=now, external_id="wh-1")
        first_inside.set()
        time.sleep(0.3)
        return 201, {"id": inquiry.pk}, inquiry

    def process() -> intake.WebhookResult:
        return intake.webhook_process_once(queue=queue, delivery_id="same", now=now,
                                           handle=handle)

    results: list[Any] = []
    first = in_thread(process, results)
    assert first_inside.wait(10)
    repeats = [in_thread(process, results) for _ in range(3)]
    for thread in [first, *repeats]:
        thread.join(30)

    assert all(isinstance(result, intake.WebhookResult) for result in results), results
    assert sorted(result.replayed for result in results) == [False, True, True, True]
    assert {result.body["id"] for result in results} == {Inquiry.objects.get().pk}
    assert InboundDelivery.objects.count() == 1


def answered(now: datetime) -> tuple[Message, Any]:
    queue = factories.queue()
    queue.outbound_webhook_url = "https://helpdesk.example/hook"
    queue.save(update_fields=["outbound_webhook_url"])
    return factories.expert_reply(on=queue, now=now)


def test_two_concurrent_deliveries_of_one_reply_send_it_once(
    monkeypatch: pytest.MonkeyPatch, captured_tasks: list,
) -> None:
    now = timezone.now()
    reply, _ = answered(now)
    sending = threading.Event()
    posts: list[str] = []

    def slow_helpdesk(url: httpx.URL, **kwargs: Any) -> httpx.Response:
        posts.append(kwargs["headers"]["Host"])
        sending.set()
        time.sleep(0.3)
        return httpx.Response(200, request=httpx.Request("POST", url))

    monkeypatch.setattr("marketplace.infra.outbound.send", slow_helpdesk)
    results: list[Any] = []

    first = in_thread(lambda: delivery.message_deliver(message_id=reply.pk, now=now), results)
    assert sending.wait(10)
    second = in_thread(lambda: delivery.message_deliver(message_id=reply.pk, now=now), results)
    first.join(30)
    second.join(30)

    assert posts == ["helpdesk.example"]
    assert [result.delivery_status for result in results] == [DeliveryStatus.DELIVERED] * 2
    assert DeliveryAttempt.objects.filter(message=reply).count() == 1


def test_customer_reply_is_pushed_to_the_assigned_experts_socket(captured_tasks: list) -> None:
    now = timezone.now()
    reply, expert = answered(now)
    expert_user = expert.user

    async def scenario() -> str:
        connection = WebsocketCommunicator(ExpertConsumer.as_asgi(), "/ws/expert/")
        connection.scope["user"] = expert_user
        assert (await connection.connect())[0]
        await connection.receive_from(timeout=5)  # the live state every connect sends first
        await database_sync_to_async(intake.inquiry_add_customer_message)(
            inquiry_id=reply.inquiry_id, body="Thanks, one more thing", now=now)
        message = await connection.receive_from(timeout=5)  # the message joins the pane
        assert "Thanks, one more thing" in message
        frame = await connection.receive_from(timeout=5)
        await connection.disconnect()
        return str(frame)

    frame = async_to_sync(scenario)()

    assert f'id="customer-replied-{reply.inquiry_id}"' in frame
    assert 'hx-swap-oob="afterbegin:#offers"' in frame
    assert f'href="/expert/inquiries/{reply.inquiry_id}/"' in frame

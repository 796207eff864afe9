"""Pushes over the real Redis channel layer: sent after commit through async_to_sync; inside a
Celery task held and sent together when the task ends, in order, one per inquiry and console."""

import asyncio
import uuid
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels_redis.core import RedisChannelLayer
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from marketplace.infra import push
from routing.models import Offer
from routing.tasks import route_inquiry
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


class Listener:
    """A channel in one group of the real layer, read after the fact. Each read uses a layer of
    its own, since a layer's receive buffers belong to the event loop that first read them."""

    def __init__(self, group: str) -> None:
        self.layer: Any = get_channel_layer()
        self.group = group
        self.channel = f"push-test-{uuid.uuid4().hex}"
        async_to_sync(self.layer.group_add)(group, self.channel)

    def received(self, timeout: float = 0.5) -> list[dict[str, Any]]:
        reader = RedisChannelLayer(**settings.CHANNEL_LAYERS["default"]["CONFIG"])

        async def drain() -> list[dict[str, Any]]:
            events = []
            while True:
                try:
                    events.append(await asyncio.wait_for(reader.receive(self.channel), timeout))
                except TimeoutError:
                    return events

        events: list[dict[str, Any]] = async_to_sync(drain)()
        return events


def test_a_push_outside_a_task_is_sent_once_the_transaction_commits() -> None:
    listener = Listener(push.expert_group(990_001))

    with transaction.atomic():
        push.push_to_expert_on_commit(990_001, "offer.closed", offer_id=7)
        before_commit = listener.received(timeout=0.2)

    assert before_commit == []
    assert listener.received() == [{"type": "offer.closed", "offer_id": 7}]


def test_held_pushes_wait_for_the_end_of_the_hold_and_keep_their_order() -> None:
    listener = Listener(push.expert_group(990_002))

    push.hold_pushes()
    for offer_id in (1, 2, 3):
        with transaction.atomic():
            push.push_to_expert_on_commit(990_002, "offer.closed", offer_id=offer_id)
    held = listener.received(timeout=0.2)
    push.send_held_pushes()

    assert held == []
    assert [event["offer_id"] for event in listener.received()] == [1, 2, 3]


def test_a_held_change_of_one_inquiry_reaches_the_console_once_and_new() -> None:
    console = Listener(push.brand_group(990_003))

    push.hold_pushes()
    push.push_inquiry_changed_on_commit(brand_id=990_003, inquiry_id=5, is_new=True)
    push.push_inquiry_changed_on_commit(brand_id=990_003, inquiry_id=6, is_new=False)
    push.push_inquiry_changed_on_commit(brand_id=990_003, inquiry_id=5, is_new=False)
    push.send_held_pushes()

    assert console.received() == [
        {"type": "inquiry.changed", "inquiry_id": 5, "is_new": True},
        {"type": "inquiry.changed", "inquiry_id": 6, "is_new": False},
    ]


def test_a_rolled_back_push_is_never_held() -> None:
    listener = Listener(push.expert_group(990_004))

    push.hold_pushes()
    with pytest.raises(RuntimeError), transaction.atomic():
        push.push_to_expert_on_commit(990_004, "offer.closed", offer_id=1)
        raise RuntimeError("rolled back")
    push.send_held_pushes()

    assert listener.received(timeout=0.3) == []


def test_a_held_push_that_fails_is_logged_by_name_and_the_others_still_go(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    listener = Listener(push.expert_group(990_006))
    layer = listener.layer
    real_group_send = layer.group_send

    async def group_send(group: str, event: dict[str, Any]) -> None:
        if group == push.expert_group(990_005):
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        await real_group_send(group, event)

    monkeypatch.setattr(layer, "group_send", group_send)

    push.hold_pushes()
    push.push_to_expert_on_commit(990_005, "offer.closed", offer_id=1)
    push.push_to_expert_on_commit(990_006, "offer.closed", offer_id=2)
    push.send_held_pushes()

    assert "Error calling push to expert.990005 after its task" in caplog.text
    assert listener.received() == [{"type": "offer.closed", "offer_id": 2}]


def test_a_routing_task_pushes_its_offer_when_it_ends(captured_tasks: list) -> None:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=timezone.now())
    inquiry = factories.inquiry(on=queue, now=timezone.now())
    listener = Listener(push.expert_group(expert.pk))

    route_inquiry.apply(args=(inquiry.pk,))

    offer = Offer.objects.get(inquiry=inquiry)
    assert listener.received() == [{"type": "offer.created", "offer_id": offer.pk}]


def test_a_worker_process_sends_every_tasks_pushes_on_one_long_lived_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Celery's worker_process_init turns this on (marketplace/celery.py): each task's held
    pushes go out on the same event loop, so the channel layer's Redis connection stays open
    instead of a new loop and connection per task."""
    monkeypatch.setattr(push, "_process_loop", push._ProcessLoop())
    push.keep_a_process_loop()
    listener = Listener(push.expert_group(990_007))
    loops = []

    for offer_id in (1, 2):
        push.hold_pushes()
        push.push_to_expert_on_commit(990_007, "offer.closed", offer_id=offer_id)
        push.send_held_pushes()
        loops.append(push._process_loop.loop)

    assert [event["offer_id"] for event in listener.received()] == [1, 2]
    assert loops[0] is loops[1] and loops[0] is not None and loops[0].is_running()
    loops[0].call_soon_threadsafe(loops[0].stop)

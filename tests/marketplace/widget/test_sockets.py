"""The widget's socket over the real Redis channel layer: the State on every connect, the
expert's reply pushed as a message that becomes delivered then read, typing both ways, the
position in line live, and refusals (wrong token 4401, another site 4403)."""

import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing.websocket import WebsocketCommunicator
from django.utils import timezone

from experts.presence.consumers import ExpertConsumer
from marketplace.delivery import services as delivery_services
from marketplace.inquiries.models import DeliveryStatus, Message
from marketplace.websocket_urls import websocket_urlpatterns
from marketplace.widget import services as widget_services
from marketplace.widget.models import WidgetConversation
from routing.assignments import services as assignments_services
from routing.offers import services as offers_services
from tests.marketplace.widget.support import SITE, open_queue

LIVE = pytest.mark.django_db(transaction=True)
"""Pushes leave after commit: the tests that wait for one commit for real."""


def widget_socket(conversation: WidgetConversation, token: str,
                  origin: str = SITE) -> WebsocketCommunicator:
    return WebsocketCommunicator(
        URLRouter(websocket_urlpatterns), f"/ws/widget/{conversation.public_id}/",
        headers=[(b"origin", origin.encode()), (b"host", b"testserver")],
        subprotocols=["shiftline.widget.v1", f"token.{token}"])


def chat(queue: Any, client_id: str = "c-1", name: str = "Sam") -> tuple[WidgetConversation, str]:
    conversation, token, _ = widget_services.widget_chat_start(
        queue=queue, origin=SITE, details=widget_services.CustomerDetails(
            name=name, email=f"{client_id}@example.com", language="en",
            message="Where is my order?"),
        client_id=client_id, now=timezone.now())
    return conversation, token


async def frame(socket: WebsocketCommunicator) -> dict[str, Any]:
    return json.loads(await socket.receive_from(timeout=5))


async def frame_of(socket: WebsocketCommunicator, kind: str) -> dict[str, Any]:
    """The next frame of this type (state frames may come in between)."""
    for _ in range(6):
        received = await frame(socket)
        if received["type"] == kind:
            return received
    raise AssertionError(f"no {kind} frame")


@LIVE
def test_wrong_token_closes_4401_and_another_site_4403(captured_tasks: list) -> None:
    conversation, token = chat(open_queue())

    async def scenario() -> list[Any]:
        codes = []
        for socket in (widget_socket(conversation, "wrong"),
                       widget_socket(conversation, token, origin="https://evil.example")):
            await socket.connect()
            codes.append((await socket.receive_output(timeout=5)).get("code"))
        return codes

    assert async_to_sync(scenario)() == [4401, 4403]


@LIVE
def test_the_token_rides_as_a_subprotocol_and_the_answer_names_only_the_protocol(
        captured_tasks: list) -> None:
    """A token in the URL would end up in access logs: the socket takes it only as the
    subprotocol `token.<token>`, and its answer names `shiftline.widget.v1`, never the token."""
    conversation, token = chat(open_queue())

    async def scenario() -> tuple[Any, Any]:
        in_url = WebsocketCommunicator(
            URLRouter(websocket_urlpatterns),
            f"/ws/widget/{conversation.public_id}/?token={token}",
            headers=[(b"origin", SITE.encode()), (b"host", b"testserver")])
        await in_url.connect()
        refused = (await in_url.receive_output(timeout=5)).get("code")
        socket = widget_socket(conversation, token)
        connected, subprotocol = await socket.connect()
        sync = await frame(socket)
        await socket.disconnect()
        return refused, (connected, subprotocol, sync["type"])

    assert async_to_sync(scenario)() == (4401, (True, "shiftline.widget.v1", "sync"))


@LIVE
def test_a_chat_live_sync_position_typing_reply_delivered_read_and_resync(
        captured_tasks: list) -> None:
    """One conversation from start to reply: sync on connect, the position of a second chat
    moving up when the first is accepted, typing both ways, the expert's reply as a message
    frame that is marked delivered, the customer's read frame marking it read, and a reply
    sent while the customer is away found in the next sync (and delivered then)."""
    queue = open_queue()
    first, first_token = chat(queue, "c-1")
    second, second_token = chat(queue, "c-2", name="Kim")
    now = timezone.now()
    from routing.models import ExpertSeat
    expert = ExpertSeat.objects.get(queue=queue).expert

    async def scenario() -> dict[str, Any]:
        seen: dict[str, Any] = {}
        mine = widget_socket(first, first_token)
        theirs = widget_socket(second, second_token)
        assert (await mine.connect())[0] and (await theirs.connect())[0]
        sync = await frame(mine)
        seen["sync"] = sync
        seen["second_position_before"] = (await frame(theirs))["state"]["position"]

        def accept() -> None:
            outcome = offers_services.inquiry_route(inquiry_id=first.inquiry_id, now=now)
            assert outcome.offer_id is not None
            offers_services.offer_accept(offer_id=outcome.offer_id, expert=expert, now=now)

        await database_sync_to_async(accept)()
        seen["second_state_after"] = (await frame_of(theirs, "state"))["state"]
        seen["mine_after_accept"] = (await frame_of(mine, "state"))["state"]

        desk = WebsocketCommunicator(ExpertConsumer.as_asgi(), "/ws/expert/")
        desk.scope["user"] = expert.user
        assert (await desk.connect())[0]
        await desk.receive_from(timeout=5)  # the live state every connect sends first
        await mine.send_to(text_data=json.dumps({"type": "typing"}))
        seen["expert_sees"] = await desk.receive_from(timeout=5)
        await desk.send_to(text_data=json.dumps({"type": "typing",
                                                 "inquiry_id": first.inquiry_id}))
        seen["customer_sees"] = await frame_of(mine, "typing")

        def reply() -> int:
            message = assignments_services.assignment_reply(
                inquiry_id=first.inquiry_id, expert=expert, author=expert.user,
                body="It ships today.", now=now)
            delivery_services.message_deliver(message_id=message.pk, now=now)
            return message.pk

        reply_id = await database_sync_to_async(reply)()
        seen["message"] = (await frame_of(mine, "message"))["message"]
        seen["after_push"] = await database_sync_to_async(
            lambda: Message.objects.get(pk=reply_id).delivery_status)()
        await mine.send_to(text_data=json.dumps({"type": "read", "up_to": reply_id}))
        await mine.receive_nothing(timeout=0.5)
        seen["read_up_to"] = await database_sync_to_async(
            lambda: WidgetConversation.objects.get(pk=first.pk).customer_read_up_to)()
        seen["reply_id"] = reply_id
        desk_frames = []
        while not await desk.receive_nothing(timeout=0.3):
            desk_frames.append(await desk.receive_from(timeout=1))
        seen["desk_frames"] = desk_frames
        for socket in (mine, theirs, desk):
            await socket.disconnect()

        def reply_while_away() -> str:
            message = assignments_services.assignment_reply(
                inquiry_id=first.inquiry_id, expert=expert, author=expert.user,
                body="Tracking: 123.", now=now)
            delivery_services.message_deliver(message_id=message.pk, now=now)
            return Message.objects.get(pk=message.pk).delivery_status

        seen["while_away"] = await database_sync_to_async(reply_while_away)()
        back = widget_socket(first, first_token)
        assert (await back.connect())[0]
        seen["resync"] = await frame(back)
        await back.disconnect()
        return seen

    seen = async_to_sync(scenario)()

    state = seen["sync"]["state"]
    assert seen["sync"]["type"] == "sync"
    assert (state["status"], state["position"]) == ("queued", 1)
    assert [m["body"] for m in state["messages"]] == ["Where is my order?"]
    assert seen["second_position_before"] == 2
    assert seen["second_state_after"]["position"] == 1
    assert "messages" not in seen["second_state_after"]
    assert seen["mine_after_accept"]["status"] == "assigned"
    assert seen["mine_after_accept"]["expert"] == {"name": expert.display_name.split(" ")[0]}
    assert "Customer is typing" in seen["expert_sees"]
    assert seen["customer_sees"] == {"type": "typing", "active": True}
    assert (seen["message"]["from"], seen["message"]["body"], seen["message"]["delivery"]) \
        == ("expert", "It ships today.", "delivered")
    assert seen["after_push"] == DeliveryStatus.DELIVERED
    assert seen["read_up_to"] == seen["reply_id"]
    assert any(f'id="delivery-{seen["reply_id"]}"' in html and 'data-delivery="read"' in html
               and ">Read<" in html for html in seen["desk_frames"])
    assert seen["while_away"] == DeliveryStatus.SENT
    assert [(m["body"], m["delivery"]) for m in seen["resync"]["state"]["messages"]] == [
        ("Where is my order?", "delivered"), ("It ships today.", "read"),
        ("Tracking: 123.", "delivered")]
    assert Message.objects.get(body="Tracking: 123.").delivery_status == DeliveryStatus.DELIVERED

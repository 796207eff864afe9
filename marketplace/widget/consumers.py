"""The customer's socket in the widget (`/ws/widget/<conversation>/`, its token offered as the
subprotocol `token.<token>` beside `shiftline.widget.v1`): a notification
pipe for one conversation. It checks the page's origin against the queue's allowed sites
(closing with 4403) and the token (4401), sends the whole State on every (re)connect, then
forwards the conversation's events: the expert's messages (delivered once forwarded), typing,
delivery and read marks, and State changes. While the chat waits for an expert it also
listens to its queue's group, so its position in line stays live.

What the widget sends up is ephemeral or a mark: typing (forwarded to the expert holding the
chat, at most one per 2 s) and `read` (to `widget_mark_read_by_customer`, a service, as the
expert socket forwards its heartbeat). Messages go over HTTP."""

import asyncio
import json
import time
from typing import Any

from channels.db import database_sync_to_async
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from marketplace.infra.consumers import (
    CLOSE_FORBIDDEN,
    CLOSE_TRY_AGAIN_LATER,
    CLOSE_UNAUTHENTICATED,
    GROUP_JOIN_TIMEOUT_SECONDS,
    LAYER_ERRORS,
    UserGroupConsumer,
)
from marketplace.infra.errors import DomainError
from marketplace.infra.push import expert_group, widget_conversation_group, widget_queue_group
from marketplace.widget import selectors, services
from marketplace.widget.models import WidgetConversation
from routing.assignments import selectors as assignments_selectors

TYPING_INTERVAL_SECONDS = 2.0
SUBPROTOCOL = "shiftline.widget.v1"
CARRIER_PREFIX = "token."


def _token(scope: dict[str, Any]) -> str:
    """The conversation's token from the subprotocols the widget offered (a browser sets no
    headers on a websocket, and a token in the query string would end up in access logs)."""
    for protocol in scope.get("subprotocols") or ():
        if protocol.startswith(CARRIER_PREFIX):
            return str(protocol[len(CARRIER_PREFIX):])
    return ""


def _chosen_subprotocol(scope: dict[str, Any]) -> str | None:
    """The answer names the protocol, never the token; none when the client offered none."""
    return SUBPROTOCOL if SUBPROTOCOL in (scope.get("subprotocols") or ()) else None


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


class WidgetConsumer(UserGroupConsumer):
    conversation: WidgetConversation
    queue_group_name: str | None = None
    last_typing_at = 0.0

    def _authenticate(self, public_id: str, token: str, origin: str | None) -> int | None:
        """None when the socket may open, else the close code."""
        try:
            conversation = selectors.widget_conversation_get(public_id=public_id, token=token)
        except DomainError:
            return CLOSE_UNAUTHENTICATED
        if not selectors.widget_origin_allowed(queue=conversation.inquiry.queue, origin=origin):
            return CLOSE_FORBIDDEN
        self.conversation = conversation
        return None

    async def connect(self) -> None:
        public_id = str(self.scope["url_route"]["kwargs"]["conversation_id"])
        token = _token(self.scope)
        refused = await database_sync_to_async(self._authenticate)(
            public_id, token, _header(self.scope, b"origin"))
        if refused is not None:
            # accepted first so the widget sees the code (a refused handshake shows as 1006)
            await self.accept(subprotocol=_chosen_subprotocol(self.scope))
            await self.close(code=refused)
            return
        group = widget_conversation_group(self.conversation.inquiry_id)
        try:
            async with asyncio.timeout(GROUP_JOIN_TIMEOUT_SECONDS):
                await self.channel_layer.group_add(group, self.channel_name)
        except LAYER_ERRORS:
            await self.close(code=CLOSE_TRY_AGAIN_LATER)  # the widget reconnects with backoff
            return
        self.group_name = group
        await self.accept(subprotocol=_chosen_subprotocol(self.scope))
        await self._send_state(with_messages=True)

    async def disconnect(self, code: int) -> None:
        if self.queue_group_name:
            await self.channel_layer.group_discard(self.queue_group_name, self.channel_name)
        await super().disconnect(code)

    def _state(self, with_messages: bool) -> dict[str, Any]:
        """The State now; on a sync every expert message it carries counts as delivered."""
        conversation = WidgetConversation.objects.select_related(
            "inquiry__queue__brand", "inquiry__customer").get(pk=self.conversation.pk)
        self.conversation = conversation
        now = timezone.now()
        if with_messages:
            services.widget_mark_delivered(conversation=conversation, up_to=None, now=now)
        state = selectors.widget_state(conversation=conversation, now=now,
                                       with_messages=with_messages)
        state["survey_token"] = services.widget_survey_token(conversation=conversation, now=now)
        return state

    async def _send_state(self, *, with_messages: bool) -> None:
        state = await database_sync_to_async(self._state)(with_messages)
        await self._send_json({"type": "sync" if with_messages else "state", "state": state})
        await self._follow_queue(waiting=state["position"] is not None)

    async def _follow_queue(self, *, waiting: bool) -> None:
        """In its queue's group while it waits, out of it once an expert holds it."""
        group = widget_queue_group(self.conversation.inquiry.queue_id)
        if waiting and self.queue_group_name is None:
            await self.channel_layer.group_add(group, self.channel_name)
            self.queue_group_name = group
        elif not waiting and self.queue_group_name is not None:
            await self.channel_layer.group_discard(self.queue_group_name, self.channel_name)
            self.queue_group_name = None

    async def _send_json(self, payload: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(payload, cls=DjangoJSONEncoder))

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """`{"type": "typing"}` and `{"type": "read", "up_to": 12}`; anything else is ignored."""
        try:
            frame = json.loads(text_data or "")
        except ValueError:
            return
        if not isinstance(frame, dict) or not hasattr(self, "group_name"):
            return
        if frame.get("type") == "typing":
            await self._customer_typing()
        elif frame.get("type") == "read" and isinstance(frame.get("up_to"), int) \
                and not isinstance(frame.get("up_to"), bool):
            await database_sync_to_async(services.widget_mark_read_by_customer)(
                conversation=self.conversation, up_to=frame["up_to"], now=timezone.now())

    async def _customer_typing(self) -> None:
        moment = time.monotonic()
        if moment - self.last_typing_at < TYPING_INTERVAL_SECONDS:
            return
        self.last_typing_at = moment
        inquiry_id = self.conversation.inquiry_id
        active = await database_sync_to_async(
            assignments_selectors.assignment_active_for_inquiry)(inquiry_id=inquiry_id)
        if active is not None:
            await self.channel_layer.group_send(expert_group(active[1]), {
                "type": "inquiry.customer_typing", "inquiry_id": inquiry_id})

    async def widget_message(self, event: dict[str, Any]) -> None:
        message_id = int(event["message_id"])
        message = await database_sync_to_async(self._message)(message_id)
        if message is not None:
            await self._send_json({"type": "message", "message": message})

    def _message(self, message_id: int) -> dict[str, Any] | None:
        """The message as the widget shows it; an expert's counts as delivered now."""
        conversation = self.conversation
        try:
            message = selectors.widget_message_get(conversation=conversation,
                                                   message_id=message_id)
        except DomainError:
            return None
        if message["from"] == "expert" and message["delivery"] == "sent":
            services.widget_mark_delivered(conversation=conversation, up_to=message_id,
                                           now=timezone.now())
            message["delivery"] = "delivered"
        return message

    async def widget_typing(self, event: dict[str, Any]) -> None:
        await self._send_json({"type": "typing", "active": bool(event.get("active", True))})

    async def widget_delivery(self, event: dict[str, Any]) -> None:
        await self._send_json({"type": "delivery", "message_id": int(event["message_id"]),
                               "delivery": str(event["delivery"])})

    async def widget_state(self, event: dict[str, Any]) -> None:
        await self._send_state(with_messages=False)

    async def widget_queue_changed(self, event: dict[str, Any]) -> None:
        await self._send_state(with_messages=False)

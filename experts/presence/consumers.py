"""The expert's live connection: a notification pipe. It authenticates the session, joins the
expert's group and forwards events as HTML fragments that htmx swaps in by id. Accepting and
declining go over HTTP into services, never through this socket.

On every (re)connect the socket first sends the expert's live state (every offer pending for
them and their open inquiries, `_live_state.html`), so an offer made while the socket was down
is shown the moment it is back: nothing is lost to a reconnect.

The one thing the page sends up this socket is the presence heartbeat, and the consumer
forwards it to `experts.presence.services.presence_heartbeat` (a service, through
`database_sync_to_async`), as thin as a view forwarding a form. Why not an HTTP heartbeat: the
heartbeat's meaning is "this expert's live pipe is open". Offers arrive through this socket, so
only a heartbeat that travels through it proves the expert can see a new offer; a page posting
over HTTP would keep an expert "available" while their socket is dead and offers never reach
them. The consumer itself reads and writes no model."""


import json
import time
from typing import Any

from channels.db import database_sync_to_async
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape

from experts.presence import services as presence
from experts.presence.models import PresenceStatus
from experts.profiles import policy as expert_policy
from experts.profiles import selectors as profiles_selectors
from experts.profiles.models import ExpertProfile
from marketplace.infra.consumers import CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED, UserGroupConsumer
from marketplace.infra.push import expert_group, widget_conversation_group
from marketplace.inquiries import selectors as inquiries_selectors
from routing.assignments import selectors as assignments_selectors
from routing.models import OfferStatus
from routing.offers import selectors as offers_selectors
from routing.offers.services import OfferClosedReason

TYPING_INTERVAL_SECONDS = 2.0


class ExpertConsumer(UserGroupConsumer):
    expert_id: int
    expert: ExpertProfile

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.typing_sent_at: dict[int, float] = {}

    async def group_for(self, user: Any) -> str | None:
        expert = await database_sync_to_async(profiles_selectors.expert_profile_for_user)(user=user)
        if expert is None or not expert_policy.expert_may_open(expert, expert_policy.LIVE_SOCKET):
            return None
        self.expert_id = expert.pk
        self.expert = expert
        return expert_group(expert.pk)

    async def connect(self) -> None:
        await super().connect()
        if hasattr(self, "group_name"):
            await self._heartbeat(active=True, announce=False)
            await self.send(text_data=await database_sync_to_async(self._render_state)())

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """`{"type": "heartbeat", "active": true|false}` every ~20 s, and `{"type": "typing",
        "inquiry_id": 12}` while the expert writes a reply (forwarded to the customer's chat
        widget, at most one per 2 s); anything else is ignored."""
        try:
            message = json.loads(text_data or "")
        except ValueError:
            return
        if isinstance(message, dict) and message.get("type") == "heartbeat":
            await self._heartbeat(active=message.get("active") is True)
        elif isinstance(message, dict) and message.get("type") == "typing" \
                and isinstance(message.get("inquiry_id"), int):
            await self._typing(int(message["inquiry_id"]))

    async def _typing(self, inquiry_id: int) -> None:
        """Typing is ephemeral: nothing is stored, and only the expert holding the chat is
        forwarded."""
        moment = time.monotonic()
        if moment - self.typing_sent_at.get(inquiry_id, 0.0) < TYPING_INTERVAL_SECONDS:
            return
        self.typing_sent_at[inquiry_id] = moment
        active = await database_sync_to_async(
            assignments_selectors.assignment_active_for_inquiry)(inquiry_id=inquiry_id)
        if active is not None and active[1] == self.expert_id:
            await self.channel_layer.group_send(widget_conversation_group(inquiry_id),
                                                {"type": "widget.typing", "active": True})

    async def inquiry_customer_typing(self, event: dict[str, Any]) -> None:
        """The customer is typing in the chat widget: the open conversation says so for a few
        seconds (frontend/static/frontend/chat-typing.js hides it again)."""
        html = await database_sync_to_async(render_to_string)(
            "frontend/expert/_customer_typing.html",
            {"inquiry_id": int(event["inquiry_id"]), "active": True, "oob": True})
        await self.send(text_data=html)

    async def _heartbeat(self, *, active: bool, announce: bool = True) -> None:
        await database_sync_to_async(presence.presence_heartbeat)(
            expert_id=self.expert_id, active=active, now=timezone.now(), announce=announce
        )

    async def presence_changed(self, event: dict[str, Any]) -> None:
        status = PresenceStatus(event["status"])
        await self.send(
            text_data=f'<strong id="presence" hx-swap-oob="true" class="presence-{status.value}" '
            f'data-presence="{status.value}">{escape(status.label)}</strong>'
        )

    async def offer_created(self, event: dict[str, Any]) -> None:
        html = await database_sync_to_async(self._render_offer)(event["offer_id"])
        if html:
            await self.send(text_data=html)

    async def offer_closed(self, event: dict[str, Any]) -> None:
        """Accepted or declined here: the card goes. Taken, handed back, withdrawn or expired:
        the card says so in words, until the expert dismisses it."""
        html = await database_sync_to_async(self._render_offer_closed)(
            int(event["offer_id"]), str(event.get("reason", "")),
            str(event.get("detail", "")).rstrip(". "))
        await self.send(text_data=html)

    async def assignments_changed(self, event: dict[str, Any]) -> None:
        """An inquiry the expert holds changed status (accepted, answered, the customer wrote
        back, resolved): the list of open inquiries and each one's status on the page."""
        await self.send(text_data=await database_sync_to_async(self._render_assignments)())

    async def inquiry_message(self, event: dict[str, Any]) -> None:
        """The customer wrote on an inquiry this expert holds: the message joins its open
        conversation (a page without it drops the fragment)."""
        html = await database_sync_to_async(self._render_message)(
            int(event["inquiry_id"]), int(event["message_id"]))
        if html:
            await self.send(text_data=html)

    async def message_delivery(self, event: dict[str, Any]) -> None:
        """One of the expert's replies changed delivery state (sent to their user's group)."""
        html = await database_sync_to_async(render_to_string)(
            "frontend/expert/_delivery.html",
            {"message_id": int(event["message_id"]), "status": str(event["status"]),
             "oob": True})
        await self.send(text_data=html)

    async def connection_revoke(self, event: dict[str, Any]) -> None:
        """The expert logged out or was suspended: the live pipe closes at once."""
        code = CLOSE_UNAUTHENTICATED if event.get("reason") == "logged_out" else CLOSE_FORBIDDEN
        await self.close(code=code)

    async def assignment_revoked(self, event: dict[str, Any]) -> None:
        await self.send(
            text_data=f'<div id="assignment-{int(event["inquiry_id"])}" hx-swap-oob="delete">'
            "</div>"
        )
        await self.send(text_data=await database_sync_to_async(self._render_assignments)())

    async def inquiry_customer_replied(self, event: dict[str, Any]) -> None:
        """The customer answered an inquiry this expert holds: a notice above the offers."""
        html = await database_sync_to_async(render_to_string)(
            "frontend/expert/_customer_replied.html",
            {"inquiry_id": int(event["inquiry_id"]), "subject": str(event["subject"])},
        )
        await self.send(text_data=html)

    def _render_offer(self, offer_id: int) -> str | None:
        """Rendered without a request, so without a CSRF field: the card's forms are boosted
        by htmx, which sends the page's token in the X-CSRFToken header."""
        offer = offers_selectors.offer_get_for_expert(offer_id=offer_id, expert_id=self.expert_id)
        if offer is None or offer.status != OfferStatus.PENDING:
            return None
        with timezone.override(self.expert.time_zone):
            return render_to_string(
                "frontend/expert/_offer_pushed.html", {"offer": offer}
            )

    def _render_offer_closed(self, offer_id: int, reason: str, detail: str) -> str:
        offer = offers_selectors.offer_get_for_expert(offer_id=offer_id, expert_id=self.expert_id)
        if offer is None or reason in ("", OfferClosedReason.ACCEPTED, OfferClosedReason.DECLINED):
            return f'<div id="offer-{offer_id}" hx-swap-oob="delete"></div>'
        return render_to_string("frontend/expert/_offer_gone.html",
                                {"offer": offer, "reason": reason, "detail": detail})

    def _render_assignments(self) -> str:
        return render_to_string("frontend/expert/_assignments_changed.html", {
            "assignments": assignments_selectors.assignment_list_active_for_expert(
                expert=self.expert),
        })

    def _render_message(self, inquiry_id: int, message_id: int) -> str | None:
        assignment = assignments_selectors.assignment_for_expert(inquiry_id=inquiry_id,
                                                                 expert=self.expert)
        if assignment is None:
            return None
        message = inquiries_selectors.message_list_for_inquiry(
            inquiry=assignment.inquiry).filter(pk=message_id).first()
        if message is None:
            return None
        return render_to_string("frontend/expert/_message_pushed.html", {
            "message": message, "customer": assignment.inquiry.customer,
            "inquiry_id": inquiry_id,
        })

    def _render_state(self) -> str:
        """In the expert's own zone, as their pages are."""
        with timezone.override(self.expert.time_zone):
            return render_to_string("frontend/expert/_live_state.html", {
                "offers": offers_selectors.offer_list_pending_for_expert(expert=self.expert),
                "assignments": assignments_selectors.assignment_list_active_for_expert(
                    expert=self.expert),
            })

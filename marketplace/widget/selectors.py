"""What the widget shows: the queue before a chat (available or why not, the honest promise,
how many wait), and a conversation's State (status, position in line, promise, expert,
messages with their delivery state). Texts in the customer's language (Django gettext)."""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from experts.profiles import selectors as profiles_selectors
from marketplace.infra.errors import NotFound, Unauthenticated
from marketplace.infra.origins import origin_or_none
from marketplace.inquiries import selectors as inquiries_selectors
from marketplace.inquiries.models import (
    DeliveryStatus,
    Inquiry,
    InquiryChannel,
    InquiryStatus,
    Message,
    MessageDirection,
)
from marketplace.queues.models import OverflowQueue
from marketplace.widget.models import WidgetConversation
from routing.assignments import selectors as assignments_selectors
from routing.engine.promise import Promise
from routing.promises.selectors import promise_for_new_inquiry

WIDGET_LANGUAGES = ("en", "es", "fi", "el", "hi")
"""The languages the widget, its promise texts and its emails are written in."""

WAITING = (InquiryStatus.RECEIVED, InquiryStatus.QUEUED, InquiryStatus.OFFERED)
"""A chat in these states waits for an expert: it has a position in line."""

STATUS_FOR_WIDGET = {
    InquiryStatus.RECEIVED: "queued", InquiryStatus.ANSWERED: "waiting_on_customer",
    InquiryStatus.WITH_BRAND: "handed_back",
}


class Unavailable:
    OUTSIDE_COVERAGE = "outside_coverage"
    NOBODY_ON_SHIFT = "nobody_on_shift"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def widget_language(requested: str | None) -> str:
    """`es`, `es-MX` or `ES` → `es`; anything the widget does not speak → `en`."""
    code = (requested or "").strip().lower().split("-")[0].split("_")[0]
    return code if code in WIDGET_LANGUAGES else "en"


def widget_queue_get(*, public_id: str) -> OverflowQueue:
    queue = OverflowQueue.objects.select_related("brand").filter(
        widget_public_id=public_id).first()
    if queue is None:
        raise NotFound("This chat does not exist.")
    return queue


def widget_origin_allowed(*, queue: OverflowQueue, origin: str | None) -> bool:
    """The page's origin (an Origin header) is one the brand allowed for this queue."""
    normalised = origin_or_none(origin)
    return normalised is not None and normalised in queue.widget_allowed_origins


def duration_text(seconds: int) -> str:
    """In the active language: "40 seconds", "3 minutes", "2 hours"."""
    seconds = max(1, seconds)
    if seconds < 120:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    minutes = -(-seconds // 60)
    if minutes < 120:
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    hours = -(-minutes // 60)
    return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}


def chat_promise_text(seconds: int) -> str:
    return gettext("An expert usually answers within %(duration)s.") % {
        "duration": duration_text(seconds)}


def email_promise_text(seconds: int | None) -> str:
    if seconds is None:
        return gettext("We will email you a reply as soon as someone is back.")
    return gettext("We will email you a reply within %(duration)s.") % {
        "duration": duration_text(seconds)}


def _seconds_until(moment: datetime | None, now: datetime) -> int | None:
    return None if moment is None else max(0, int((moment - now).total_seconds()))


@dataclass(frozen=True)
class Availability:
    available: bool
    reason: str
    chat: Promise


def widget_availability(*, queue: OverflowQueue, language: str,
                        now: datetime) -> Availability:
    """The chat is open when the network covers the queue now and experts who speak the
    language are on shift: the promise function says so (routing/promises/selectors.py), the
    same one every new inquiry gets."""
    promise = promise_for_new_inquiry(queue=queue, channel=InquiryChannel.CHAT,
                                      language=language, now=now)
    basis = promise.basis
    if InquiryChannel.CHAT not in queue.channels or basis.get("estimate") == "brand_team" \
            or not basis.get("covered_by_network"):
        return Availability(False, Unavailable.OUTSIDE_COVERAGE, promise)
    if basis.get("estimate") != "network":
        return Availability(False, Unavailable.NOBODY_ON_SHIFT, promise)
    return Availability(True, "", promise)


def email_promise(*, queue: OverflowQueue, language: str, now: datetime) -> dict[str, Any]:
    promise = promise_for_new_inquiry(queue=queue, channel=InquiryChannel.EMAIL,
                                      language=language, now=now)
    with translation.override(language):
        text = email_promise_text(_seconds_until(promise.reply_by, now))
    return {"reply_by": promise.reply_by, "text": text}


def waiting_chats(*, queue: OverflowQueue) -> int:
    return Inquiry.objects.filter(queue=queue, channel=InquiryChannel.CHAT,
                                  status__in=WAITING).count()


def widget_queue_info(*, queue: OverflowQueue, language: str, now: datetime) -> dict[str, Any]:
    """The queue as the widget shows it before a chat starts."""
    availability = widget_availability(queue=queue, language=language, now=now)
    seconds = _seconds_until(availability.chat.reply_by, now)
    with translation.override(language):
        if availability.reason == Unavailable.OUTSIDE_COVERAGE:
            text = gettext("Our chat is closed right now. Leave a message and we will reply "
                           "by email.")
        elif availability.reason == Unavailable.NOBODY_ON_SHIFT:
            text = gettext("Nobody is on shift right now. Leave a message and we will reply "
                           "by email.")
        else:
            text = chat_promise_text(seconds or 0)
    return {
        "brand": queue.brand.name,
        "required_fields": list(queue.widget_required_fields),
        "languages": [code for code in WIDGET_LANGUAGES
                      if not queue.languages or code in queue.languages] or ["en"],
        "available": availability.available,
        "unavailable_reason": availability.reason,
        "promise": {"seconds": seconds if availability.available else None,
                    "reply_by": availability.chat.reply_by if availability.available else None,
                    "text": text},
        "waiting": waiting_chats(queue=queue),
        "long_wait_seconds": queue.widget_long_wait_seconds,
        "email_promise": email_promise(queue=queue, language=language, now=now),
    }


def widget_conversation_get(*, public_id: str, token: str | None) -> WidgetConversation:
    """The conversation whose token this is: 404 for an unknown conversation, 401 for a
    missing or wrong token (compared in constant time)."""
    conversation = (WidgetConversation.objects
                    .select_related("inquiry__queue__brand", "inquiry__customer")
                    .filter(public_id=public_id).first())
    if conversation is None:
        raise NotFound("This conversation does not exist.")
    if not token or not hmac.compare_digest(token_hash(token), conversation.token_hash):
        raise Unauthenticated("This conversation's token is missing or wrong.",
                              code="bad_token")
    return conversation


def widget_conversation_for_inquiry(*, inquiry_id: int) -> WidgetConversation | None:
    return (WidgetConversation.objects.select_related("inquiry__queue")
            .filter(inquiry_id=inquiry_id).first())


def widget_position(*, inquiry: Inquiry) -> int | None:
    """1 for the next chat an expert gets: routing serves the earliest deadline first."""
    if inquiry.status not in WAITING or inquiry.channel != InquiryChannel.CHAT:
        return None
    ahead = Inquiry.objects.filter(
        Q(first_response_due_at__lt=inquiry.first_response_due_at)
        | Q(first_response_due_at=inquiry.first_response_due_at, pk__lt=inquiry.pk),
        queue_id=inquiry.queue_id, channel=InquiryChannel.CHAT, status__in=WAITING,
    ).count()
    return ahead + 1


def attachment_path(conversation: WidgetConversation, attachment_id: int) -> str:
    return reverse("widget:attachment", kwargs={"conversation_id": conversation.public_id,
                                                "attachment_id": attachment_id})


def message_delivery(message: Message, conversation: WidgetConversation) -> str:
    """sent, delivered or read, as the widget shows it: the customer's own messages are
    delivered once stored and read once the expert opened the conversation; the expert's are
    delivered once the customer's widget received them and read once the customer saw them."""
    if message.direction == MessageDirection.INBOUND:
        read_up_to = conversation.expert_read_up_to
        return "read" if read_up_to is not None and message.pk <= read_up_to else "delivered"
    read_up_to = conversation.customer_read_up_to
    if read_up_to is not None and message.pk <= read_up_to:
        return "read"
    return "delivered" if message.delivery_status == DeliveryStatus.DELIVERED else "sent"


def widget_message(message: Message, conversation: WidgetConversation) -> dict[str, Any]:
    client = getattr(message, "widget_client_message", None)
    return {
        "id": message.pk,
        "from": "customer" if message.direction == MessageDirection.INBOUND else "expert",
        "body": message.body,
        "created_at": message.created_at,
        "client_id": client.client_id if client is not None else None,
        "attachments": [
            {"name": attachment.filename, "size": attachment.size,
             "content_type": attachment.content_type,
             "url": attachment_path(conversation, attachment.pk) if attachment.stored else None}
            for attachment in message.attachments.all()],
        "delivery": message_delivery(message, conversation),
    }


def widget_message_get(*, conversation: WidgetConversation, message_id: int) -> dict[str, Any]:
    message = (inquiries_selectors.message_list_for_inquiry(inquiry=conversation.inquiry)
               .select_related("widget_client_message").filter(pk=message_id).first())
    if message is None:
        raise NotFound("Message not found.")
    return widget_message(message, conversation)


def _expert_name(inquiry: Inquiry) -> dict[str, str] | None:
    active = assignments_selectors.assignment_active_for_inquiry(inquiry_id=inquiry.pk)
    if active is None:
        return None
    name = profiles_selectors.expert_get(expert_id=active[1]).display_name
    return {"name": name.split(" ")[0]}


def widget_state(*, conversation: WidgetConversation, now: datetime,
                 with_messages: bool = True) -> dict[str, Any]:
    """The conversation as the widget shows it (the contract's State)."""
    inquiry = conversation.inquiry
    queue = inquiry.queue
    waiting = inquiry.status in WAITING and inquiry.channel == InquiryChannel.CHAT
    status = "email" if inquiry.channel == InquiryChannel.EMAIL \
        else STATUS_FOR_WIDGET.get(InquiryStatus(inquiry.status), inquiry.status)
    promised = inquiry.promised_reply_by
    promised_wait = None if promised is None else int((promised - inquiry.received_at)
                                                       .total_seconds())
    with translation.override(inquiry.language):
        if inquiry.channel == InquiryChannel.EMAIL:
            text = email_promise_text(_seconds_until(promised, inquiry.received_at))
        elif promised is None:
            text = gettext("Nobody is on shift right now; we will answer as soon as someone "
                           "is back.")
        else:
            text = chat_promise_text(promised_wait or 0)
    state: dict[str, Any] = {
        "status": status,
        "channel": inquiry.channel,
        "promise": {"seconds": _seconds_until(promised, now), "reply_by": promised,
                    "text": text},
        "position": widget_position(inquiry=inquiry),
        "expert": _expert_name(inquiry),
        "first_response_due_at": inquiry.first_response_due_at,
        "survey_token": None,
        "long_wait": bool(waiting and (promised is None or (promised_wait or 0)
                                       > queue.widget_long_wait_seconds)),
        "email_reply_by": email_promise(queue=queue, language=inquiry.language,
                                        now=now)["reply_by"] if waiting else None,
    }
    if with_messages:
        messages = (inquiries_selectors.message_list_for_inquiry(inquiry=inquiry)
                    .select_related("widget_client_message"))
        state["messages"] = [widget_message(message, conversation) for message in messages]
    return state

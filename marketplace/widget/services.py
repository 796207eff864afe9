"""The widget's writes: a chat started, a customer's message (idempotent by the widget's
client id), messages read, a chat turned into an email inquiry, a message left while nobody is
on shift, and the transcript emailed. Every inquiry and message goes through intake's services
(`inquiry_create`, `inquiry_add_customer_message`) like every other channel's."""

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext

from marketplace.delivery import services as delivery_services
from marketplace.infra.errors import Conflict, FieldErrors, MediaTypeRefused, TooLarge
from marketplace.infra.push import push_to_group_on_commit, widget_conversation_group
from marketplace.infra.tasking import enqueue_on_commit
from marketplace.inquiries import services as inquiries_services
from marketplace.inquiries.models import (
    Inquiry,
    InquiryChannel,
    InquirySource,
    InquiryStatus,
    Message,
    MessageDirection,
)
from marketplace.intake import services as intake_services
from marketplace.queues.models import OverflowQueue
from marketplace.surveys import services as surveys_services
from marketplace.widget import selectors
from marketplace.widget.models import WidgetClientMessage, WidgetConversation
from routing.assignments import selectors as assignments_selectors
from routing.promises.selectors import promise_for_new_inquiry

BODY_MAX_LENGTH = 5000
NAME_MAX_LENGTH = 200
ATTACHMENTS_MAX = 5
ATTACHMENT_SIGNATURES = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
    "application/pdf": (b"%PDF-",),
}
"""The files a customer may send in the chat (images and PDF), each recognised by its first
bytes whatever type the browser claimed."""

NO_EMAIL_DOMAIN = "chat.invalid"
"""A customer who gave no email address is kept under a placeholder address in this reserved
domain (RFC 2606), unique to the chat; nothing is ever sent to it."""


class ChatUnavailable(Conflict):
    """Nobody can take a chat now: the widget offers to leave a message instead."""

    code = "unavailable"

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class CustomerDetails:
    name: str
    email: str
    language: str
    message: str


def _check_details(queue: OverflowQueue, details: CustomerDetails, *,
                   email_required: bool = False) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    required = set(queue.widget_required_fields)
    if email_required:
        required.add("email")
    for field in ("name", "email", "language"):
        if field in required and not getattr(details, field).strip():
            errors[field] = [gettext("This field is required.")]
    if details.email.strip():
        try:
            validate_email(details.email.strip())
        except ValidationError:
            errors["email"] = [gettext("Enter a valid email address.")]
    if len(details.name) > NAME_MAX_LENGTH:
        errors["name"] = [gettext("At most %(count)d characters.") % {"count": NAME_MAX_LENGTH}]
    errors.update(_body_errors(details.message, field="message"))
    return errors


def _body_errors(body: str, *, field: str) -> dict[str, list[str]]:
    if not body.strip():
        return {field: [gettext("Write a message.")]}
    return {}


def body_check_length(body: str) -> None:
    """A message longer than the widget allows is refused with 413, never cut."""
    if len(body) > BODY_MAX_LENGTH:
        raise TooLarge(gettext("A message can have at most %(count)d characters; "
                                      "this one has %(length)d.")
                              % {"count": BODY_MAX_LENGTH, "length": len(body)})


def _subject(body: str) -> str:
    first_line = body.strip().splitlines()[0] if body.strip() else ""
    return (first_line[:80] + "…") if len(first_line) > 80 else first_line or "Chat"


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def _client_digest(*parts: str) -> str:
    return hashlib.sha256(":".join(parts).encode()).hexdigest()[:40]


def widget_chat_start(*, queue: OverflowQueue, origin: str, details: CustomerDetails,
                      client_id: str, now: datetime) -> tuple[WidgetConversation, str, bool]:
    """Starts a chat: a chat inquiry from the widget through `inquiry_create` (with the
    promise every inquiry gets, routed after commit), and the conversation with a new token.
    Refused (409, leave a message) when nobody can take a chat now. The same `client_id` again
    (a retry whose answer was lost) gives back the same conversation with a new token, since
    only the token's hash is kept. Returns (conversation, token, created)."""
    language = selectors.widget_language(details.language)
    body_check_length(details.message)
    errors = _check_details(queue, details)
    if errors:
        raise FieldErrors(errors)
    availability = selectors.widget_availability(queue=queue, language=language, now=now)
    if not availability.available:
        with translation.override(language):
            raise ChatUnavailable(gettext("Nobody can take a chat right now. Leave a message "
                                          "and we will reply by email."),
                                  reason=availability.reason)
    token = _new_token()
    external_id = f"widget:{_client_digest(queue.widget_public_id, client_id)}" if client_id \
        else f"widget:{secrets.token_hex(20)}"
    email = details.email.strip() or f"chat-{secrets.token_hex(8)}@{NO_EMAIL_DOMAIN}"
    with transaction.atomic():
        inquiry, created = intake_services.inquiry_create(intake=intake_services.InquiryIntake(
            queue=queue, external_id=external_id, channel=InquiryChannel.CHAT,
            subject=_subject(details.message), body=details.message, language=language,
            customer_email=email, customer_name=details.name.strip()[:NAME_MAX_LENGTH],
            source=InquirySource.WIDGET, acknowledge=False), now=now)
        if not created:
            conversation = (WidgetConversation.objects.select_for_update()
                            .filter(inquiry=inquiry).first())
            if conversation is None:
                raise Conflict("Start the chat again.", code="client_id_taken")
            conversation.token_hash = selectors.token_hash(token)
            conversation.save(update_fields=["token_hash"])
            return conversation, token, False
        conversation = WidgetConversation.objects.create(
            public_id=f"wc_{secrets.token_urlsafe(16)}", inquiry=inquiry,
            token_hash=selectors.token_hash(token), origin=origin[:200],
            email_given=bool(details.email.strip()), created_at=now)
        first = Message.objects.filter(inquiry=inquiry).order_by("id").first()
        if first is not None and client_id:
            WidgetClientMessage.objects.create(conversation=conversation, message=first,
                                               client_id=client_id)
    conversation.inquiry = inquiry
    return conversation, token, True


def attachments_check(files: Sequence[intake_services.IncomingAttachment]
                      ) -> list[intake_services.IncomingAttachment]:
    """Images and PDF only, recognised by their content; at most ATTACHMENTS_MAX files, each
    within the email attachments' size limit (SHIFTLINE_ATTACHMENT_MAX_BYTES). The content
    type kept is the one the content shows."""
    if len(files) > ATTACHMENTS_MAX:
        raise TooLarge(gettext("At most %(count)d files per message.")
                              % {"count": ATTACHMENTS_MAX})
    limit = settings.SHIFTLINE_ATTACHMENT_MAX_BYTES
    checked = []
    for incoming in files:
        if len(incoming.content) > limit:
            raise TooLarge(
                gettext("%(name)s is %(size)s; files can be at most %(limit)s.")
                % {"name": incoming.filename, "size": filesizeformat(len(incoming.content)),
                   "limit": filesizeformat(limit)})
        kind = next((content_type for content_type, signatures
                     in ATTACHMENT_SIGNATURES.items()
                     if incoming.content.startswith(signatures)
                     and (content_type != "image/webp" or incoming.content[8:12] == b"WEBP")),
                    None)
        if kind is None:
            raise MediaTypeRefused(
                gettext("%(name)s is not an image or a PDF.") % {"name": incoming.filename})
        checked.append(intake_services.IncomingAttachment(
            filename=incoming.filename, content_type=kind, content=incoming.content))
    return checked


def widget_message_post(*, conversation: WidgetConversation, body: str, client_id: str,
                        files: Sequence[intake_services.IncomingAttachment] = (),
                        now: datetime) -> tuple[Message, bool]:
    """The customer's message, through `inquiry_add_customer_message` (so it reaches the
    expert, reopens or queues the inquiry as any channel's message does). The same
    `client_id` twice is one message: its email Message-ID is derived from the client id and
    the conversation's secret, so the message table's unique constraint decides, even for two
    concurrent retries. Returns (message, created)."""
    body_check_length(body)
    if not body.strip() and not files:
        raise FieldErrors({"body": [gettext("Write a message or attach a file.")]})
    attachments = attachments_check(files)
    if client_id:
        known = (WidgetClientMessage.objects.select_related("message")
                 .filter(conversation=conversation, client_id=client_id).first())
        if known is not None:
            return known.message, False
    message_id = (f"<widget-{_client_digest(conversation.token_hash, client_id)}"
                  f"@{settings.SHIFTLINE_EMAIL_DOMAIN}>") if client_id else None
    with transaction.atomic():
        message, created = intake_services.inquiry_add_customer_message(
            inquiry_id=conversation.inquiry_id, body=body, now=now,
            email_message_id=message_id, attachments=attachments)
        if message.inquiry_id != conversation.inquiry_id:
            # past the reopen window: a new, linked inquiry; the chat follows it
            WidgetConversation.objects.filter(pk=conversation.pk).update(
                inquiry_id=message.inquiry_id)
            conversation.inquiry_id = message.inquiry_id
        if client_id:
            WidgetClientMessage.objects.get_or_create(
                conversation=conversation, client_id=client_id,
                defaults={"message": message})
        if created:
            push_to_group_on_commit(widget_conversation_group(message.inquiry_id),
                                    "widget.message", message_id=message.pk)
    return message, created


def widget_mark_read_by_customer(*, conversation: WidgetConversation, up_to: int,
                                 now: datetime) -> WidgetConversation:
    """The customer saw the expert's messages up to `up_to`: they count as delivered and read,
    and their authors' pages say "Read". A mark never moves back."""
    with transaction.atomic():
        locked = WidgetConversation.objects.select_for_update().get(pk=conversation.pk)
        before = locked.customer_read_up_to
        last = (Message.objects.filter(inquiry_id=locked.inquiry_id,
                                       direction=MessageDirection.OUTBOUND, pk__lte=up_to)
                .order_by("-id").values_list("id", flat=True).first())
        if last is None or (before is not None and last <= before):
            return locked
        delivery_services.messages_mark_delivered_in_chat(inquiry_id=locked.inquiry_id,
                                                          up_to=last, now=now)
        locked.customer_read_up_to = last
        locked.save(update_fields=["customer_read_up_to"])
        delivery_services.messages_push_read_in_chat(inquiry_id=locked.inquiry_id,
                                                     after=before, up_to=last)
    return locked


def widget_mark_read_by_expert(*, inquiry_id: int, now: datetime) -> None:
    """The expert opened the chat: the customer's messages so far are read, and the
    customer's widget hears it for each one newly read. Not a widget chat: nothing."""
    with transaction.atomic():
        conversation = (WidgetConversation.objects.select_for_update()
                        .filter(inquiry_id=inquiry_id).first())
        if conversation is None:
            return
        newly = Message.objects.filter(inquiry_id=inquiry_id,
                                       direction=MessageDirection.INBOUND)
        if conversation.expert_read_up_to is not None:
            newly = newly.filter(pk__gt=conversation.expert_read_up_to)
        ids = list(newly.order_by("id").values_list("id", flat=True))
        if not ids:
            return
        conversation.expert_read_up_to = ids[-1]
        conversation.save(update_fields=["expert_read_up_to"])
        for message_id in ids:
            push_to_group_on_commit(widget_conversation_group(inquiry_id), "widget.delivery",
                                    message_id=message_id, delivery="read")


def widget_mark_delivered(*, conversation: WidgetConversation, up_to: int | None,
                          now: datetime) -> list[int]:
    """The customer's widget received the expert's messages (a forwarded message, or the
    whole conversation on a (re)connect)."""
    return delivery_services.messages_mark_delivered_in_chat(
        inquiry_id=conversation.inquiry_id, up_to=up_to, now=now)


def _customer_email(conversation: WidgetConversation, email: str) -> str:
    """The conversation's address, or the one given now when it had none (it is kept)."""
    if conversation.email_given:
        return conversation.inquiry.customer.email
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError as error:
        raise FieldErrors({"email": [gettext("Enter your email address.")]}) from error
    return email


def _promise_payload(reply_by: datetime | None, language: str, now: datetime) -> dict[str, Any]:
    with translation.override(language):
        seconds = None if reply_by is None else max(0, int((reply_by - now).total_seconds()))
        return {"reply_by": reply_by, "text": selectors.email_promise_text(seconds)}


def widget_switch_to_email(*, conversation: WidgetConversation, email: str,
                           now: datetime) -> dict[str, Any]:
    """The customer does not wait: the chat becomes an email inquiry with a new promise from
    the same promise function, acknowledged by email, answered by email. Allowed while no
    expert holds the chat (before any reply); routed again after commit."""
    address = _customer_email(conversation, email)
    inquiry = conversation.inquiry
    with transaction.atomic():
        locked = inquiries_services.inquiry_lock(inquiry_id=inquiry.pk)
        if locked.channel == InquiryChannel.EMAIL:
            return _promise_payload(locked.promised_reply_by, locked.language, now)
        if locked.first_replied_at is not None or assignments_selectors.\
                assignment_active_for_inquiry(inquiry_id=locked.pk) is not None:
            with translation.override(locked.language):
                raise Conflict(gettext("An expert is already answering this chat."),
                               code="expert_answering")
        if locked.status in (InquiryStatus.RESOLVED, InquiryStatus.ESCALATED):
            raise Conflict("This conversation is closed.", code="closed")
        if not conversation.email_given:
            inquiries_services.inquiry_set_customer_email(inquiry=locked, email=address)
            WidgetConversation.objects.filter(pk=conversation.pk).update(email_given=True)
        promise = promise_for_new_inquiry(queue=locked.queue, channel=InquiryChannel.EMAIL,
                                          language=locked.language, now=now)
        inquiries_services.inquiry_switch_to_email(
            inquiry=locked, promised_reply_by=promise.reply_by, promise_text=promise.text,
            promise_basis=promise.basis, now=now)
        enqueue_on_commit("marketplace.send_acknowledgement", locked.pk)
        enqueue_on_commit("routing.route_inquiry", locked.pk)
        push_to_group_on_commit(widget_conversation_group(locked.pk), "widget.state")
    return _promise_payload(promise.reply_by, locked.language, now)


def widget_leave_message(*, queue: OverflowQueue, details: CustomerDetails,
                         now: datetime) -> dict[str, Any]:
    """Nobody can chat now: the message becomes an email inquiry from the widget, with its
    promise emailed to the customer, routed (or handed to the brand) as any inquiry."""
    language = selectors.widget_language(details.language)
    body_check_length(details.message)
    errors = _check_details(queue, details, email_required=True)
    if errors:
        raise FieldErrors(errors)
    inquiry, _ = intake_services.inquiry_create(intake=intake_services.InquiryIntake(
        queue=queue, external_id=f"widget:{secrets.token_hex(20)}",
        channel=InquiryChannel.EMAIL, subject=_subject(details.message), body=details.message,
        language=language, customer_email=details.email.strip(),
        customer_name=details.name.strip()[:NAME_MAX_LENGTH], source=InquirySource.WIDGET,
        acknowledge=False), now=now)
    enqueue_on_commit("marketplace.send_acknowledgement", inquiry.pk)
    return _promise_payload(inquiry.promised_reply_by, language, now)


def widget_transcript_request(*, conversation: WidgetConversation, email: str,
                              now: datetime) -> None:
    """The transcript goes by email after commit (marketplace.widget_send_transcript)."""
    address = _customer_email(conversation, email)
    if not conversation.email_given:
        with transaction.atomic():
            inquiries_services.inquiry_set_customer_email(inquiry=conversation.inquiry,
                                                       email=address)
            WidgetConversation.objects.filter(pk=conversation.pk).update(email_given=True)
    enqueue_on_commit("marketplace.widget_send_transcript", conversation.pk)


def widget_transcript_send(*, conversation_id: int, now: datetime) -> bool:
    """Emails the conversation so far, as plain text, in the customer's language."""
    conversation = (WidgetConversation.objects
                    .select_related("inquiry__customer", "inquiry__brand")
                    .get(pk=conversation_id))
    inquiry: Inquiry = conversation.inquiry
    if not conversation.email_given:
        return False
    messages = (Message.objects.filter(inquiry=inquiry).select_related("author")
                .order_by("created_at", "id"))
    with translation.override(inquiry.language):
        customer = inquiry.customer.name or gettext("You")
        lines = [gettext("Your chat with %(brand)s") % {"brand": inquiry.brand.name}, ""]
        for message in messages:
            who = customer if message.direction == MessageDirection.INBOUND \
                else (message.author.first_name if message.author and message.author.first_name
                      else gettext("Expert"))
            lines += [f"{who} · {message.created_at:%Y-%m-%d %H:%M} UTC", message.body, ""]
        subject = gettext("Transcript of your chat with %(brand)s") % {
            "brand": inquiry.brand.name}
    EmailMessage(subject=subject, body="\n".join(lines),
                 from_email=delivery_services.brand_sender(inquiry),
                 to=[inquiry.customer.email],
                 headers={"Auto-Submitted": "auto-generated"}).send(fail_silently=False)
    WidgetConversation.objects.filter(pk=conversation.pk).update(transcript_sent_at=now)
    return True


def widget_survey_token(*, conversation: WidgetConversation, now: datetime) -> str | None:
    """The token of a resolved chat's survey, which the widget shows at the end: the
    invitation is made the first time it is asked for, the same token after (surveys'
    `survey_invitation_for_chat`). None while the chat is not resolved."""
    inquiry = conversation.inquiry
    if inquiry.channel != InquiryChannel.CHAT or inquiry.status != InquiryStatus.RESOLVED:
        return None
    return surveys_services.survey_invitation_for_chat(inquiry=inquiry, now=now)

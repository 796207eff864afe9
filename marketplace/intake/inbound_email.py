"""Inbound email, parsed by django-anymail's AnymailInboundMessage whether it arrives as raw
MIME or as anymail's normalized fields in JSON. A reply threads onto its inquiry through
In-Reply-To / References; anything else opens a new email inquiry."""


import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from anymail.inbound import AnymailInboundMessage
from django.db import transaction
from django.utils.html import strip_tags

from marketplace.delivery.services import inquiry_id_acknowledged_by
from marketplace.infra.errors import DomainError
from marketplace.infra.parsers import text_problem
from marketplace.inquiries.models import Inquiry, InquiryChannel, InquirySource, Message
from marketplace.intake.services import (
    IncomingAttachment,
    InquiryIntake,
    inquiry_add_customer_message,
    inquiry_create,
    message_store_attachments,
)
from marketplace.queues.models import OverflowQueue

MESSAGE_ID_PATTERN = re.compile(r"<[^<>\s]+>")


SUBJECT_LIMIT = 300


class InvalidEmail(DomainError):
    code = "invalid_email"


@dataclass(frozen=True)
class ParsedEmail:
    from_email: str
    from_name: str
    subject: str
    text: str
    message_id: str | None
    thread_ids: tuple[str, ...]
    attachments: tuple[IncomingAttachment, ...]
    automatic: bool = False


def _message_ids(value: str | None) -> list[str]:
    return MESSAGE_ID_PATTERN.findall(value or "")


def _body_text(message: AnymailInboundMessage) -> str:
    try:
        text = message.text
        if text is None and message.html is not None:
            text = strip_tags(message.html)
    except (LookupError, UnicodeError, ValueError) as error:
        raise InvalidEmail(f"The email body cannot be decoded: {error}") from error
    return (text or "").strip() or "(The email had no text.)"


def _attachments(message: AnymailInboundMessage) -> tuple[IncomingAttachment, ...]:
    found = []
    for part in message.attachments:
        content = part.get_content_bytes() or b""
        found.append(IncomingAttachment(filename=part.get_filename() or "attachment",
                                        content_type=part.get_content_type(),
                                        content=content))
    return tuple(found)


AUTOMATIC_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}


def is_automatic(message: AnymailInboundMessage) -> bool:
    """Out-of-office replies, bounces and list mail (RFC 3834 and the usual vendor headers):
    never acknowledged, so two autoresponders cannot answer each other for ever."""
    auto_submitted = str(message.get("Auto-Submitted") or "no").strip().lower()
    precedence = str(message.get("Precedence") or "").strip().lower()
    return (auto_submitted != "no" or precedence in AUTOMATIC_PRECEDENCE
            or message.get("X-Autoreply") is not None
            or message.get("X-Autorespond") is not None)


def from_anymail(message: AnymailInboundMessage) -> ParsedEmail:
    """Our fields from anymail's message; 400 when there is no sender or the text cannot be
    stored (NUL characters, invalid Unicode)."""
    sender = message.from_email
    if isinstance(sender, list):
        sender = sender[0] if sender else None
    if sender is None or "@" not in (sender.addr_spec or ""):
        raise InvalidEmail("The email has no From address.")
    subject = (message.subject or "").strip() or "(no subject)"
    text = _body_text(message)
    for value in (sender.addr_spec, sender.display_name or "", subject, text):
        problem = text_problem(value)
        if problem:
            raise InvalidEmail(problem)
    own_ids = _message_ids(message.get("Message-ID"))
    thread_ids = _message_ids(message.get("In-Reply-To")) + _message_ids(message.get("References"))
    return ParsedEmail(
        from_email=sender.addr_spec.lower(), from_name=(sender.display_name or "")[:200],
        subject=subject[:SUBJECT_LIMIT], text=text,
        message_id=own_ids[0][:255] if own_ids else None,
        thread_ids=tuple(dict.fromkeys(thread_ids)), attachments=_attachments(message),
        automatic=is_automatic(message),
    )


def parse_raw(raw: bytes) -> ParsedEmail:
    if not raw.strip():
        raise InvalidEmail("The body is empty; send the whole message as message/rfc822.")
    return from_anymail(AnymailInboundMessage.parse_raw_mime_bytes(raw))


def parse_normalized(data: Any) -> ParsedEmail:
    """anymail's normalized inbound fields, as `AnymailInboundMessage.construct` takes them:
    raw_headers, from_email, to, cc, subject, headers, text, html, and attachments as
    {filename, content_type, content (base64)}."""
    if not isinstance(data, dict):
        raise InvalidEmail("Send a JSON object with anymail's inbound fields.")
    strings = ("raw_headers", "from_email", "to", "cc", "subject", "text", "html")
    fields = {name: data.get(name) for name in strings}
    for name, value in fields.items():
        if value is not None and not isinstance(value, str):
            raise InvalidEmail(f"{name} must be a string.")
    headers = data.get("headers") or {}
    if not isinstance(headers, dict | list):
        raise InvalidEmail("headers must be an object or a list of [name, value] pairs.")
    items = data.get("attachments") or []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise InvalidEmail("attachments must be a list of {filename, content_type, content}.")
    for item in items:
        try:
            base64.b64decode(str(item.get("content") or ""), validate=True)
        except binascii.Error as error:
            raise InvalidEmail("Attachment content must be base64.") from error
    try:
        attachments = [
            AnymailInboundMessage.construct_attachment(
                content_type=str(item.get("content_type") or "application/octet-stream"),
                content=str(item.get("content") or ""), filename=item.get("filename"),
                base64=True)
            for item in items
        ]
        message = AnymailInboundMessage.construct(headers=headers, attachments=attachments,
                                                  **fields)
    except (AttributeError, TypeError, ValueError, binascii.Error) as error:
        raise InvalidEmail(f"The inbound fields are malformed: {error}") from error
    return from_anymail(message)


def _thread_target(queue: OverflowQueue, email: ParsedEmail) -> Inquiry | None:
    """The brand's inquiry that the email answers: through one of our or the customer's stored
    Message-IDs (latest first), or through our acknowledgement's Message-ID."""
    if not email.thread_ids:
        return None
    message = (Message.objects.filter(email_message_id__in=email.thread_ids,
                                      inquiry__brand_id=queue.brand_id)
               .select_related("inquiry").order_by("-created_at", "-id").first())
    if message is not None:
        return message.inquiry
    acknowledged = [inquiry_id for inquiry_id in map(inquiry_id_acknowledged_by,
                                                     email.thread_ids) if inquiry_id]
    return (Inquiry.objects.filter(pk__in=acknowledged, brand_id=queue.brand_id)
            .order_by("-received_at").first())


def _external_id(email: ParsedEmail) -> str:
    if email.message_id is None:
        digest = hashlib.sha256(f"{email.from_email}\n{email.text}".encode()).hexdigest()
        return f"email:{digest[:40]}"
    return f"email:{hashlib.sha256(email.message_id.encode()).hexdigest()[:40]}"


@dataclass(frozen=True)
class EmailOutcome:
    inquiry: Inquiry
    message: Message
    created: bool
    threaded: bool


def email_receive(*, queue: OverflowQueue, email: ParsedEmail, now: datetime) -> EmailOutcome:
    """Threads a reply onto its inquiry or opens a new one. The same Message-ID delivered twice
    is one message (the unique Message-ID decides)."""
    with transaction.atomic():
        thread = _thread_target(queue, email)
        if thread is not None:
            message, created = inquiry_add_customer_message(
                inquiry_id=thread.pk, body=email.text, now=now,
                email_message_id=email.message_id, attachments=email.attachments,
                automatic=email.automatic)
            return EmailOutcome(inquiry=thread, message=message, created=created, threaded=True)
        message_id = email.message_id
        if message_id:
            known = Message.objects.filter(email_message_id=message_id).first()
            if known is not None and known.inquiry.brand_id == queue.brand_id:
                return EmailOutcome(inquiry=known.inquiry, message=known, created=False,
                                    threaded=False)
            if known is not None:
                message_id = None
        inquiry, created = inquiry_create(
            intake=InquiryIntake(
                queue=queue, external_id=_external_id(email), channel=InquiryChannel.EMAIL,
                subject=email.subject, body=email.text, language="en",
                customer_email=email.from_email, customer_name=email.from_name,
                source=InquirySource.EMAIL, email_message_id=message_id,
                acknowledge=not email.automatic,
            ),
            now=now,
        )
        first = inquiry.messages.order_by("created_at", "id").first()
        assert first is not None
        if created:
            message_store_attachments(first, email.attachments)
    return EmailOutcome(inquiry=inquiry, message=first, created=created, threaded=False)

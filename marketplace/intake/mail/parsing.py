"""Inbound email as Shiftline keeps it, parsed by django-anymail's AnymailInboundMessage from raw
MIME or from anymail's normalized fields in JSON, and read with the standard library's public
email API.

Whatever a mail holds, parsing gives a ParsedEmail: the sender (None when no address to answer
can be found), the subject, the body, every file, what kind of mail it is and, when part of it
could not be read, the reason, with the original kept as an attachment. Only a request that is
not mail at all (an empty body, JSON of the wrong shape) raises InvalidEmail, a 400."""


import base64
import email.utils
import itertools
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import Message as MimePart
from email.parser import BytesHeaderParser
from email.policy import compat32
from typing import Any

from anymail.inbound import AnymailInboundMessage
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from marketplace.infra.errors import DomainError
from marketplace.intake.mail.headers import decoded_words, header, message_ids
from marketplace.intake.mail.kinds import Bounce, MailKind, bounce, classify
from marketplace.intake.mail.parts import collect
from marketplace.intake.mail.text import storable
from marketplace.intake.services import IncomingAttachment

logger = logging.getLogger(__name__)

ADDRESS_PATTERN = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
SUBJECT_LIMIT = 300
NAME_LIMIT = 200
ADDRESS_LIMIT = 254
EMPTY_BODY = "(The email had no text.)"


class InvalidEmail(DomainError):
    code = "invalid_email"


@dataclass(frozen=True)
class ParsedEmail:
    sender: str | None
    sender_name: str
    from_header: str
    subject: str
    text: str
    message_id: str | None
    thread_ids: tuple[str, ...]
    attachments: tuple[IncomingAttachment, ...]
    kind: MailKind = MailKind.PERSONAL
    kind_reason: str = ""
    bounce: Bounce | None = None
    unreadable_reason: str = ""
    original: bytes = b""
    original_name: str = "original.eml"

    @property
    def automatic(self) -> bool:
        return self.kind != MailKind.PERSONAL

    @property
    def body(self) -> str:
        """What the conversation shows: the text, or a note that there was none."""
        return self.text or EMPTY_BODY


def _usable_address(address: str) -> str | None:
    address = address.strip().lower()
    if not address or len(address) > ADDRESS_LIMIT:
        return None
    try:
        validate_email(address)
    except ValidationError:
        return None
    return address


def _address_in(message: MimePart, name: str) -> tuple[str | None, str]:
    """The first address of a header we could answer, and its display name: anymail's parse
    first, then the standard library's lenient one, then anything shaped like an address in the
    raw value (an unterminated display name swallows the address for both parsers)."""
    parsed: list[tuple[str, str]] = []
    if isinstance(message, AnymailInboundMessage):
        try:
            parsed = [(item.display_name or "", item.addr_spec or "")
                      for item in message.get_address_header(name)]
        except Exception:  # AnymailInvalidAddress, and the parser's own errors
            parsed = []
    raw = header(message, name)
    parsed += [(decoded_words(display), address)
               for display, address in email.utils.getaddresses([raw])]
    for display, address in parsed:
        usable = _usable_address(address)
        if usable:
            return usable, display.strip()
    for match in ADDRESS_PATTERN.finditer(raw):
        usable = _usable_address(match.group(0))
        if usable:
            return usable, raw[:match.start()].strip(" \t<\"'")
    return None, next((display for display, _ in parsed if display), "")


def _sender(message: MimePart) -> tuple[str | None, str]:
    """From, else Sender, else Reply-To: whoever the mail says wrote it."""
    name = ""
    for field in ("From", "Sender", "Reply-To"):
        address, display = _address_in(message, field)
        name = name or display
        if address:
            return address, storable(display or name)[:NAME_LIMIT]
    return None, storable(name)[:NAME_LIMIT]


def _subject(value: str) -> str:
    return storable(decoded_words(value))[:SUBJECT_LIMIT] or "(no subject)"


def _original_type(original_name: str) -> str:
    return "application/json" if original_name.endswith(".json") else "message/rfc822"


def from_message(message: MimePart, *, original: bytes, original_name: str) -> ParsedEmail:
    """Our fields from a parsed message; never raises for what the mail holds."""
    sender, sender_name = _sender(message)
    collected = collect(message, itertools.count(1))
    text = collected.body()
    kind, kind_reason = classify(message, sender)
    problems = "; ".join(dict.fromkeys(collected.problems))
    attachments = list(collected.attachments)
    if problems:
        attachments.append(IncomingAttachment(original_name, _original_type(original_name),
                                              original))
    own_ids = message_ids(header(message, "Message-ID"))
    thread_ids = message_ids(header(message, "In-Reply-To")) + \
        message_ids(header(message, "References"))
    return ParsedEmail(
        sender=sender, sender_name=sender_name, from_header=header(message, "From")[:300],
        subject=_subject(header(message, "Subject")), text=text,
        message_id=own_ids[0] if own_ids else None, thread_ids=tuple(dict.fromkeys(thread_ids)),
        attachments=tuple(attachments), kind=kind, kind_reason=kind_reason,
        bounce=bounce(message, text) if kind == MailKind.BOUNCE else None,
        unreadable_reason=storable(problems)[:500], original=original,
        original_name=original_name,
    )


def unreadable(*, original: bytes, original_name: str, reason: str,
               headers: MimePart | None = None) -> ParsedEmail:
    """A mail the parser gave up on: the headers that could be read, the original kept."""
    headers = headers if headers is not None else MimePart()
    sender, sender_name = _sender(headers)
    return ParsedEmail(
        sender=sender, sender_name=sender_name, from_header=header(headers, "From")[:300],
        subject=_subject(header(headers, "Subject")), text="", message_id=None,
        thread_ids=(), attachments=(IncomingAttachment(original_name,
                                                       _original_type(original_name),
                                                       original),),
        unreadable_reason=storable(reason)[:500], original=original,
        original_name=original_name,
    )


def parse_raw(raw: bytes) -> ParsedEmail:
    """A raw MIME message (message/rfc822)."""
    if not raw.strip():
        raise InvalidEmail("The body is empty; send the whole message as message/rfc822.")
    try:
        message = AnymailInboundMessage.parse_raw_mime_bytes(raw)
        return from_message(message, original=raw, original_name="original.eml")
    except Exception as error:  # a mail the parser cannot take is kept, not refused
        logger.warning("Inbound email could not be parsed", exc_info=True)
        return unreadable(original=raw, original_name="original.eml",
                          reason=f"The email could not be parsed: {type(error).__name__}: "
                          f"{error}", headers=BytesHeaderParser(policy=compat32).parsebytes(raw))


NORMALIZED_STRINGS = ("raw_headers", "from_email", "to", "cc", "subject", "text", "html")


def _normalized_fields(data: Any) -> tuple[dict[str, Any], Any, list[Mapping[str, Any]]]:
    """Checks that the JSON is anymail's normalized shape; InvalidEmail (400) when it is not."""
    if not isinstance(data, dict):
        raise InvalidEmail("Send a JSON object with anymail's inbound fields.")
    fields = {name: data.get(name) for name in NORMALIZED_STRINGS}
    for name, value in fields.items():
        if value is not None and not isinstance(value, str):
            raise InvalidEmail(f"{name} must be a string.")
    headers = data.get("headers")
    headers = {} if headers is None else headers
    if not isinstance(headers, dict | list):
        raise InvalidEmail("headers must be an object or a list of [name, value] pairs.")
    items = data.get("attachments")
    items = [] if items is None else items
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise InvalidEmail("attachments must be a list of {filename, content_type, content}.")
    for item in items:
        for name in ("filename", "content_type", "content"):
            if item.get(name) is not None and not isinstance(item[name], str):
                raise InvalidEmail(f"An attachment's {name} must be a string.")
        try:
            base64.b64decode(str(item.get("content") or ""), validate=True)
        except ValueError as error:  # binascii.Error, or text that is not ASCII
            raise InvalidEmail("Attachment content must be base64.") from error
    return fields, headers, items


def parse_normalized(data: Any, *, original: bytes) -> ParsedEmail:
    """anymail's normalized inbound fields, as `AnymailInboundMessage.construct` takes them:
    raw_headers, from_email, to, cc, subject, headers, text, html, and attachments as
    {filename, content_type, content (base64)}. `original` is the request body, kept when the
    mail goes to the mail log or cannot be read."""
    fields, headers, items = _normalized_fields(data)
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
        return from_message(message, original=original, original_name="original.json")
    except Exception as error:  # fields anymail cannot build a message from
        logger.warning("Normalized inbound email could not be built", exc_info=True)
        fallback = MimePart()
        for name, field in (("from_email", "From"), ("subject", "Subject")):
            if fields[name]:
                fallback[field] = " ".join(str(fields[name]).split())
        return unreadable(original=original, original_name="original.json",
                          reason=f"The email fields could not be read: "
                          f"{type(error).__name__}: {error}", headers=fallback)

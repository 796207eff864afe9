"""Inbound email as Shiftline keeps it, parsed by django-anymail's AnymailInboundMessage from raw
MIME or from anymail's normalized fields in JSON, and walked part by part with the standard
library's public email API.

Whatever a mail holds, parsing gives a `ParsedEmail`: the sender (or None when no address to
answer can be found), the subject, the body (every readable text part; the HTML rendered when
there is no plain text), every file (named parts, non-text parts, attached messages as `.eml`),
what kind of mail it is (a person's, a bounce, an automatic reply, list mail) and, when part of
it could not be read, the reason, with the original kept as an attachment. Only a request that
is not mail at all (an empty body, JSON of the wrong shape) raises InvalidEmail, a 400."""


import base64
import binascii
import email.utils
import itertools
import logging
import mimetypes
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.message import Message as MimePart
from email.parser import BytesHeaderParser, HeaderParser
from email.policy import compat32
from enum import StrEnum
from typing import Any

from anymail.inbound import AnymailInboundMessage
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from marketplace.infra.errors import DomainError
from marketplace.intake.email_text import html_text, plain_text, storable
from marketplace.intake.services import IncomingAttachment

logger = logging.getLogger(__name__)

MESSAGE_ID_PATTERN = re.compile(r"<[^<>\s]+>")
MESSAGE_ID_LINE = re.compile(r"^\s*Message-ID:\s*(<[^<>\s]+>)", re.IGNORECASE | re.MULTILINE)
ADDRESS_PATTERN = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")

SUBJECT_LIMIT = 300
NAME_LIMIT = 200
ADDRESS_LIMIT = 254
MESSAGE_ID_LIMIT = 255
MAX_DEPTH = 30
EMPTY_BODY = "(The email had no text.)"
EMBEDDED_MESSAGES = ("message/rfc822", "message/global")
BOUNCE_MAILBOXES = frozenset({"mailer-daemon", "postmaster"})
BOUNCE_NAMES = ("mailer daemon", "mailer-daemon", "mail delivery subsystem",
                "mail delivery system")
LIST_PRECEDENCE = frozenset({"bulk", "list", "junk"})


class InvalidEmail(DomainError):
    code = "invalid_email"


class MailKind(StrEnum):
    PERSONAL = "personal"
    BOUNCE = "bounce"
    AUTO_REPLY = "auto_reply"
    MAILING_LIST = "mailing_list"


@dataclass(frozen=True)
class Bounce:
    """What a delivery report says: the Message-IDs of the mail that bounced and why."""

    referenced_ids: tuple[str, ...]
    reason: str


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


@dataclass
class _Collected:
    """Text and files found in one branch of the MIME tree."""

    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[IncomingAttachment] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def has_plain(self) -> bool:
        return any(text.strip() for text in self.plain)

    def has_html(self) -> bool:
        return any(text.strip() for text in self.html)

    def add(self, other: "_Collected", *, with_text: bool = True) -> None:
        if with_text:
            self.plain += other.plain
            self.html += other.html
        self.attachments += other.attachments
        self.problems += other.problems


def _header(message: MimePart, name: str) -> str:
    """A header as text ('' when absent); a value the parser chokes on reads as written."""
    try:
        value = message.get(name)
    except Exception:  # the standard library's header parser has raised on odd values
        value = None
    return storable(" ".join(str(value).split())) if value is not None else ""


def _message_ids(value: str) -> list[str]:
    return [found for found in MESSAGE_ID_PATTERN.findall(value)
            if len(found) <= MESSAGE_ID_LIMIT]


def _decoded_words(value: str) -> str:
    try:
        return str(make_header(decode_header(value)))
    except (LookupError, UnicodeError, ValueError, binascii.Error):
        return value


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
    raw = _header(message, name)
    parsed += [(_decoded_words(display), address)
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
    for header in ("From", "Sender", "Reply-To"):
        address, display = _address_in(message, header)
        name = name or display
        if address:
            return address, storable(display or name)[:NAME_LIMIT]
    return None, storable(name)[:NAME_LIMIT]


def _subject(value: str) -> str:
    return storable(_decoded_words(value))[:SUBJECT_LIMIT] or "(no subject)"


def classify(message: MimePart, sender: str | None) -> tuple[MailKind, str]:
    """A person's mail, or a bounce, an automatic reply or list mail (RFC 3464, RFC 3834 and
    the usual vendor headers), with the header that told."""
    content_type = message.get_content_type()
    report_type = str(message.get_param("report-type") or "").lower()
    from_header = _header(message, "From").lower()
    if content_type == "multipart/report" and report_type == "delivery-status":
        return MailKind.BOUNCE, "a delivery-status report"
    if sender and sender.split("@")[0] in BOUNCE_MAILBOXES:
        return MailKind.BOUNCE, f"sent by {sender}"
    if any(name in from_header for name in BOUNCE_NAMES):
        return MailKind.BOUNCE, f"sent by {_header(message, 'From')}"
    if message.get("X-Failed-Recipients") is not None:
        return MailKind.BOUNCE, "X-Failed-Recipients header"
    auto_submitted = _header(message, "Auto-Submitted").split(";")[0].strip().lower() or "no"
    precedence = _header(message, "Precedence").lower()
    if auto_submitted != "no":
        return MailKind.AUTO_REPLY, f"Auto-Submitted: {auto_submitted}"
    if precedence == "auto_reply":
        return MailKind.AUTO_REPLY, "Precedence: auto_reply"
    for name in ("X-Autoreply", "X-Autorespond"):
        if message.get(name) is not None:
            return MailKind.AUTO_REPLY, f"{name} header"
    if content_type == "multipart/report":
        return MailKind.AUTO_REPLY, f"a {report_type or 'machine'} report"
    if _header(message, "Return-Path") == "<>":
        return MailKind.AUTO_REPLY, "an empty Return-Path (sent by a machine)"
    if precedence in LIST_PRECEDENCE:
        return MailKind.MAILING_LIST, f"Precedence: {precedence}"
    for name in ("List-Id", "List-Unsubscribe"):
        if message.get(name) is not None:
            return MailKind.MAILING_LIST, f"{name} header"
    return MailKind.PERSONAL, ""


def _embedded(part: MimePart) -> list[MimePart]:
    payload = part.get_payload()
    return [item for item in payload if isinstance(item, MimePart)] \
        if isinstance(payload, list) else []


def _bounce(message: MimePart, text: str) -> Bounce:
    """The Message-IDs of the mail that bounced, from the returned message or its headers, the
    report's own threading headers and any `Message-ID:` line quoted in its text; the reason
    from the delivery-status fields (Diagnostic-Code, else Status and Action)."""
    ids: list[str] = []
    reasons: list[str] = []
    for part in _walk(message):
        content_type = part.get_content_type()
        if content_type in EMBEDDED_MESSAGES:
            for embedded in _embedded(part)[:1]:
                ids += _message_ids(_header(embedded, "Message-ID"))
        elif content_type == "text/rfc822-headers":
            headers = HeaderParser(policy=compat32).parsestr(_part_text(part))
            ids += _message_ids(_header(headers, "Message-ID"))
        elif content_type == "message/delivery-status":
            for block in _embedded(part):
                diagnostic = _header(block, "Diagnostic-Code")
                status = " ".join(filter(None, (_header(block, "Action"),
                                                _header(block, "Status"))))
                recipient = _header(block, "Final-Recipient").split(";")[-1].strip()
                if diagnostic or status:
                    reasons.append(" ".join(filter(None, (
                        f"{recipient}:" if recipient else "", diagnostic or status))))
    ids += _message_ids(_header(message, "In-Reply-To"))
    ids += _message_ids(_header(message, "References"))
    ids += MESSAGE_ID_LINE.findall(text)
    reason = "; ".join(dict.fromkeys(reasons)) or _header(message, "Subject") \
        or "The mail server reported that the message could not be delivered."
    return Bounce(referenced_ids=tuple(dict.fromkeys(ids)), reason=storable(reason)[:500])


def _walk(message: MimePart, depth: int = 0) -> Iterator[MimePart]:
    """Every part, depth first, at most MAX_DEPTH levels down."""
    yield message
    if depth < MAX_DEPTH and (message.is_multipart()):
        for child in _embedded(message):
            yield from _walk(child, depth + 1)


def _part_bytes(part: MimePart) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _part_text(part: MimePart) -> str:
    return plain_text(_part_bytes(part), part.get_content_charset())


def _message_bytes(message: MimePart) -> bytes:
    try:
        return message.as_bytes(policy=compat32)
    except Exception:  # a malformed message may not flatten; keep what reads
        return str(message).encode("utf-8", errors="replace")


def _filename(part: MimePart) -> str | None:
    try:
        name = part.get_filename()
    except Exception:  # RFC 2231 parameters in the wild break the parser
        return None
    if not name:
        return None
    return storable(_decoded_words(name)).strip() or None


def _unnamed(part: MimePart, number: int) -> str:
    extension = mimetypes.guess_extension(part.get_content_type()) \
        or (".txt" if part.get_content_maintype() == "text" else ".bin")
    return f"part-{number}{extension}"


def _attached_message(part: MimePart, number: int) -> IncomingAttachment:
    """An attached email: one file, the message as it was, named after its subject."""
    embedded = _embedded(part)
    content = b"\n".join(_message_bytes(item) for item in embedded)
    subject = _header(embedded[0], "Subject") if embedded else ""
    name = _filename(part) or f"{subject or f'message-{number}'}.eml"
    if not name.lower().endswith(".eml"):
        name += ".eml"
    return IncomingAttachment(filename=name, content_type=part.get_content_type(),
                              content=content)


def _leaf(part: MimePart, number: int, *, in_alternative: bool) -> _Collected:
    collected = _Collected()
    content_type = part.get_content_type()
    maintype, subtype = content_type.split("/", 1)
    filename = _filename(part)
    if maintype == "message":
        content = b"\n".join(_message_bytes(item) for item in _embedded(part)) \
            or _part_bytes(part)
        name = filename or f"{subtype}-{number}.txt"
        collected.attachments.append(IncomingAttachment(
            filename=name, content_type=content_type, content=content))
        return collected
    body = maintype == "text" and subtype in ("plain", "html") \
        and part.get_content_disposition() != "attachment"
    if body:
        text = (plain_text if subtype == "plain" else html_text)(
            _part_bytes(part), part.get_content_charset())
        (collected.plain if subtype == "plain" else collected.html).append(text)
    elif maintype == "text" and filename is None and in_alternative:
        return collected  # another rendering of the body (text/watch-html, text/enriched)
    if filename or not body:
        collected.attachments.append(IncomingAttachment(
            filename=filename or _unnamed(part, number), content_type=content_type,
            content=_part_bytes(part)))
    return collected


def _collect(part: MimePart, numbers: Iterator[int], *, depth: int = 0,
             in_alternative: bool = False) -> _Collected:
    """Text and files of a part and everything under it. In multipart/alternative the first
    branch with plain text gives the body (else the first with HTML); files come from every
    branch. A part that cannot be read is kept as a file and named in `problems`."""
    number = next(numbers)
    content_type = part.get_content_type()
    payload = part.get_payload()
    try:
        if depth >= MAX_DEPTH:
            return _Collected(
                attachments=[IncomingAttachment(f"part-{number}.eml", "message/rfc822",
                                                _message_bytes(part))],
                problems=[f"parts nested more than {MAX_DEPTH} deep were kept unread"])
        if part.get_content_maintype() == "multipart" and isinstance(payload, list):
            alternative = content_type == "multipart/alternative"
            branches = [_collect(child, numbers, depth=depth + 1, in_alternative=alternative)
                        for child in _embedded(part)]
            chosen = next((branch for branch in branches if branch.has_plain()),
                          next((branch for branch in branches if branch.has_html()), None))
            collected = _Collected()
            for branch in branches:
                collected.add(branch, with_text=not alternative or branch is chosen)
            return collected
        if part.get_content_maintype() == "multipart":
            # No boundary was found: what follows the headers is the text.
            return _Collected(plain=[plain_text(str(payload or "").encode("utf-8", "replace"),
                                                None)])
        if content_type in EMBEDDED_MESSAGES and depth == 0:
            # The whole mail is a forwarded message: its text and files are the mail's.
            collected = _Collected()
            for embedded in _embedded(part):
                collected.add(_collect(embedded, numbers, depth=depth + 1))
            return collected
        if content_type in EMBEDDED_MESSAGES:
            return _Collected(attachments=[_attached_message(part, number)])
        return _leaf(part, number, in_alternative=in_alternative)
    except Exception as error:  # one unreadable part must not lose the mail
        logger.warning("Inbound email part %s (%s) could not be read", number, content_type,
                       exc_info=True)
        return _Collected(
            attachments=[IncomingAttachment(_unnamed(part, number), content_type,
                                            _message_bytes(part))],
            problems=[f"part {number} ({content_type}) could not be read: "
                      f"{type(error).__name__}: {error}"])


def _body(collected: _Collected) -> str:
    texts = collected.plain if collected.has_plain() else collected.html
    return "\n\n".join(text for text in texts if text.strip())


def from_message(message: MimePart, *, original: bytes, original_name: str) -> ParsedEmail:
    """Our fields from a parsed message; never raises for what the mail holds."""
    sender, sender_name = _sender(message)
    collected = _collect(message, itertools.count(1))
    text = _body(collected)
    kind, kind_reason = classify(message, sender)
    problems = "; ".join(dict.fromkeys(collected.problems))
    attachments = list(collected.attachments)
    if problems:
        attachments.append(IncomingAttachment(original_name, _original_type(original_name),
                                              original))
    own_ids = _message_ids(_header(message, "Message-ID"))
    thread_ids = _message_ids(_header(message, "In-Reply-To")) + \
        _message_ids(_header(message, "References"))
    return ParsedEmail(
        sender=sender, sender_name=sender_name, from_header=_header(message, "From")[:300],
        subject=_subject(_header(message, "Subject")), text=text,
        message_id=own_ids[0] if own_ids else None, thread_ids=tuple(dict.fromkeys(thread_ids)),
        attachments=tuple(attachments), kind=kind, kind_reason=kind_reason,
        bounce=_bounce(message, text) if kind == MailKind.BOUNCE else None,
        unreadable_reason=storable(problems)[:500], original=original,
        original_name=original_name,
    )


def _original_type(original_name: str) -> str:
    return "application/json" if original_name.endswith(".json") else "message/rfc822"


def unreadable(*, original: bytes, original_name: str, reason: str,
               headers: MimePart | None = None) -> ParsedEmail:
    """A mail the parser gave up on: the headers that could be read, the original kept."""
    headers = headers if headers is not None else MimePart()
    sender, sender_name = _sender(headers)
    return ParsedEmail(
        sender=sender, sender_name=sender_name, from_header=_header(headers, "From")[:300],
        subject=_subject(_header(headers, "Subject")), text="", message_id=None,
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
    return fields, headers, items


def parse_normalized(data: Any, *, original: bytes) -> ParsedEmail:
    """anymail's normalized inbound fields, as `AnymailInboundMessage.construct` takes them:
    raw_headers, from_email, to, cc, subject, headers, text, html, and attachments as
    {filename, content_type, content (base64)}."""
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
        for name, header in (("from_email", "From"), ("subject", "Subject")):
            if fields[name]:
                fallback[header] = " ".join(str(fields[name]).split())
        return unreadable(original=original, original_name="original.json",
                          reason=f"The email fields could not be read: "
                          f"{type(error).__name__}: {error}", headers=fallback)

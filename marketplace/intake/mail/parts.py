"""The MIME tree walked for what a reader would want: the body (every readable text part, the
HTML rendered when there is no plain text) and every file (named parts, non-text parts such as
inline images without a disposition, attached messages as one `.eml` each)."""


import logging
import mimetypes
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message as MimePart
from email.policy import compat32

from marketplace.intake.mail.headers import decoded_words, header
from marketplace.intake.mail.text import html_text, plain_text, storable
from marketplace.intake.services import IncomingAttachment

logger = logging.getLogger(__name__)

MAX_DEPTH = 30
EMBEDDED_MESSAGES = ("message/rfc822", "message/global")


@dataclass
class Collected:
    """Text and files found in one branch of the MIME tree, and what could not be read."""

    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[IncomingAttachment] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def has_plain(self) -> bool:
        return any(text.strip() for text in self.plain)

    def has_html(self) -> bool:
        return any(text.strip() for text in self.html)

    def add(self, other: "Collected", *, with_text: bool = True) -> None:
        if with_text:
            self.plain += other.plain
            self.html += other.html
        self.attachments += other.attachments
        self.problems += other.problems

    def body(self) -> str:
        """The plain text parts in order, or when none has text, the HTML parts as text."""
        texts = self.plain if self.has_plain() else self.html
        return "\n\n".join(text for text in texts if text.strip())


def embedded(part: MimePart) -> list[MimePart]:
    """The parts inside a multipart, or the message(s) inside a message/* part."""
    payload = part.get_payload()
    return [item for item in payload if isinstance(item, MimePart)] \
        if isinstance(payload, list) else []


def walk(message: MimePart, depth: int = 0) -> Iterator[MimePart]:
    """Every part, depth first, at most MAX_DEPTH levels down."""
    yield message
    if depth < MAX_DEPTH and message.is_multipart():
        for child in embedded(message):
            yield from walk(child, depth + 1)


def part_bytes(part: MimePart) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def part_text(part: MimePart) -> str:
    return plain_text(part_bytes(part), part.get_content_charset())


def message_bytes(message: MimePart) -> bytes:
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
    return storable(decoded_words(name)).strip() or None


def _unnamed(part: MimePart, number: int) -> str:
    extension = mimetypes.guess_extension(part.get_content_type()) \
        or (".txt" if part.get_content_maintype() == "text" else ".bin")
    return f"part-{number}{extension}"


def _attached_message(part: MimePart, number: int) -> IncomingAttachment:
    """An attached email: one file, the message as it was, named after its subject."""
    messages = embedded(part)
    content = b"\n".join(message_bytes(item) for item in messages)
    subject = header(messages[0], "Subject") if messages else ""
    name = _filename(part) or f"{subject or f'message-{number}'}.eml"
    if not name.lower().endswith(".eml"):
        name += ".eml"
    return IncomingAttachment(filename=name, content_type=part.get_content_type(),
                              content=content)


def _leaf(part: MimePart, number: int, *, in_alternative: bool) -> Collected:
    """A part with no parts inside: text of the body (text/plain and text/html not marked as
    an attachment), a file (named, or not text), or both (a named inline text part)."""
    collected = Collected()
    content_type = part.get_content_type()
    maintype, subtype = content_type.split("/", 1)
    filename = _filename(part)
    if maintype == "message":  # delivery-status, external-body, disposition-notification
        content = b"\n".join(message_bytes(item) for item in embedded(part)) \
            or part_bytes(part)
        collected.attachments.append(IncomingAttachment(
            filename=filename or f"{subtype}-{number}.txt", content_type=content_type,
            content=content))
        return collected
    is_body = maintype == "text" and subtype in ("plain", "html") \
        and part.get_content_disposition() != "attachment"
    if is_body:
        read = plain_text if subtype == "plain" else html_text
        text = read(part_bytes(part), part.get_content_charset())
        (collected.plain if subtype == "plain" else collected.html).append(text)
    elif maintype == "text" and filename is None and in_alternative:
        return collected  # another rendering of the body (text/watch-html, text/enriched)
    if filename or not is_body:
        collected.attachments.append(IncomingAttachment(
            filename=filename or _unnamed(part, number), content_type=content_type,
            content=part_bytes(part)))
    return collected


def collect(part: MimePart, numbers: Iterator[int], *, depth: int = 0,
            in_alternative: bool = False) -> Collected:
    """Text and files of a part and everything under it, parts numbered in walk order. In
    multipart/alternative the first branch with plain text gives the body (else the first with
    HTML); files come from every branch. A part that cannot be read, or lies deeper than
    MAX_DEPTH, is kept as a file and named in `problems`."""
    number = next(numbers)
    content_type = part.get_content_type()
    payload = part.get_payload()
    try:
        if depth >= MAX_DEPTH:
            return Collected(
                attachments=[IncomingAttachment(f"part-{number}.eml", "message/rfc822",
                                                message_bytes(part))],
                problems=[f"parts nested more than {MAX_DEPTH} deep were kept unread"])
        if part.get_content_maintype() == "multipart" and isinstance(payload, list):
            alternative = content_type == "multipart/alternative"
            branches = [collect(child, numbers, depth=depth + 1, in_alternative=alternative)
                        for child in embedded(part)]
            chosen = next((branch for branch in branches if branch.has_plain()),
                          next((branch for branch in branches if branch.has_html()), None))
            collected = Collected()
            for branch in branches:
                collected.add(branch, with_text=not alternative or branch is chosen)
            return collected
        if part.get_content_maintype() == "multipart":
            # No boundary was found: what follows the headers is the text.
            return Collected(plain=[plain_text(str(payload or "").encode("utf-8", "replace"),
                                               None)])
        if content_type in EMBEDDED_MESSAGES and depth == 0:
            # The whole mail is a forwarded message: its text and files are the mail's.
            collected = Collected()
            for message in embedded(part):
                collected.add(collect(message, numbers, depth=depth + 1))
            return collected
        if content_type in EMBEDDED_MESSAGES:
            return Collected(attachments=[_attached_message(part, number)])
        return _leaf(part, number, in_alternative=in_alternative)
    except Exception as error:  # one unreadable part must not lose the mail
        logger.warning("Inbound email part %s (%s) could not be read", number, content_type,
                       exc_info=True)
        return Collected(
            attachments=[IncomingAttachment(_unnamed(part, number), content_type,
                                            message_bytes(part))],
            problems=[f"part {number} ({content_type}) could not be read: "
                      f"{type(error).__name__}: {error}"])

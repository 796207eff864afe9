"""A person's mail, or a machine's: bounces (RFC 3464 delivery-status reports, MAILER-DAEMON,
postmaster), automatic replies (RFC 3834) and list or bulk mail. Machines' mail is never
acknowledged, so two autoresponders cannot answer each other for ever."""


import re
from dataclasses import dataclass
from email.message import Message as MimePart
from email.parser import HeaderParser
from email.policy import compat32
from enum import StrEnum

from marketplace.intake.mail.headers import header, message_ids
from marketplace.intake.mail.parts import EMBEDDED_MESSAGES, embedded, part_text, walk
from marketplace.intake.mail.text import storable

MESSAGE_ID_LINE = re.compile(r"^\s*Message-ID:\s*(<[^<>\s]+>)", re.IGNORECASE | re.MULTILINE)
BOUNCE_MAILBOXES = frozenset({"mailer-daemon", "postmaster"})
BOUNCE_NAMES = ("mailer daemon", "mailer-daemon", "mail delivery subsystem",
                "mail delivery system")
LIST_PRECEDENCE = frozenset({"bulk", "list", "junk"})


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


def classify(message: MimePart, sender: str | None) -> tuple[MailKind, str]:
    """What kind of mail this is, with the header that told."""
    content_type = message.get_content_type()
    report_type = str(message.get_param("report-type") or "").lower()
    from_header = header(message, "From").lower()
    if content_type == "multipart/report" and report_type == "delivery-status":
        return MailKind.BOUNCE, "a delivery-status report"
    if sender and sender.split("@")[0] in BOUNCE_MAILBOXES:
        return MailKind.BOUNCE, f"sent by {sender}"
    if any(name in from_header for name in BOUNCE_NAMES):
        return MailKind.BOUNCE, f"sent by {header(message, 'From')}"
    if message.get("X-Failed-Recipients") is not None:
        return MailKind.BOUNCE, "X-Failed-Recipients header"
    auto_submitted = header(message, "Auto-Submitted").split(";")[0].strip().lower() or "no"
    precedence = header(message, "Precedence").lower()
    if auto_submitted != "no":
        return MailKind.AUTO_REPLY, f"Auto-Submitted: {auto_submitted}"
    if precedence == "auto_reply":
        return MailKind.AUTO_REPLY, "Precedence: auto_reply"
    for name in ("X-Autoreply", "X-Autorespond"):
        if message.get(name) is not None:
            return MailKind.AUTO_REPLY, f"{name} header"
    if content_type == "multipart/report":
        return MailKind.AUTO_REPLY, f"a {report_type or 'machine'} report"
    if header(message, "Return-Path") == "<>":
        return MailKind.AUTO_REPLY, "an empty Return-Path (sent by a machine)"
    if precedence in LIST_PRECEDENCE:
        return MailKind.MAILING_LIST, f"Precedence: {precedence}"
    for name in ("List-Id", "List-Unsubscribe"):
        if message.get(name) is not None:
            return MailKind.MAILING_LIST, f"{name} header"
    return MailKind.PERSONAL, ""


def bounce(message: MimePart, text: str) -> Bounce:
    """The Message-IDs of the mail that bounced, from the returned message or its headers, the
    report's own threading headers and any `Message-ID:` line quoted in its text; the reason
    from the delivery-status fields (Diagnostic-Code, else Action and Status)."""
    ids: list[str] = []
    reasons: list[str] = []
    for part in walk(message):
        content_type = part.get_content_type()
        if content_type in EMBEDDED_MESSAGES:
            for returned in embedded(part)[:1]:
                ids += message_ids(header(returned, "Message-ID"))
        elif content_type == "text/rfc822-headers":
            returned_headers = HeaderParser(policy=compat32).parsestr(part_text(part))
            ids += message_ids(header(returned_headers, "Message-ID"))
        elif content_type == "message/delivery-status":
            for block in embedded(part):
                diagnostic = header(block, "Diagnostic-Code")
                status = " ".join(filter(None, (header(block, "Action"),
                                                header(block, "Status"))))
                recipient = header(block, "Final-Recipient").split(";")[-1].strip()
                if diagnostic or status:
                    reasons.append(" ".join(filter(None, (
                        f"{recipient}:" if recipient else "", diagnostic or status))))
    ids += message_ids(header(message, "In-Reply-To"))
    ids += message_ids(header(message, "References"))
    ids += MESSAGE_ID_LINE.findall(text)
    reason = "; ".join(dict.fromkeys(reasons)) or header(message, "Subject") \
        or "The mail server reported that the message could not be delivered."
    return Bounce(referenced_ids=tuple(dict.fromkeys(ids)), reason=storable(reason)[:500])

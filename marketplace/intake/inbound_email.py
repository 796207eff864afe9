"""Inbound email received: a parsed mail (mail/parsing.py) becomes a customer message on its
conversation, a new email inquiry, a delivery failure of a reply Shiftline sent, or an entry in
the queue's mail log. Nothing is refused and nothing is dropped.

Who may write into a conversation: a mail joins an inquiry through In-Reply-To / References
only when its sender is that inquiry's customer. A mail can only join from the customer's
address, so the customer's address is also the only one a conversation has come from. Quoting
someone else's conversation (its Message-IDs are random, but a forwarded mail carries them)
opens a new inquiry, and both timelines and the brand's console say which one it quoted."""


import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from marketplace.delivery import services as delivery
from marketplace.inquiries import selectors as inquiries_selectors
from marketplace.inquiries import services as inquiries_services
from marketplace.inquiries.models import Inquiry, InquiryChannel, InquirySource, Message
from marketplace.intake.mail.kinds import MailKind
from marketplace.intake.mail.parsing import ParsedEmail
from marketplace.intake.models import MailLogEntry, MailLogKind
from marketplace.intake.services import (
    InquiryIntake,
    inquiry_add_customer_message,
    inquiry_create,
    message_store_attachments,
    safe_filename,
)
from marketplace.queues.models import OverflowQueue


class EmailOutcomeKind:
    INQUIRY = "inquiry"
    THREADED = "threaded"
    DELIVERY_FAILURE = "delivery_failure"
    MAIL_LOG = "mail_log"


@dataclass(frozen=True)
class EmailOutcome:
    kind: str
    created: bool
    inquiry: Inquiry | None = None
    message: Message | None = None
    mail_log_entry: MailLogEntry | None = None
    detail: str = ""

    @property
    def threaded(self) -> bool:
        return self.kind == EmailOutcomeKind.THREADED


MAIL_LOG_KINDS = {
    MailKind.BOUNCE: MailLogKind.BOUNCE,
    MailKind.AUTO_REPLY: MailLogKind.AUTO_REPLY,
    MailKind.MAILING_LIST: MailLogKind.MAILING_LIST,
}


def mail_log_record(*, queue: OverflowQueue, email: ParsedEmail, kind: str, reason: str,
                    now: datetime, inquiry: Inquiry | None = None,
                    ) -> tuple[MailLogEntry, bool]:
    """Keeps a mail that is no customer message, with its original. The same Message-ID on the
    same queue is one entry (the unique constraint decides): a provider's retry adds nothing."""
    entry = MailLogEntry(
        queue=queue, received_at=now, kind=kind, reason=reason[:500],
        sender=email.from_header[:300], subject=email.subject[:300], text=email.text,
        email_message_id=email.message_id or "",
        attachments=[{"filename": safe_filename(item.filename),
                      "content_type": item.content_type[:255], "size": len(item.content)}
                     for item in email.attachments],
        original_size=len(email.original), inquiry=inquiry,
    )
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        existing = MailLogEntry.objects.filter(queue=queue,
                                               email_message_id=entry.email_message_id).first()
        if existing is None or not entry.email_message_id:
            raise
        return existing, False
    if len(email.original) <= settings.SHIFTLINE_ATTACHMENT_MAX_BYTES:
        entry.original.save(f"{queue.pk}/{entry.pk}-{email.original_name}",
                            ContentFile(email.original), save=True)
    return entry, True


def _receive_bounce(queue: OverflowQueue, email: ParsedEmail, now: datetime) -> EmailOutcome:
    """A bounce of a reply or acknowledgement this brand sent is a delivery failure on its
    inquiry; any other bounce goes to the mail log. Either way the report itself is kept in
    the mail log, once."""
    assert email.bounce is not None
    referenced = email.bounce.referenced_ids
    reply = inquiries_selectors.message_get_sent_by_id(brand_id=queue.brand_id,
                                                       message_ids=referenced)
    acknowledged = None if reply is not None else inquiries_selectors.inquiry_get_acknowledged_by(
        brand_id=queue.brand_id, message_ids=referenced)
    inquiry = reply.inquiry if reply is not None else acknowledged
    if inquiry is None:
        entry, created = mail_log_record(
            queue=queue, email=email, kind=MailLogKind.BOUNCE, now=now,
            reason=f"A bounce ({email.kind_reason}) for a message Shiftline did not send: "
            "kept here, not acknowledged.")
        return EmailOutcome(kind=EmailOutcomeKind.MAIL_LOG, created=created,
                            mail_log_entry=entry, detail=entry.reason)
    what = f"reply #{reply.pk}" if reply is not None else "the acknowledgement"
    entry, created = mail_log_record(
        queue=queue, email=email, kind=MailLogKind.BOUNCE, now=now, inquiry=inquiry,
        reason=f"Recorded on inquiry #{inquiry.pk} as a delivery failure of {what}: "
        f"{email.bounce.reason}")
    if created and reply is not None:
        delivery.message_record_bounce(message_id=reply.pk, reason=email.bounce.reason, now=now)
    elif created:
        delivery.inquiry_record_acknowledgement_bounce(inquiry_id=inquiry.pk,
                                                       reason=email.bounce.reason, now=now)
    return EmailOutcome(kind=EmailOutcomeKind.DELIVERY_FAILURE, created=created,
                        inquiry=inquiry, message=reply, mail_log_entry=entry,
                        detail=entry.reason)


def _thread(inquiry: Inquiry, email: ParsedEmail, now: datetime) -> EmailOutcome:
    message, created = inquiry_add_customer_message(
        inquiry_id=inquiry.pk, body=email.body, now=now, email_message_id=email.message_id,
        attachments=email.attachments, automatic=email.automatic)
    if created and email.unreadable_reason:
        inquiries_services.message_mark_unreadable(message=message,
                                                   reason=email.unreadable_reason)
    return EmailOutcome(kind=EmailOutcomeKind.THREADED, created=created, inquiry=inquiry,
                        message=message)


def _external_id(email: ParsedEmail) -> str:
    """The same mail delivered twice is one inquiry; the same Message-ID from another sender
    (a copy, or someone reusing it) is not the same mail."""
    identity = email.message_id or email.text or email.subject
    digest = hashlib.sha256(f"{email.sender}\n{identity}".encode()).hexdigest()
    return f"email:{digest[:40]}"


def _open_inquiry(queue: OverflowQueue, email: ParsedEmail, quoted: list[Inquiry],
                  now: datetime) -> EmailOutcome:
    assert email.sender is not None
    message_id = email.message_id
    if message_id and inquiries_selectors.message_id_is_taken(email_message_id=message_id):
        message_id = None  # a copy sent to two brands, or a reused id: ours is generated
    inquiry, created = inquiry_create(
        intake=InquiryIntake(
            queue=queue, external_id=_external_id(email), channel=InquiryChannel.EMAIL,
            subject=email.subject, body=email.body, language="en",
            customer_email=email.sender, customer_name=email.sender_name,
            source=InquirySource.EMAIL, email_message_id=message_id,
        ),
        now=now,
    )
    first = inquiry.messages.order_by("created_at", "id").first()
    assert first is not None
    if created:
        message_store_attachments(first, email.attachments)
        if email.unreadable_reason:
            inquiries_services.message_mark_unreadable(message=first,
                                                       reason=email.unreadable_reason)
        if quoted:
            inquiries_services.inquiry_note_quoted_conversation(
                inquiry=inquiry, quoted=quoted, sender=email.sender, now=now)
    return EmailOutcome(kind=EmailOutcomeKind.INQUIRY, created=created, inquiry=inquiry,
                        message=first)


def email_receive(*, queue: OverflowQueue, email: ParsedEmail, now: datetime) -> EmailOutcome:
    """Where a mail belongs, in this order: a bounce is a delivery failure or goes to the mail
    log; a mail without a sender to answer goes to the mail log as unreadable; a reply from the
    customer of a conversation it quotes joins that conversation (an automatic one, such as an
    out-of-office, is kept there without waking anyone); other automatic and list mail goes to
    the mail log, never acknowledged (RFC 3834); everything else opens an email inquiry."""
    with transaction.atomic():
        if email.kind == MailKind.BOUNCE:
            return _receive_bounce(queue, email, now)
        if email.sender is None:
            where = f"in From {email.from_header!r}" if email.from_header else "(no From)"
            entry, created = mail_log_record(
                queue=queue, email=email, kind=MailLogKind.UNREADABLE, now=now,
                reason=f"Could not be read: no sender address to answer {where}."
                + (f" Also: {email.unreadable_reason}" if email.unreadable_reason else ""))
            return EmailOutcome(kind=EmailOutcomeKind.MAIL_LOG, created=created,
                                mail_log_entry=entry, detail=entry.reason)
        quoted = inquiries_selectors.inquiry_list_quoted(brand_id=queue.brand_id,
                                                         message_ids=email.thread_ids)
        own = next((inquiry for inquiry in quoted if inquiry.customer.email == email.sender),
                   None)
        if own is not None:
            return _thread(own, email, now)
        if email.automatic:
            entry, created = mail_log_record(
                queue=queue, email=email, kind=MAIL_LOG_KINDS[email.kind], now=now,
                reason=f"{MailLogKind(MAIL_LOG_KINDS[email.kind]).label} ({email.kind_reason})"
                " that belongs to no conversation of its sender: kept here, not acknowledged.")
            return EmailOutcome(kind=EmailOutcomeKind.MAIL_LOG, created=created,
                                mail_log_entry=entry, detail=entry.reason)
        return _open_inquiry(queue, email, quoted, now)

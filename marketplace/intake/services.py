"""Inquiries in: customer messages on existing inquiries, the signed helpdesk webhook and
inbound email. Every path ends in `inquiry_create` or `inquiry_add_customer_message`."""


import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename

from marketplace.infra import signing
from marketplace.infra.errors import Conflict, Unauthenticated
from marketplace.infra.push import push_to_expert_on_commit
from marketplace.infra.tasking import enqueue_on_commit
from marketplace.inquiries.models import (
    Attachment,
    Customer,
    Inquiry,
    InquirySource,
    InquiryStatus,
    Message,
    MessageDirection,
)
from marketplace.inquiries.services import (
    inquiry_change_status,
    inquiry_event,
    inquiry_lock,
    inquiry_record_event,
    inquiry_reopen,
    new_email_message_id,
    webhook_event_record,
)
from marketplace.intake.models import InboundDelivery
from marketplace.intake.statement import insert_inquiry_rows
from marketplace.queues.models import OverflowQueue
from routing.assignments import selectors as assignments_selectors
from routing.assignments import services as assignments_services
from routing.promises.selectors import promise_for_new_inquiry
from routing.seats import selectors as seats_selectors


@dataclass(frozen=True)
class InquiryIntake:
    queue: OverflowQueue
    external_id: str
    channel: str
    subject: str
    body: str
    language: str
    customer_email: str
    customer_name: str
    source: str = InquirySource.API
    email_message_id: str | None = None
    acknowledge: bool = True


def inquiry_create(*, intake: InquiryIntake, now: datetime) -> tuple[Inquiry, bool]:
    """Takes an inquiry from a brand's system. The same external id twice gives back the first
    inquiry (`created` False) instead of a second one: the unique constraint decides, so two
    concurrent deliveries cannot both win. Routing starts after commit, and the brand's live
    console hears of the inquiry from routing's first step (routing/offers/services.py).

    Every inquiry in passes here, so its rows (customer, inquiry, first message, first event)
    are written by one statement (marketplace/intake/statement.py), atomic on its own."""
    queue = intake.queue
    brand = queue.brand
    promise = promise_for_new_inquiry(queue=queue, channel=intake.channel,
                                      language=intake.language, now=now)
    email = intake.customer_email.lower()
    inquiry = Inquiry(
        brand=brand, queue=queue, external_id=intake.external_id,
        channel=intake.channel, subject=intake.subject, language=intake.language,
        received_at=now, source=intake.source,
        first_response_due_at=now + queue.first_response_target(intake.channel),
        promised_reply_by=promise.reply_by, promise_text=promise.text,
        promise_basis=promise.basis,
    )
    message = Message(
        direction=MessageDirection.INBOUND, body=intake.body, created_at=now,
        email_message_id=intake.email_message_id or new_email_message_id(),
    )
    event = inquiry_event(
        kind="received", now=now, description=f"Received by {intake.channel} from {email}.",
        data={"external_id": intake.external_id},
    )
    customer = Customer(brand=brand, email=email, name=intake.customer_name)
    written = insert_inquiry_rows(customer=customer, inquiry=inquiry, message=message,
                                  event=event)
    if written is None:  # the customer was being created by a concurrent intake: now it is
        written = insert_inquiry_rows(customer=customer, inquiry=inquiry, message=message,
                                      event=event)
    if written is None:
        raise Conflict("The customer is being created by another request; send it again.")
    customer, inquiry_id = written
    if inquiry_id is None:
        return (Inquiry.objects.select_related("customer")
                .get(brand=brand, external_id=intake.external_id), False)
    inquiry.pk = inquiry_id
    inquiry.customer = customer
    webhook_event_record(inquiry=inquiry, kind="received", now=now)
    enqueue_on_commit("routing.route_inquiry", inquiry.pk)
    if intake.source == InquirySource.EMAIL and intake.acknowledge:
        enqueue_on_commit("marketplace.send_acknowledgement", inquiry.pk)
    return inquiry, True


AWAITING_CUSTOMER = (InquiryStatus.ANSWERED, InquiryStatus.WAITING_ON_CUSTOMER)


@dataclass(frozen=True)
class IncomingAttachment:
    filename: str
    content_type: str
    content: bytes


def safe_filename(name: str | None) -> str:
    """A storable name from whatever the sender wrote ('../..' and empty names included)."""
    try:
        return get_valid_filename(name or "attachment")[:200]
    except SuspiciousFileOperation:
        return "attachment"


def message_store_attachments(message: Message, attachments: Sequence[IncomingAttachment]) -> None:
    """Metadata for every file; content only up to the size limit (the rest is listed as not
    stored, so nothing disappears silently)."""
    limit = settings.SHIFTLINE_ATTACHMENT_MAX_BYTES
    for incoming in attachments:
        filename = safe_filename(incoming.filename)
        attachment = Attachment(message=message, filename=filename,
                                content_type=incoming.content_type[:255],
                                size=len(incoming.content),
                                stored=len(incoming.content) <= limit)
        if not attachment.stored:
            attachment.not_stored_reason = (
                f"Not kept: {filesizeformat(attachment.size)} is over the limit of "
                f"{filesizeformat(limit)}.").replace("\xa0", " ")
        if attachment.stored:
            attachment.file.save(f"{message.inquiry_id}/{secrets.token_hex(8)}/{filename}",
                                 ContentFile(incoming.content), save=False)
        attachment.save()


def inquiry_add_customer_message(
    *, inquiry_id: int, body: str, now: datetime, email_message_id: str | None = None,
    attachments: Sequence[IncomingAttachment] = (), automatic: bool = False,
) -> tuple[Message, bool]:
    """Adds what the customer wrote to the inquiry, whatever the channel (API, webhook, email).

    - Waiting on the customer (or answered): back to the same expert (status assigned, told over
      the websocket) while they are checked in on a shift of the queue; otherwise their
      assignment is released and the inquiry goes back to the queue.
    - Resolved, within the queue's reopen window: reopened and routed again. After the window
      the message opens a new inquiry linked to the old one (`reopened_from`), routed as any
      new inquiry; the message returned is the new inquiry's.
    - Anything else (escalated, handed back, still open): kept, and the brand's console hears.

    The same email Message-ID twice on the inquiry gives back the first message (`created`
    False); one already used elsewhere (a copy sent to two brands) is not reused as this
    message's id. An `automatic` message (an out-of-office reply) is kept without moving or
    notifying anyone."""
    if email_message_id:
        existing = Message.objects.filter(email_message_id=email_message_id).first()
        if existing is not None and existing.inquiry_id == inquiry_id:
            return existing, False
        if existing is not None:
            email_message_id = None
    try:
        with transaction.atomic():
            inquiry = inquiry_lock(inquiry_id=inquiry_id)
            if (not automatic and inquiry.status == InquiryStatus.RESOLVED
                    and inquiry.resolved_at is not None
                    and now > inquiry.resolved_at + inquiry.queue.reopen_window):
                return _follow_up_inquiry(old=inquiry, body=body, now=now,
                                          email_message_id=email_message_id,
                                          attachments=attachments), True
            message = Message.objects.create(
                inquiry=inquiry, direction=MessageDirection.INBOUND, body=body, created_at=now,
                email_message_id=email_message_id
                or f"<{secrets.token_hex(16)}@{settings.SHIFTLINE_EMAIL_DOMAIN}>",
            )
            message_store_attachments(message, attachments)
            _move_on_customer_message(inquiry=inquiry, message=message, now=now,
                                      automatic=automatic)
    except IntegrityError:
        existing = Message.objects.filter(email_message_id=email_message_id,
                                          inquiry_id=inquiry_id).first()
        if existing is None or not email_message_id:
            raise
        return existing, False
    return message, True


def _move_on_customer_message(*, inquiry: Inquiry, message: Message, now: datetime,
                              automatic: bool) -> None:
    data = {"message_id": message.pk}
    active = assignments_selectors.assignment_active_for_inquiry(inquiry_id=inquiry.pk)
    if active is not None and not automatic:
        push_to_expert_on_commit(active[1], "inquiry.message", inquiry_id=inquiry.pk,
                                 message_id=message.pk)
    if automatic:
        inquiry_record_event(inquiry=inquiry, kind="auto_reply", now=now, data=data,
                             description="An automatic reply (out of office or "
                             "similar) arrived; kept, nobody notified.")
    elif inquiry.status in AWAITING_CUSTOMER and active is not None and \
            seats_selectors.expert_is_on_shift_for_queue(expert_id=active[1],
                                                         queue_id=inquiry.queue_id, now=now):
        inquiry_change_status(
            inquiry=inquiry, status=InquiryStatus.ASSIGNED, kind="customer_replied",
            now=now, description="The customer replied; back with the expert.", data=data,
        )
        push_to_expert_on_commit(active[1], "inquiry.customer_replied",
                                 inquiry_id=inquiry.pk, subject=inquiry.subject)
        push_to_expert_on_commit(active[1], "assignments.changed")
    elif inquiry.status in AWAITING_CUSTOMER and active is not None:
        inquiry_record_event(
            inquiry=inquiry, kind="customer_replied", now=now, data=data,
            description="The customer replied while their expert is off shift; back to the "
            "queue.")
        assignments_services.assignment_release(
            assignment_id=active[0], now=now,
            reason=f"The customer replied and expert #{active[1]} is not on shift; "
            "reassigning.")
    elif inquiry.status in AWAITING_CUSTOMER:
        inquiry_change_status(
            inquiry=inquiry, status=InquiryStatus.QUEUED, kind="customer_replied",
            now=now, description="The customer replied and nobody holds the inquiry; "
            "back in the queue.", data=data,
        )
        enqueue_on_commit("routing.route_inquiry", inquiry.pk)
    elif inquiry.status == InquiryStatus.RESOLVED:
        inquiry_reopen(inquiry=inquiry, now=now, data=data)
        enqueue_on_commit("routing.route_inquiry", inquiry.pk)
    else:
        inquiry_record_event(inquiry=inquiry, kind="customer_message", now=now,
                             description="The customer wrote again.", data=data)


def _follow_up_inquiry(*, old: Inquiry, body: str, now: datetime,
                       email_message_id: str | None,
                       attachments: Sequence[IncomingAttachment]) -> Message:
    """The customer wrote to a resolved inquiry after its reopen window: a new inquiry on the
    same queue, linked to the old one, which both timelines name. Caller holds the old
    inquiry's lock."""
    new, _ = inquiry_create(intake=InquiryIntake(
        queue=old.queue, external_id=f"{old.external_id}:follow-up:{secrets.token_hex(4)}",
        channel=old.channel, subject=old.subject, body=body, language=old.language,
        customer_email=old.customer.email, customer_name=old.customer.name, source=old.source,
        email_message_id=email_message_id, acknowledge=old.source == InquirySource.EMAIL,
    ), now=now)
    Inquiry.objects.filter(pk=new.pk).update(reopened_from=old)
    new.reopened_from = old
    message = Message.objects.filter(inquiry=new).order_by("created_at", "id").first()
    assert message is not None
    message_store_attachments(message, attachments)
    hours = old.queue.reopen_window_hours
    inquiry_record_event(
        inquiry=old, kind="followed_up", now=now, data={"inquiry_id": new.pk},
        description=f"The customer wrote again more than {hours} h after resolution: opened "
        f"inquiry #{new.pk}, linked to this one.")
    inquiry_record_event(
        inquiry=new, kind="follow_up_of", now=now, data={"inquiry_id": old.pk},
        description=f"Follow-up of resolved inquiry #{old.pk} (past its reopen window).")
    return message


@dataclass(frozen=True)
class WebhookResult:
    status: int
    body: dict[str, Any]
    replayed: bool


def webhook_verify(*, queue: OverflowQueue, timestamp: str | None, signature: str | None,
                   body: bytes, now: datetime) -> None:
    """Raises Unauthenticated (401) unless the body was signed with the queue's secret recently."""
    try:
        signing.verify(secret=queue.webhook_secret, timestamp_header=timestamp,
                       signature_header=signature, body=body, now=now)
    except signing.SignatureRejected as error:
        raise Unauthenticated(str(error), code="bad_signature") from error


def webhook_process_once(
    *, queue: OverflowQueue, delivery_id: str, now: datetime,
    handle: Callable[[], tuple[int, dict[str, Any], Inquiry | None]],
) -> WebhookResult:
    """Runs `handle` once per (queue, delivery id). The delivery row is inserted first, in the
    same transaction as the work: a concurrent repeat waits on the unique index, then finds
    the stored answer; a failed handle rolls everything back so the sender can try again."""
    try:
        with transaction.atomic():
            record = InboundDelivery.objects.create(
                queue=queue, delivery_id=delivery_id, response_status=0, received_at=now)
            status, body, inquiry = handle()
            record.response_status, record.response_body, record.inquiry = status, body, inquiry
            record.save(update_fields=["response_status", "response_body", "inquiry"])
    except IntegrityError:
        stored = InboundDelivery.objects.filter(queue=queue, delivery_id=delivery_id).first()
        if stored is None:
            raise
        return WebhookResult(status=stored.response_status, body=stored.response_body,
                             replayed=True)
    return WebhookResult(status=status, body=body, replayed=False)

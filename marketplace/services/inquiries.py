"""Inquiries and their messages: intake, status changes, replies and their delivery."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User

from marketplace import rows
from marketplace.delivery import message_deliver as message_deliver
from marketplace.delivery import message_mark_delivery_failed as message_mark_delivery_failed
from marketplace.errors import Conflict, NotFound
from marketplace.events import inquiry_event
from marketplace.events import inquiry_record_event as inquiry_record_event
from marketplace.models import (
    Customer,
    DeliveryStatus,
    Inquiry,
    InquiryEvent,
    InquirySource,
    InquiryStatus,
    Message,
    MessageDirection,
    OverflowQueue,
)
from marketplace.promises import promise_for_new_inquiry, promise_kept_at
from marketplace.tasking import enqueue_on_commit


def _new_email_message_id() -> str:
    return f"<{uuid.uuid4().hex}@{settings.SHIFTLINE_EMAIL_DOMAIN}>"


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
    console hears of the inquiry from routing's first step (routing/services.py).

    Every inquiry in passes here, so its rows (customer, inquiry, first message, first event)
    are written by one statement (`_insert_inquiry_rows`), which is atomic on its own."""
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
        email_message_id=intake.email_message_id or _new_email_message_id(),
    )
    event = inquiry_event(
        kind="received", now=now, description=f"Received by {intake.channel} from {email}.",
        data={"external_id": intake.external_id},
    )
    customer = Customer(brand=brand, email=email, name=intake.customer_name)
    written = _insert_inquiry_rows(customer=customer, inquiry=inquiry, message=message,
                                   event=event)
    if written is None:  # the customer was being created by a concurrent intake: now it is
        written = _insert_inquiry_rows(customer=customer, inquiry=inquiry, message=message,
                                       event=event)
    if written is None:
        raise Conflict("The customer is being created by another request; send it again.")
    customer, inquiry_id = written
    if inquiry_id is None:
        return (Inquiry.objects.select_related("customer")
                .get(brand=brand, external_id=intake.external_id), False)
    inquiry.customer = customer
    rows.mark_saved(inquiry, inquiry_id)
    enqueue_on_commit("routing.route_inquiry", inquiry.pk)
    if intake.source == InquirySource.EMAIL and intake.acknowledge:
        enqueue_on_commit("marketplace.send_acknowledgement", inquiry.pk)
    return inquiry, True


def _insert_inquiry_rows(*, customer: Customer, inquiry: Inquiry, message: Message,
                         event: InquiryEvent) -> tuple[Customer, int | None] | None:
    """One statement finds or creates the customer and inserts the inquiry, its first message
    and its first event, unless the brand already has an inquiry with this external id. Gives
    the customer and the new inquiry's id (None for a known external id), or None when the
    customer was being created concurrently (a second try finds it)."""
    found = (f"SELECT {rows.columns(Customer, 'c')} FROM {rows.table(Customer)} c "  # noqa: S608 (model identifiers; values bound)
             "WHERE c.brand_id = %s AND c.email = %s")
    steps = [
        ("found", found, [customer.brand_id, customer.email]),
        ("created", *rows.insert_from(
            customer, source=rows.ONE_ROW + " WHERE NOT EXISTS (SELECT 1 FROM found)",  # noqa: S608 (constant SQL)
            columns_from_source={}, unless_conflict_on=("brand_id", "email"),
            returning_row=True)),
        ("customer", "SELECT * FROM found UNION ALL SELECT * FROM created", []),
        ("inquiry", *rows.insert_from(
            inquiry, source="customer", columns_from_source={"customer_id": "customer.id"},
            unless_conflict_on=("brand_id", "external_id"))),
        ("message", *rows.insert_from(message, source="inquiry",
                                      columns_from_source={"inquiry_id": "inquiry.id"})),
        ("event", *rows.insert_from(event, source="inquiry",
                                    columns_from_source={"inquiry_id": "inquiry.id"})),
    ]
    sql = ("WITH " + ", ".join(f"{name} AS ({step})" for name, step, _ in steps)  # noqa: S608 (model identifiers; values bound)
           + " SELECT customer.*, (SELECT id FROM inquiry) FROM customer")
    row = rows.fetch_one(sql, [param for _, _, params in steps for param in params])
    if row is None:
        return None
    inquiry_id = row[-1]
    if inquiry_id is not None:
        message.inquiry_id = inquiry_id
        event.inquiry_id = inquiry_id
    return rows.instance(Customer, row), inquiry_id


def inquiry_lock(*, inquiry_id: int) -> Inquiry:
    """Locks the inquiry row for the caller's transaction. Routing locks the inquiry first and
    the expert second, always in that order."""
    try:
        return (Inquiry.objects.select_for_update(of=("self",)).select_related("queue")
                .get(pk=inquiry_id))
    except Inquiry.DoesNotExist as error:
        raise NotFound(f"Inquiry {inquiry_id} does not exist.") from error


def inquiry_change_status(
    *,
    inquiry: Inquiry,
    status: InquiryStatus,
    kind: str,
    description: str,
    now: datetime,
    actor: User | None = None,
    data: dict[str, Any] | None = None,
    coverage_reason: str | None = None,
    new_in_console: bool = False,
) -> Inquiry:
    """Moves the inquiry to `status` and records why. Caller holds the inquiry's row lock.
    `new_in_console`: the first change after intake, which the brand's console shows as a new
    row (marketplace/events.py)."""
    inquiry.status = status
    fields = ["status"]
    if coverage_reason is not None:
        inquiry.coverage_reason = coverage_reason
        fields.append("coverage_reason")
    if status == InquiryStatus.RESOLVED:
        inquiry.resolved_at = now
        fields.append("resolved_at")
    if status == InquiryStatus.HANDED_BACK:
        inquiry.handed_back_reason = description[:200]
        fields.append("handed_back_reason")
    inquiry.save(update_fields=fields)
    inquiry_record_event(
        inquiry=inquiry, kind=kind, description=description, now=now, actor=actor, data=data,
        new_in_console=new_in_console,
    )
    return inquiry


def inquiry_mark_at_risk(*, inquiry: Inquiry, now: datetime) -> Inquiry:
    """Flags an inquiry that has used half its first-response target with nobody accepting.
    Caller holds the inquiry's row lock; flagging twice records nothing new."""
    if inquiry.at_risk_at is not None:
        return inquiry
    inquiry.at_risk_at = now
    inquiry.save(update_fields=["at_risk_at"])
    inquiry_record_event(
        inquiry=inquiry, kind="at_risk", now=now,
        description="At risk: half the first-response target has passed and no expert has "
        "accepted yet.",
    )
    return inquiry


def message_create_reply(
    *, inquiry: Inquiry, author: User, body: str, now: datetime
) -> Message:
    """Stores an expert's reply and schedules its delivery to the customer. Caller holds the
    inquiry's row lock and has checked that the author may reply."""
    if inquiry.status in (InquiryStatus.RESOLVED, InquiryStatus.HANDED_BACK,
                          InquiryStatus.ESCALATED):
        raise Conflict(f"Inquiry {inquiry.pk} is {inquiry.get_status_display().lower()}.")
    message = Message.objects.create(
        inquiry=inquiry, direction=MessageDirection.OUTBOUND, author=author, body=body,
        created_at=now, email_message_id=_new_email_message_id(),
        delivery_status=DeliveryStatus.PENDING,
    )
    if inquiry.first_replied_at is None:
        inquiry.first_replied_at = now
        inquiry.promise_kept = promise_kept_at(inquiry, now)
        inquiry.save(update_fields=["first_replied_at", "promise_kept"])
    inquiry_change_status(
        inquiry=inquiry, status=InquiryStatus.ANSWERED, kind="replied", actor=author, now=now,
        description="Expert replied to the customer.", data={"message_id": message.pk},
    )
    enqueue_on_commit("marketplace.deliver_message", message.pk)
    return message

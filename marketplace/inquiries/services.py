"""Inquiries and their messages: status changes and expert replies, with the timeline."""



import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User

from marketplace.infra.errors import Conflict, NotFound
from marketplace.infra.push import (
    push_inquiry_changed_on_commit,
    push_widget_conversation_changed_on_commit,
    push_widget_queue_changed_on_commit,
)
from marketplace.infra.rows import column, insert_step, table
from marketplace.infra.tasking import enqueue_on_commit
from marketplace.inquiries.models import (
    Customer,
    DeliveryStatus,
    Inquiry,
    InquiryChannel,
    InquiryEvent,
    InquirySource,
    InquiryStatus,
    Message,
    MessageDirection,
    WebhookEvent,
)


def new_email_message_id() -> str:
    """A Message-ID nobody can guess (128 random bits): knowing one proves having seen the mail,
    which is why a reply quoting it may join its conversation (from the customer's address)."""
    return f"<{secrets.token_hex(16)}@{settings.SHIFTLINE_EMAIL_DOMAIN}>"


def promise_kept_at(inquiry: Inquiry, replied_at: datetime) -> bool | None:
    if inquiry.promised_reply_by is None:
        return None
    return replied_at <= inquiry.promised_reply_by


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
    row (marketplace/inquiries/events.py)."""
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
    _push_to_widgets(inquiry)
    return inquiry


@dataclass(frozen=True)
class StatusChangeSteps:
    """`inquiry_change_status` as steps of a caller's WITH statement (see
    `inquiry_change_status_steps`): `(name, sql)` pairs and their parameters, in order."""

    steps: list[tuple[str, str]]
    params: list[Any]


def inquiry_change_status_steps(
    *, inquiry: Inquiry, status: InquiryStatus, events: Sequence[InquiryEvent],
    after: Sequence[str] = (), last_data: str = "", new_in_console: bool = False,
) -> StatusChangeSteps:
    """What `inquiry_change_status` writes (the status, the inquiry's coverage reason as it now
    stands, and each event of `events` in order), for a caller who writes its own rows in the
    same statement: routing writes a new inquiry's coverage, its decision log, its offers and its
    offer in one round trip instead of eight (profiled, issue 12 §7). Caller holds the row
    lock and runs the steps in this transaction. The events are inserted in order; the last one
    may read the steps named in `after` (its FROM list), and `last_data`, an SQL expression over
    them giving a JSON object, is merged into its data (say the ids those steps returned). The
    console hears of the change after commit, as with `inquiry_change_status`."""
    assert events, "a status change records why"
    inquiry.status = status
    moved = (f"UPDATE {table(Inquiry)} SET {column(Inquiry, 'status')} = %s, "  # noqa: S608 (model identifiers; values bound)
             f"{column(Inquiry, 'coverage_reason')} = %s WHERE {column(Inquiry, 'id')} = %s")
    steps = [("inquiry_moved", moved)]
    params: list[Any] = [status, inquiry.coverage_reason, inquiry.pk]
    for number, event in enumerate(events):
        event.inquiry = inquiry
        last = number == len(events) - 1
        sources = [*(after if last else ()), *([f"inquiry_event_{number - 1}"] if number else [])]
        data = f"CAST(%s AS jsonb) || {last_data}" if last and last_data else "%s"
        step = insert_step(InquiryEvent, source=", ".join(sources),
                           expressions=(("data", data),))
        steps.append((f"inquiry_event_{number}", step.sql))
        params.extend(step.params(event))
    push_inquiry_changed_on_commit(brand_id=inquiry.brand_id, inquiry_id=inquiry.pk,
                                   is_new=new_in_console)
    _push_to_widgets(inquiry)
    return StatusChangeSteps(steps, params)


def _push_to_widgets(inquiry: Inquiry) -> None:
    """A chat's status changed: the queue's waiting widgets recompute their position, and a
    widget chat's own sockets get its new State (marketplace/widget/consumers.py)."""
    if inquiry.channel == InquiryChannel.CHAT:
        push_widget_queue_changed_on_commit(queue_id=inquiry.queue_id)
    if inquiry.source == InquirySource.WIDGET:
        push_widget_conversation_changed_on_commit(inquiry_id=inquiry.pk)


def inquiry_reopen(*, inquiry: Inquiry, now: datetime, data: dict[str, Any]) -> Inquiry:
    """The customer wrote to a resolved inquiry within its queue's reopen window: it is queued
    again with a fresh first-response target (it is the same ticket: billing charges it once).
    Caller holds the inquiry's row lock and routes it after commit."""
    inquiry.reopened_at = now
    inquiry.resolved_at = None
    inquiry.at_risk_at = None
    inquiry.first_response_due_at = now + inquiry.queue.first_response_target(inquiry.channel)
    inquiry.save(update_fields=["reopened_at", "resolved_at", "at_risk_at",
                                "first_response_due_at"])
    return inquiry_change_status(
        inquiry=inquiry, status=InquiryStatus.QUEUED, kind="reopened", now=now, data=data,
        description="The customer wrote again after resolution, within the reopen window: "
        "reopened and back in the queue.",
    )


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
        created_at=now, email_message_id=new_email_message_id(),
        delivery_status=DeliveryStatus.PENDING,
    )
    if inquiry.first_replied_at is None:
        inquiry.first_replied_at = now
        inquiry.promise_kept = promise_kept_at(inquiry, now)
        inquiry.save(update_fields=["first_replied_at", "promise_kept"])
    inquiry_change_status(
        inquiry=inquiry, status=InquiryStatus.WAITING_ON_CUSTOMER, kind="replied", actor=author,
        now=now, description="Expert replied to the customer; waiting on the customer.",
        data={"message_id": message.pk},
    )
    enqueue_on_commit("marketplace.deliver_message", message.pk)
    return message


def inquiry_event(*, kind: str, description: str, now: datetime, actor: User | None = None,
                  data: dict[str, Any] | None = None) -> InquiryEvent:
    """An event as the timeline keeps it, not yet saved: intake writes the first one in the same
    statement as its inquiry (marketplace/intake/services.py), every later one goes through
    `inquiry_record_event`."""
    return InquiryEvent(kind=kind, description=description[:500], actor=actor,
                        data=data or {}, created_at=now)


def inquiry_record_event(
    *,
    inquiry: Inquiry,
    kind: str,
    description: str,
    now: datetime,
    actor: User | None = None,
    data: dict[str, Any] | None = None,
    new_in_console: bool = False,
) -> InquiryEvent:
    """Appends to the timeline. Every change of an inquiry after its intake passes here, so this
    is where the brand's live console hears of it (after commit). Intake itself pushes nothing:
    routing's first step (the coverage decision) passes `new_in_console`, and the console puts
    the inquiry on top of its queue then."""
    event = inquiry_event(kind=kind, description=description, now=now, actor=actor, data=data)
    event.inquiry = inquiry
    event.save(force_insert=True)
    webhook_event_record(inquiry=inquiry, kind=kind, now=now, source_event=event)
    push_inquiry_changed_on_commit(brand_id=inquiry.brand_id, inquiry_id=inquiry.pk,
                                   is_new=new_in_console)
    return event


def message_mark_unreadable(*, message: Message, reason: str) -> Message:
    """Notes that (part of) the customer's email could not be read, so the brand and the expert
    see why the text is missing or incomplete; the original is among its attachments."""
    message.unreadable_reason = reason[:500]
    message.save(update_fields=["unreadable_reason"])
    return message


def inquiry_note_quoted_conversation(*, inquiry: Inquiry, quoted: list[Inquiry], sender: str,
                                     now: datetime) -> Inquiry:
    """A new email inquiry quoted the brand's other conversations (In-Reply-To / References)
    but its sender is not their customer, so it was kept apart. Both sides' timelines say so,
    and the new inquiry points at the (latest) quoted one for the console's note. Caller holds
    the new inquiry's transaction."""
    inquiry.quoted_inquiry = quoted[0]
    inquiry.save(update_fields=["quoted_inquiry"])
    numbers = ", ".join(f"#{other.pk}" for other in quoted)
    inquiry_record_event(
        inquiry=inquiry, kind="quoted_another_conversation", now=now,
        description=f"This email quoted inquiry {numbers} but came from {sender}, who is not "
        "that conversation's customer, so it was kept apart as a new inquiry.",
        data={"quoted_inquiry_ids": [other.pk for other in quoted], "sender": sender},
    )
    for other in quoted:
        inquiry_record_event(
            inquiry=other, kind="quoted_by_another_sender", now=now,
            description=f"An email from {sender}, not this conversation's customer, quoted "
            f"this conversation; it was not added here but opened inquiry #{inquiry.pk}.",
            data={"inquiry_id": inquiry.pk, "sender": sender},
        )
    return inquiry


WEBHOOK_EVENT_BY_KIND = {
    "received": "inquiry.created", "accepted": "inquiry.assigned", "replied": "inquiry.replied",
    "escalated": "inquiry.escalated", "resolved": "inquiry.resolved",
    "reopened": "inquiry.reopened", "survey_requested": "survey.requested",
    "survey_answered": "survey.answered",
}
"""Which timeline events a brand's helpdesk hears of, under which outbound webhook event."""


WEBHOOK_EVENT_DATA = {"inquiry.escalated": ("reason", "note", "summary"),
                      "inquiry.replied": ("message_id",),
                      "survey.requested": ("survey_url", "expires_at", "language"),
                      "survey.answered": ("rating", "reasons", "speed_as_promised", "comment",
                                          "counts_for_expert")}


def webhook_event_payload(*, inquiry: Inquiry, event: str, now: datetime,
                          data: dict[str, Any]) -> dict[str, Any]:
    return {
        "event": event, "occurred_at": now.isoformat(),
        "inquiry": {"id": inquiry.pk, "external_id": inquiry.external_id,
                    "queue": inquiry.queue_id, "channel": inquiry.channel,
                    "status": inquiry.status},
        "data": {key: data[key] for key in WEBHOOK_EVENT_DATA.get(event, ()) if key in data},
    }


def webhook_event_record(*, inquiry: Inquiry, kind: str, now: datetime,
                         source_event: InquiryEvent | None = None) -> WebhookEvent | None:
    """Queues the timeline event `kind` for the queue's outbound webhook when the queue has one
    and subscribes to its event (`OverflowQueue.webhook_events`); delivery starts after commit.
    Caller holds the inquiry's transaction."""
    event = WEBHOOK_EVENT_BY_KIND.get(kind)
    queue = inquiry.queue
    if event is None or not queue.subscribes_to(event) or not queue.outbound_webhook_url:
        return None
    data = source_event.data if source_event is not None else {}
    webhook_event = WebhookEvent.objects.create(
        inquiry=inquiry, source_event=source_event, event=event, created_at=now,
        payload=webhook_event_payload(inquiry=inquiry, event=event, now=now, data=data))
    enqueue_on_commit("marketplace.deliver_webhook_event", webhook_event.pk)
    return webhook_event


def inquiry_switch_to_email(*, inquiry: Inquiry, promised_reply_by: datetime | None,
                            promise_text: str, promise_basis: dict[str, Any],
                            now: datetime) -> Inquiry:
    """A chat whose customer chose not to wait becomes an email inquiry: the email
    first-response target from now, the new promise kept as the inquiry's (kept or not is
    judged against it), and its replies go by email. Caller holds the inquiry's row lock,
    has checked that no expert holds it, and routes it again after commit."""
    if inquiry.channel != InquiryChannel.CHAT:
        raise Conflict("This conversation is already answered by email.", code="not_chat")
    inquiry.channel = InquiryChannel.EMAIL
    inquiry.first_response_due_at = now + inquiry.queue.first_response_target(
        InquiryChannel.EMAIL)
    inquiry.at_risk_at = None
    inquiry.promised_reply_by = promised_reply_by
    inquiry.promise_text = promise_text
    inquiry.promise_basis = promise_basis
    inquiry.save(update_fields=["channel", "first_response_due_at", "at_risk_at",
                                "promised_reply_by", "promise_text", "promise_basis"])
    inquiry_record_event(
        inquiry=inquiry, kind="switched_to_email", now=now,
        description="The customer chose not to wait in the chat: answered by email instead.",
        data={"promised_reply_by": promised_reply_by.isoformat() if promised_reply_by
              else None})
    push_widget_queue_changed_on_commit(queue_id=inquiry.queue_id)
    return inquiry


def inquiry_set_customer_email(*, inquiry: Inquiry, email: str) -> Inquiry:
    """A customer who started a chat without an email address gave one (to be answered by
    email or sent the transcript): the inquiry moves to the brand's customer of that address,
    found or created with the name given in the chat."""
    customer, _ = Customer.objects.get_or_create(
        brand_id=inquiry.brand_id, email=email.strip().lower(),
        defaults={"name": inquiry.customer.name})
    inquiry.customer = customer
    inquiry.save(update_fields=["customer"])
    return inquiry

"""Replies out: every expert reply reaches the customer on the inquiry's channel, by email
threaded onto the conversation or by the brand's signed outbound webhook, with a delivery log
per message, a failed state after the last attempt and a retry the brand can ask for.

Nothing is delivered twice: the message row is locked for the whole attempt, a delivered or
failed message is never sent again by the task, and the webhook carries the message id as an
idempotency key so the brand's side can drop a repeat after a lost response."""


import json
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from marketplace.delivery.models import DeliveryAttempt, WebhookEventAttempt
from marketplace.infra import outbound, signing
from marketplace.infra.errors import Conflict, NotFound
from marketplace.infra.push import (
    push_to_group_on_commit,
    push_to_user_on_commit,
    widget_conversation_group,
)
from marketplace.infra.tasking import enqueue_on_commit
from marketplace.inquiries.models import (
    DeliveryStatus,
    Inquiry,
    InquiryChannel,
    InquirySource,
    Message,
    MessageDirection,
    WebhookEvent,
)
from marketplace.inquiries.services import inquiry_record_event, new_email_message_id
from marketplace.onboarding.audit import brand_audit_record
from marketplace.onboarding.models import Brand, BrandAuditAction, BrandMembership
from marketplace.onboarding.policy import require_brand_can_configure
from marketplace.queues.models import OverflowQueue

WEBHOOK_TIMEOUT_SECONDS = 10


TRANSIENT_STATUS_CODES = frozenset({408, 425, 429})


class DeliveryRoute:
    EMAIL = "email"
    WEBHOOK = "webhook"
    WIDGET = "widget"


@dataclass
class DeliveryFailure(Exception):
    error: str
    status_code: int | None = None
    transient: bool = True


def delivery_route(inquiry: Inquiry) -> str:
    """Email inquiries are answered by email; inquiries from the brand's systems go back to
    them through the outbound webhook when the queue has one, else by email to the customer.
    A chat from the widget is answered over the customer's socket, and by email once the
    customer turned it into an email inquiry: never through the brand's webhook."""
    if inquiry.source == InquirySource.WIDGET:
        return DeliveryRoute.WIDGET if inquiry.channel == InquiryChannel.CHAT \
            else DeliveryRoute.EMAIL
    if inquiry.source != InquirySource.EMAIL and inquiry.queue.outbound_webhook_url:
        return DeliveryRoute.WEBHOOK
    return DeliveryRoute.EMAIL


def brand_sender(inquiry: Inquiry) -> str:
    return f"{inquiry.brand.name} <support@{settings.SHIFTLINE_EMAIL_DOMAIN}>"


def threading_headers(message: Message) -> dict[str, str]:
    """Message-ID of this message, In-Reply-To the customer's latest message before it (the
    one a mail client shows it under), References the whole conversation so far."""
    earlier = list(
        Message.objects.filter(inquiry_id=message.inquiry_id, created_at__lte=message.created_at)
        .exclude(pk=message.pk).order_by("created_at", "id")
        .values_list("email_message_id", "direction")
    )
    headers = {"Message-ID": message.email_message_id}
    inbound = [message_id for message_id, direction in earlier
               if direction == MessageDirection.INBOUND]
    if earlier:
        headers["In-Reply-To"] = inbound[-1] if inbound else earlier[-1][0]
        headers["References"] = " ".join(message_id for message_id, _ in earlier)
    return headers


def _send_email(message: Message) -> None:
    inquiry = message.inquiry
    subject = inquiry.subject if inquiry.subject.lower().startswith("re:") \
        else f"Re: {inquiry.subject}"
    email = EmailMessage(subject=subject, body=message.body, from_email=brand_sender(inquiry),
                         to=[inquiry.customer.email], headers=threading_headers(message))
    try:
        email.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as error:
        raise DeliveryFailure(f"{type(error).__name__}: {error}"[:500]) from error


def webhook_payload(message: Message) -> bytes:
    inquiry = message.inquiry
    return json.dumps({
        "event": "message.created",
        "inquiry": {"id": inquiry.pk, "external_id": inquiry.external_id,
                    "status": inquiry.status},
        "message": {"id": message.pk, "body": message.body,
                    "created_at": message.created_at.isoformat(),
                    "author": message.author.get_full_name() if message.author else ""},
    }, separators=(",", ":")).encode()


def _post_signed(queue: OverflowQueue, body: bytes, *, delivery_id: str, idempotency_key: str,
                 now: datetime) -> int:
    """Posts `body` to the queue's outbound webhook, signed with its secret; returns the HTTP
    status, or raises `DeliveryFailure` (transient unless the helpdesk refused it)."""
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        signing.TIMESTAMP_HEADER: str(timestamp),
        signing.SIGNATURE_HEADER: signing.sign(secret=queue.webhook_secret,
                                               timestamp=timestamp, body=body),
        signing.DELIVERY_HEADER: delivery_id,
        signing.IDEMPOTENCY_HEADER: idempotency_key,
    }
    try:
        response = outbound.post(queue.outbound_webhook_url, content=body, headers=headers,
                                 timeout=WEBHOOK_TIMEOUT_SECONDS)
    except outbound.UnsafeDestination as error:
        raise DeliveryFailure(str(error)[:500], transient=False) from error
    except httpx.HTTPError as error:
        raise DeliveryFailure(f"{type(error).__name__}: {error}"[:500]) from error
    if response.is_success:
        return response.status_code
    transient = response.status_code >= 500 or response.status_code in TRANSIENT_STATUS_CODES
    raise DeliveryFailure(f"The helpdesk answered HTTP {response.status_code}.",
                          status_code=response.status_code, transient=transient)


def _post_webhook(message: Message, *, attempt: int, now: datetime) -> int:
    return _post_signed(message.inquiry.queue, webhook_payload(message),
                        delivery_id=f"message-{message.pk}-attempt-{attempt}",
                        idempotency_key=f"message-{message.pk}", now=now)


def message_deliver(*, message_id: int, now: datetime, final_attempt: bool = False) -> Message:
    """One delivery attempt, logged. A transient failure leaves the message pending for the next
    try unless this was the final attempt; a permanent one (the helpdesk refused it) or the final
    attempt marks it failed, which the brand sees and can retry."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(of=("self",))
            .select_related("inquiry__customer", "inquiry__brand", "inquiry__queue", "author")
            .get(pk=message_id)
        )
        if message.delivery_status != DeliveryStatus.PENDING:
            return message
        route = delivery_route(message.inquiry)
        number = message.delivery_attempts + 1
        attempt = DeliveryAttempt(message=message, number=number, route=route,
                                  attempted_at=now, succeeded=False)
        try:
            if route == DeliveryRoute.WIDGET:
                _push_to_chat(message)
            elif route == DeliveryRoute.WEBHOOK:
                attempt.status_code = _post_webhook(message, attempt=number, now=now)
            else:
                _send_email(message)
        except DeliveryFailure as failure:
            attempt.error, attempt.status_code = failure.error, failure.status_code
            if final_attempt or not failure.transient:
                message.delivery_status = DeliveryStatus.FAILED
                message.delivery_error = failure.error
                inquiry_record_event(
                    inquiry=message.inquiry, kind="delivery_failed", now=now,
                    description=f"Reply could not be delivered by {route} after {number} "
                    f"attempt(s): {failure.error}",
                    data={"message_id": message.pk, "attempts": number},
                )
        else:
            attempt.succeeded = True
            message.delivery_status = DeliveryStatus.SENT if route == DeliveryRoute.WIDGET \
                else DeliveryStatus.DELIVERED
            message.delivered_at = None if route == DeliveryRoute.WIDGET else now
            message.delivery_error = ""
        attempt.save()
        message.delivery_attempts = number
        message.save(update_fields=["delivery_attempts", "delivery_status", "delivered_at",
                                    "delivery_error"])
        _push_delivery_state(message)
    return message


def _push_delivery_state(message: Message) -> None:
    """Tells the reply's author (the expert's open pages) its delivery state, after commit."""
    if message.author_id is not None:
        push_to_user_on_commit(message.author_id, "message.delivery", message_id=message.pk,
                               status=message.delivery_status)


def _push_to_chat(message: Message) -> None:
    """The reply goes to the customer's open widget sockets after commit. It stays `sent` in
    the meantime: a socket that forwards it, or the customer's next (re)connect, which sends the
    whole conversation, marks it delivered (`messages_mark_delivered_in_chat`); a customer who
    closed the page finds it there when they come back."""
    push_to_group_on_commit(widget_conversation_group(message.inquiry_id), "widget.message",
                            message_id=message.pk)


def messages_mark_delivered_in_chat(*, inquiry_id: int, up_to: int | None,
                                    now: datetime) -> list[int]:
    """The customer's widget received the expert's replies on this chat up to message id
    `up_to` (all when None): each one still `sent` becomes delivered, and its author hears.
    Returns the ids marked; calling it again marks nothing."""
    with transaction.atomic():
        sent = (Message.objects.select_for_update(of=("self",))
                .filter(inquiry_id=inquiry_id, direction=MessageDirection.OUTBOUND,
                        delivery_status=DeliveryStatus.SENT).order_by("id"))
        if up_to is not None:
            sent = sent.filter(pk__lte=up_to)
        marked = list(sent)
        for message in marked:
            message.delivery_status = DeliveryStatus.DELIVERED
            message.delivered_at = now
            message.save(update_fields=["delivery_status", "delivered_at"])
            _push_delivery_state(message)
    return [message.pk for message in marked]


def messages_push_read_in_chat(*, inquiry_id: int, after: int | None, up_to: int) -> None:
    """The customer read the expert's replies (ids after `after`, up to `up_to`): each
    author's open pages show "Read". Caller recorded the read mark in this transaction."""
    read = (Message.objects.filter(inquiry_id=inquiry_id, direction=MessageDirection.OUTBOUND,
                                   pk__lte=up_to).exclude(author__isnull=True)
            .values_list("id", "author_id"))
    if after is not None:
        read = read.filter(pk__gt=after)
    for message_id, author_id in read:
        push_to_user_on_commit(author_id, "message.delivery", message_id=message_id,
                               status="read")


# A reply is stalled when its next attempt is this late: a delivery task lost with Redis, or a
# worker killed mid-task. The sweep runs every 15 s (settings), so a lost task is sent again
# within about a minute.
STALLED_GRACE = timedelta(seconds=45)


def delivery_next_due(*, created_at: datetime, attempts: int,
                      last_attempt_at: datetime | None) -> datetime:
    """When the next attempt of a pending reply is due: at once for a new reply, else after the
    task's backoff for the attempts made so far (marketplace/delivery/tasks.py)."""
    if not attempts or last_attempt_at is None:
        return created_at
    backoff = settings.SHIFTLINE_DELIVERY_RETRY_SECONDS * 2 ** (attempts - 1)
    return last_attempt_at + timedelta(seconds=backoff)


def messages_resume_stalled_deliveries(*, now: datetime, limit: int = 200) -> int:
    """Replies still pending whose next attempt is overdue by more than `STALLED_GRACE` are
    scheduled again. Never sent twice: the attempt locks the message row and sends only a
    reply still pending, so a task resumed beside a live retry finds it delivered and stops;
    a reply in its backoff between attempts is not due, so no second retry chain starts."""
    last_attempt = DeliveryAttempt.objects.filter(message=OuterRef("pk")).order_by("-number")
    pending = (
        Message.objects.filter(delivery_status=DeliveryStatus.PENDING,
                               created_at__lte=now - STALLED_GRACE)
        .annotate(last_number=Subquery(last_attempt.values("number")[:1]),
                  last_attempt_at=Subquery(last_attempt.values("attempted_at")[:1]))
        .order_by("created_at")
        .values_list("id", "created_at", "last_number", "last_attempt_at")
    )
    stalled = [
        message_id for message_id, created_at, attempts, last_attempt_at in pending.iterator()
        if delivery_next_due(created_at=created_at, attempts=attempts or 0,
                             last_attempt_at=last_attempt_at) + STALLED_GRACE <= now
    ][:limit]
    for message_id in stalled:
        enqueue_on_commit("marketplace.deliver_message", message_id)
    return len(stalled)


def _pending_again(delivery: Message | WebhookEvent, *, what: str) -> None:
    """A failed delivery (the caller holds its row lock) starts a new round of attempts;
    anything else is refused, unchanged."""
    if delivery.delivery_status != DeliveryStatus.FAILED:
        raise Conflict(f"Only a failed delivery can be retried; this {what} is "
                       f"{delivery.get_delivery_status_display().lower()}.", code="not_failed")
    delivery.delivery_status = DeliveryStatus.PENDING
    delivery.save(update_fields=["delivery_status"])


def message_retry_delivery(*, brand: Brand, message_id: int, now: datetime) -> Message:
    """The brand asks for a failed reply to be sent again: a new round of attempts starts."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(of=("self",)).select_related("inquiry")
            .filter(pk=message_id, inquiry__brand=brand, direction=MessageDirection.OUTBOUND)
            .first()
        )
        if message is None:
            raise NotFound("Message not found.")
        _pending_again(message, what="message")
        _push_delivery_state(message)
        inquiry_record_event(inquiry=message.inquiry, kind="delivery_retried", now=now,
                             description="The brand asked to deliver the reply again.",
                             data={"message_id": message.pk})
        enqueue_on_commit("marketplace.deliver_message", message.pk)
    return message


def inquiry_send_acknowledgement(*, inquiry_id: int, now: datetime) -> bool:
    """Emails the promise to a customer who wrote by email, once, threaded onto their message.
    The inquiry is claimed with a conditional update rather than held locked during the send,
    so routing is never kept waiting on a mail server; a failed send releases the claim for the
    task's retry. Its Message-ID is random and kept on the inquiry (the first claim sets it, a
    retry reuses it), so only someone who received it can quote it."""
    claimed = Inquiry.objects.filter(pk=inquiry_id, acknowledged_at__isnull=True).exclude(
        promise_text="").update(
            acknowledged_at=now,
            acknowledgement_message_id=Coalesce(F("acknowledgement_message_id"),
                                                Value(new_email_message_id())))
    if not claimed:
        return False
    inquiry = Inquiry.objects.select_related("customer", "brand").get(pk=inquiry_id)
    first = inquiry.messages.order_by("created_at", "id").first()
    headers = {"Message-ID": str(inquiry.acknowledgement_message_id),
               "Auto-Submitted": "auto-replied"}
    if first is not None:
        headers["In-Reply-To"] = first.email_message_id
        headers["References"] = first.email_message_id
    try:
        EmailMessage(subject=f"Re: {inquiry.subject}", body=inquiry.promise_text,
                     from_email=brand_sender(inquiry), to=[inquiry.customer.email],
                     headers=headers).send(fail_silently=False)
    except BaseException:
        Inquiry.objects.filter(pk=inquiry_id).update(acknowledged_at=None)
        raise
    inquiry_record_event(inquiry=inquiry, kind="acknowledged", now=now,
                         description="Acknowledgement with the promise emailed.")
    return True


def message_record_bounce(*, message_id: int, reason: str, now: datetime) -> Message:
    """A bounce came back for a reply that had been handed to the mail server: the reply did
    not reach the customer after all. It is marked failed with the server's reason (the brand
    and the expert see it, and the brand can send it again); a second bounce for the same
    reply adds nothing."""
    with transaction.atomic():
        message = (Message.objects.select_for_update(of=("self",)).select_related("inquiry")
                   .get(pk=message_id, direction=MessageDirection.OUTBOUND))
        if message.delivery_status == DeliveryStatus.FAILED:
            return message
        message.delivery_status = DeliveryStatus.FAILED
        message.delivery_error = f"Bounced: {reason}"[:500]
        message.save(update_fields=["delivery_status", "delivery_error"])
        _push_delivery_state(message)
        inquiry_record_event(
            inquiry=message.inquiry, kind="delivery_bounced", now=now,
            description=f"The customer's mail server returned the reply: {reason}"[:500],
            data={"message_id": message.pk},
        )
    return message


def inquiry_record_acknowledgement_bounce(*, inquiry_id: int, reason: str,
                                          now: datetime) -> None:
    """The acknowledgement bounced: the customer never got the promise. Recorded on the
    inquiry's timeline for the brand; the inquiry itself goes on."""
    inquiry = Inquiry.objects.get(pk=inquiry_id)
    inquiry_record_event(
        inquiry=inquiry, kind="acknowledgement_bounced", now=now,
        description=f"The customer's mail server returned the acknowledgement: {reason}"[:500],
    )


def webhook_event_deliver(*, webhook_event_id: int, now: datetime,
                          final_attempt: bool = False) -> WebhookEvent:
    """One signed post of an inquiry event to the queue's outbound webhook, logged, with the
    replies' rules: a transient failure stays pending for the task's next try unless this was
    the final attempt; a refusal or the final attempt marks it failed. The row is locked for
    the attempt and a delivered event is never sent again; the helpdesk can drop a repeat
    after a lost response by its `Idempotency-Key` (`event-<id>`)."""
    with transaction.atomic():
        webhook_event = (WebhookEvent.objects.select_for_update(of=("self",))
                         .select_related("inquiry__queue").get(pk=webhook_event_id))
        if webhook_event.delivery_status != DeliveryStatus.PENDING:
            return webhook_event
        number = webhook_event.delivery_attempts + 1
        attempt = WebhookEventAttempt(webhook_event=webhook_event, number=number,
                                      attempted_at=now, succeeded=False)
        body = json.dumps({"id": webhook_event.pk, **webhook_event.payload},
                          separators=(",", ":")).encode()
        try:
            attempt.status_code = _post_signed(
                webhook_event.inquiry.queue, body, now=now,
                delivery_id=f"event-{webhook_event.pk}-attempt-{number}",
                idempotency_key=f"event-{webhook_event.pk}")
        except DeliveryFailure as failure:
            attempt.error, attempt.status_code = failure.error, failure.status_code
            webhook_event.delivery_error = failure.error
            if final_attempt or not failure.transient:
                webhook_event.delivery_status = DeliveryStatus.FAILED
        else:
            attempt.succeeded = True
            webhook_event.delivery_status = DeliveryStatus.DELIVERED
            webhook_event.delivered_at = now
            webhook_event.delivery_error = ""
        attempt.save()
        webhook_event.delivery_attempts = number
        webhook_event.save(update_fields=["delivery_attempts", "delivery_status",
                                          "delivered_at", "delivery_error"])
    return webhook_event


def webhook_events_resume_stalled(*, now: datetime, limit: int = 200) -> int:
    """Events still pending whose next attempt is overdue (a task lost with Redis, a killed
    worker) are scheduled again, as replies are; the row lock keeps any from going twice."""
    last_attempt = WebhookEventAttempt.objects.filter(
        webhook_event=OuterRef("pk")).order_by("-number")
    pending = (
        WebhookEvent.objects.filter(delivery_status=DeliveryStatus.PENDING,
                                    created_at__lte=now - STALLED_GRACE)
        .annotate(last_attempt_at=Subquery(last_attempt.values("attempted_at")[:1]))
        .order_by("created_at")
        .values_list("id", "created_at", "delivery_attempts", "last_attempt_at")
    )
    stalled = [
        event_id for event_id, created_at, attempts, last_attempt_at in pending.iterator()
        if delivery_next_due(created_at=created_at, attempts=attempts,
                             last_attempt_at=last_attempt_at) + STALLED_GRACE <= now
    ][:limit]
    for event_id in stalled:
        enqueue_on_commit("marketplace.deliver_webhook_event", event_id)
    return len(stalled)


def webhook_event_retry_delivery(*, queue: OverflowQueue, webhook_event_id: int,
                                 now: datetime) -> WebhookEvent:
    """A failed inquiry event of the queue is posted again: a new round of attempts starts."""
    with transaction.atomic():
        webhook_event = (WebhookEvent.objects.select_for_update(of=("self",))
                         .filter(pk=webhook_event_id, inquiry__queue=queue).first())
        if webhook_event is None:
            raise NotFound("Webhook delivery not found.")
        _pending_again(webhook_event, what="event")
        enqueue_on_commit("marketplace.deliver_webhook_event", webhook_event.pk)
    return webhook_event


def webhook_delivery_retry(*, membership: BrandMembership, queue: OverflowQueue, kind: str,
                           delivery_id: int, now: datetime) -> None:
    """The brand's owner or admin asks, from the queue's webhook delivery log, for a failed
    delivery (`kind` "reply" or "event") to be posted again now; recorded in the audit log in
    the same transaction."""
    require_brand_can_configure(membership, queue.brand, action="can retry deliveries")
    with transaction.atomic():
        if kind == "reply":
            found = Message.objects.filter(pk=delivery_id, inquiry__queue=queue).first()
            if found is None:
                raise NotFound("Webhook delivery not found.")
            message_retry_delivery(brand=queue.brand, message_id=found.pk, now=now)
            target = f"Reply #{found.pk} of inquiry #{found.inquiry_id}"
        elif kind == "event":
            event = webhook_event_retry_delivery(queue=queue, webhook_event_id=delivery_id,
                                                 now=now)
            target = f"Event {event.event} #{event.pk} of inquiry #{event.inquiry_id}"
        else:
            raise NotFound("Webhook delivery not found.")
        brand_audit_record(brand=queue.brand, actor=membership,
                           action=BrandAuditAction.WEBHOOK_DELIVERY_RETRIED,
                           target=f"{target}, queue {queue.name} (#{queue.pk})", now=now)

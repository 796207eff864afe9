"""Every write on the brand side. Callers pass `now` so tests can move the clock."""

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from marketplace.delivery import message_deliver as message_deliver
from marketplace.delivery import message_mark_delivery_failed as message_mark_delivery_failed
from marketplace.errors import Conflict, NotFound
from marketplace.events import inquiry_record_event as inquiry_record_event
from marketplace.models import (
    ApiKey,
    Brand,
    Customer,
    DeliveryStatus,
    Inquiry,
    InquirySource,
    InquiryStatus,
    Message,
    MessageDirection,
    OverflowQueue,
)
from marketplace.promises import promise_for_new_inquiry, promise_kept_at
from marketplace.tasking import enqueue_on_commit

API_KEY_PREFIX_LENGTH = 8
API_KEY_LAST_USED_RESOLUTION = timedelta(minutes=1)


def _hash_api_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def _split_api_key(raw_key: str) -> tuple[str, str] | None:
    parts = raw_key.split("_", 2)
    if len(parts) != 3 or parts[0] != "sl" or len(parts[1]) != API_KEY_PREFIX_LENGTH:
        return None
    return parts[1], parts[2]


def api_key_create(*, brand: Brand, name: str, raw_key: str | None = None) -> tuple[ApiKey, str]:
    """Creates a key and returns it with the raw secret, which is never stored and shown once.
    `raw_key` lets demo data use a known key; it must have the `sl_<8 chars>_<secret>` shape."""
    if raw_key is None:
        raw_key = f"sl_{secrets.token_hex(API_KEY_PREFIX_LENGTH // 2)}_{secrets.token_urlsafe(32)}"
    split = _split_api_key(raw_key)
    if split is None:
        raise ValueError("an API key looks like sl_<8 characters>_<secret>")
    api_key = ApiKey.objects.create(
        brand=brand, name=name, prefix=split[0], hashed_key=_hash_api_key(raw_key)
    )
    return api_key, raw_key


def api_key_authenticate(*, raw_key: str, now: datetime) -> ApiKey | None:
    """The active key matching `raw_key`, or None. Compares digests in constant time and records
    the last use at most once a minute, so authentication does not write on every request."""
    split = _split_api_key(raw_key)
    if split is None:
        return None
    api_key = ApiKey.objects.select_related("brand").filter(prefix=split[0]).first()
    if api_key is None or not hmac.compare_digest(api_key.hashed_key, _hash_api_key(raw_key)):
        return None
    if api_key.revoked_at is not None:
        return None
    last_used = api_key.last_used_at
    if last_used is None or now - last_used >= API_KEY_LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key


def api_key_revoke(*, api_key: ApiKey, now: datetime) -> ApiKey:
    ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=now)
    api_key.refresh_from_db()
    return api_key


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
    concurrent deliveries cannot both win. Routing starts after commit."""
    queue = intake.queue
    brand = queue.brand
    existing = Inquiry.objects.filter(brand=brand, external_id=intake.external_id).first()
    if existing is not None:
        return existing, False
    promise = promise_for_new_inquiry(queue=queue, channel=intake.channel,
                                      language=intake.language, now=now)
    try:
        with transaction.atomic():
            customer, _ = Customer.objects.get_or_create(
                brand=brand, email=intake.customer_email.lower(),
                defaults={"name": intake.customer_name},
            )
            inquiry = Inquiry.objects.create(
                brand=brand, queue=queue, customer=customer, external_id=intake.external_id,
                channel=intake.channel, subject=intake.subject, language=intake.language,
                received_at=now, source=intake.source,
                first_response_due_at=now + queue.first_response_target(intake.channel),
                promised_reply_by=promise.reply_by, promise_text=promise.text,
                promise_basis=promise.basis,
            )
            Message.objects.create(
                inquiry=inquiry, direction=MessageDirection.INBOUND, body=intake.body,
                created_at=now, email_message_id=intake.email_message_id
                or _new_email_message_id(),
            )
            inquiry_record_event(
                inquiry=inquiry, kind="received", now=now,
                description=f"Received by {intake.channel} from {customer.email}.",
                data={"external_id": intake.external_id},
            )
            enqueue_on_commit("routing.route_inquiry", inquiry.pk)
            if intake.source == InquirySource.EMAIL and intake.acknowledge:
                enqueue_on_commit("marketplace.send_acknowledgement", inquiry.pk)
    except IntegrityError:
        existing = Inquiry.objects.filter(brand=brand, external_id=intake.external_id).first()
        if existing is None:
            raise
        return existing, False
    return inquiry, True


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
) -> Inquiry:
    """Moves the inquiry to `status` and records why. Caller holds the inquiry's row lock."""
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
        inquiry=inquiry, kind=kind, description=description, now=now, actor=actor, data=data
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

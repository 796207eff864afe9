"""A customer's data on request, and the queues' retention: export everything a brand holds
about one email address, erase it, and delete old message texts and attachments nightly.

Erasure anonymizes rather than deletes rows, so the ledger, the audit log, the routing history
and the brand's figures keep adding up: names and addresses become placeholders, texts become
`ERASED_TEXT`, files are deleted (after commit) and their rows say so, timelines keep only ids.
The erasure itself is in the brand's audit log, with a keyed hash of the address, never the
address. Files are deleted only once the transaction commits, so a rolled-back erasure loses
nothing.
"""

import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.utils.crypto import salted_hmac

from experts.quality import services as quality_services
from marketplace.delivery.models import DeliveryAttempt
from marketplace.inquiries.models import (
    Attachment,
    Customer,
    Inquiry,
    InquiryEvent,
    InquiryStatus,
    Message,
)
from marketplace.intake.models import InboundDelivery, MailLogEntry
from marketplace.onboarding.audit import brand_audit_record
from marketplace.onboarding.models import Brand, BrandAuditAction
from marketplace.onboarding.policy import Actor, require_brand_can_handle_customer_data
from marketplace.privacy import selectors
from marketplace.privacy.selectors import CustomerDataSummary
from marketplace.queues.models import OverflowQueue

ERASED_TEXT = "(erased at customer's request)"
ERASED_FILE_REASON = "Erased at the customer's request."
RETAINED_TEXT = "(deleted: older than the queue's retention period)"
RETAINED_FILE_REASON = "Deleted: older than the queue's retention period."
CLOSED_STATUSES = (InquiryStatus.RESOLVED, InquiryStatus.ESCALATED, InquiryStatus.HANDED_BACK)
CUSTOMER_DATA = "can export or erase a customer's data"
_HASH_SALT = "shiftline.privacy.customer-email"


def email_fingerprint(email: str) -> str:
    """A keyed hash of the address for the audit log: the same address always gives the same
    fingerprint (so ops can answer "was this address erased?"), which reveals nothing without
    the project's secret."""
    return salted_hmac(_HASH_SALT, email.strip().lower(), algorithm="sha256").hexdigest()


@dataclass(frozen=True)
class CustomerExport:
    filename: str
    content: bytes
    summary: CustomerDataSummary


def customer_data_export(*, brand: Brand, actor: Actor, email: str, now: datetime
                         ) -> CustomerExport:
    """A ZIP of `customer.json` (selectors.customer_data_document) and the stored files of the
    customer's attachments under `attachments/`. A file missing from storage is listed in the
    document as such and left out."""
    require_brand_can_handle_customer_data(actor, brand, action=CUSTOMER_DATA)
    email = selectors.normalize_customer_email(email)
    document = selectors.customer_data_document(brand=brand, email=email)
    summary = selectors.customer_data_summary(brand=brand, email=email)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for attachment in selectors.customer_attachments(brand=brand, email=email):
            if not (attachment.stored and attachment.file):
                continue
            try:
                with attachment.file.open("rb") as stored:
                    archive.writestr(selectors.attachment_export_name(attachment), stored.read())
            except OSError:
                document.setdefault("missing_files", []).append(attachment.pk)
        archive.writestr("customer.json", json.dumps(document, indent=2, ensure_ascii=False))
    brand_audit_record(brand=brand, actor=actor, now=now,
                       action=BrandAuditAction.CUSTOMER_DATA_EXPORTED,
                       target=_target(document["customers"]), changes=_counts(summary, email))
    return CustomerExport(filename=f"customer-data-{now:%Y%m%d-%H%M%S}.zip",
                          content=buffer.getvalue(), summary=summary)


def _target(customers: Iterable[Any]) -> str:
    ids = [customer["id"] if isinstance(customer, dict) else customer.pk
           for customer in customers]
    return ("Customer " + ", ".join(f"#{pk}" for pk in ids)) if ids else "No stored customer"


def _counts(summary: CustomerDataSummary, email: str) -> dict[str, Any]:
    return {"email_fingerprint": email_fingerprint(email), "inquiries": summary.inquiries,
            "messages": summary.messages, "attachments": summary.attachments,
            "mail_log_entries": summary.mail_log_entries}


def _ids_only(data: Any) -> dict[str, Any]:
    """What a timeline event's data keeps after erasure: the ids in it."""
    if not isinstance(data, dict):
        return {}
    kept: dict[str, Any] = {}
    for key, value in data.items():
        if not (key == "id" or key.endswith(("_id", "_ids"))):
            continue
        values = value if isinstance(value, list) else [value]
        if all(isinstance(item, int) and not isinstance(item, bool) for item in values):
            kept[key] = value
    return kept


def _delete_files_on_commit(files: list[tuple[Storage, str]]) -> None:
    def delete() -> None:
        for storage, name in files:
            try:
                storage.delete(name)
            except OSError:
                continue

    if files:
        transaction.on_commit(delete)


def _erase_attachments(attachments: Iterable[Attachment], *, reason: str) -> int:
    """Deletes the files (after commit) and keeps the rows, marked as not stored."""
    attachments = list(attachments)
    _delete_files_on_commit([(attachment.file.storage, attachment.file.name)
                             for attachment in attachments if attachment.file])
    return Attachment.objects.filter(pk__in=[attachment.pk for attachment in attachments]
                                     ).update(stored=False, not_stored_reason=reason, file="")


def _erase_mail_log(entries: Iterable[MailLogEntry], *, keep_headers: bool) -> None:
    entries = list(entries)
    _delete_files_on_commit([(entry.original.storage, entry.original.name)
                             for entry in entries if entry.original])
    changes: dict[str, Any] = {"text": "", "attachments": [], "original": ""}
    if not keep_headers:
        changes |= {"sender": "", "subject": ERASED_TEXT, "email_message_id": ""}
    MailLogEntry.objects.filter(pk__in=[entry.pk for entry in entries]).update(**changes)


def _placeholder(prefix: str, suffix: str = "") -> Concat:
    return Concat(Value(prefix), Cast("id", CharField()), Value(suffix))


def customer_data_erase(*, brand: Brand, actor: Actor, email: str, now: datetime
                        ) -> CustomerDataSummary:
    """Anonymizes everything the brand holds about the address, in its own queues only, and
    returns what was there. Erasing an address with nothing stored changes nothing but is
    recorded all the same (the request was made)."""
    require_brand_can_handle_customer_data(actor, brand, action=CUSTOMER_DATA)
    email = selectors.normalize_customer_email(email)
    with transaction.atomic():
        customers = list(selectors.customers_with_email(brand=brand, email=email)
                         .select_for_update())
        summary = selectors.customer_data_summary(brand=brand, email=email)
        inquiry_ids = list(selectors.customer_inquiries(brand=brand, email=email)
                           .values_list("pk", flat=True))
        message_ids = list(selectors.customer_messages(brand=brand, email=email)
                           .values_list("pk", flat=True))
        events = list(selectors.events_naming_customer(brand=brand, email=email))
        _erase_attachments(selectors.customer_attachments(brand=brand, email=email),
                           reason=ERASED_FILE_REASON)
        Attachment.objects.filter(message_id__in=message_ids).update(
            filename=_placeholder("erased-"), content_type="application/octet-stream")
        _erase_mail_log(selectors.customer_mail_log(brand=brand, email=email),
                        keep_headers=False)
        Message.objects.filter(pk__in=message_ids).update(
            body=ERASED_TEXT, delivery_error="", unreadable_reason="",
            email_message_id=_placeholder("<erased-", "@erased.invalid>"))
        DeliveryAttempt.objects.filter(message_id__in=message_ids).update(error="")
        for event in events:
            event.description = f"{event.kind}: {ERASED_TEXT}"
            event.data = _ids_only(event.data)
        InquiryEvent.objects.bulk_update(events, ["description", "data"])
        Inquiry.objects.filter(pk__in=inquiry_ids).update(
            subject=ERASED_TEXT, external_id=_placeholder("erased-"), promise_text="")
        for delivery in InboundDelivery.objects.filter(inquiry_id__in=inquiry_ids):
            InboundDelivery.objects.filter(pk=delivery.pk).update(
                response_body={"id": delivery.inquiry_id})
        quality_services.review_comments_erase(inquiry_ids=inquiry_ids)
        Customer.objects.filter(pk__in=[customer.pk for customer in customers]).update(
            name="", email=_placeholder("erased-", "@erased.invalid"))
        brand_audit_record(brand=brand, actor=actor, now=now,
                           action=BrandAuditAction.CUSTOMER_DATA_ERASED,
                           target=_target(customers), changes=_counts(summary, email))
    return summary


def _queue_retention(queue: OverflowQueue, *, now: datetime) -> int:
    """One queue's expired message texts and attachments; returns the messages emptied."""
    assert queue.retention_days is not None
    cutoff = now - timedelta(days=queue.retention_days)
    with transaction.atomic():
        messages = Message.objects.filter(
            inquiry__queue=queue, inquiry__status__in=CLOSED_STATUSES, created_at__lt=cutoff,
        )
        _erase_attachments(
            Attachment.objects.filter(message__in=messages).exclude(
                stored=False, file=""), reason=RETAINED_FILE_REASON)
        _erase_mail_log(MailLogEntry.objects.filter(queue=queue, received_at__lt=cutoff)
                        .exclude(text="", original=""), keep_headers=True)
        return (messages.exclude(body__in=(RETAINED_TEXT, ERASED_TEXT))
                .update(body=RETAINED_TEXT))


def retention_apply(*, now: datetime) -> int:
    """Deletes, in every queue with a retention period, the bodies and attachments of messages
    older than the period on inquiries that are closed (resolved, escalated or handed back);
    open conversations keep everything. Safe to run twice. Returns the messages emptied."""
    emptied = 0
    for queue in OverflowQueue.objects.filter(retention_days__isnull=False).order_by("id"):
        emptied += _queue_retention(queue, now=now)
    return emptied

"""Reads for a customer's data requests: what the brand holds about one email address, in its
own queues only. A brand never sees another brand's customers: every read starts from the
brand."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q, QuerySet

from marketplace.infra.errors import FieldErrors
from marketplace.inquiries.models import Attachment, Customer, Inquiry, InquiryEvent, Message
from marketplace.intake.models import MailLogEntry
from marketplace.onboarding.models import Brand


def normalize_customer_email(email: str) -> str:
    """The address as customers are stored (trimmed, lower case), or a 400 naming the field."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise FieldErrors({"email": ["Enter the customer's email address."]}) from error
    return email


def customers_with_email(*, brand: Brand, email: str) -> QuerySet[Customer]:
    return Customer.objects.filter(brand=brand, email__iexact=email).order_by("id")


def customer_inquiries(*, brand: Brand, email: str) -> QuerySet[Inquiry]:
    return Inquiry.objects.filter(brand=brand, customer__email__iexact=email).order_by("id")


def customer_messages(*, brand: Brand, email: str) -> QuerySet[Message]:
    return Message.objects.filter(inquiry__brand=brand,
                                  inquiry__customer__email__iexact=email).order_by("id")


def customer_attachments(*, brand: Brand, email: str) -> QuerySet[Attachment]:
    return Attachment.objects.filter(
        message__inquiry__brand=brand, message__inquiry__customer__email__iexact=email,
    ).order_by("id")


def customer_mail_log(*, brand: Brand, email: str) -> QuerySet[MailLogEntry]:
    """Mail-log entries about the customer: of their inquiries, sent from their address, or
    naming it (a bounce of a reply to them)."""
    return MailLogEntry.objects.filter(
        Q(inquiry__customer__email__iexact=email) | Q(sender__icontains=email)
        | Q(text__icontains=email),
        queue__brand=brand,
    ).order_by("id")


def events_naming_customer(*, brand: Brand, email: str) -> QuerySet[InquiryEvent]:
    """Timeline events of the customer's inquiries, and events on the brand's other inquiries
    that name the address (an email quoting another conversation records its sender)."""
    return InquiryEvent.objects.filter(
        Q(inquiry__customer__email__iexact=email) | Q(description__icontains=email)
        | Q(data__icontains=email),
        inquiry__brand=brand,
    ).order_by("id")


@dataclass(frozen=True)
class CustomerDataSummary:
    """How much the brand holds about one address: what an erasure would change."""

    email: str
    customers: int
    inquiries: int
    messages: int
    attachments: int
    mail_log_entries: int

    @property
    def is_empty(self) -> bool:
        return not (self.customers or self.mail_log_entries)


def customer_data_summary(*, brand: Brand, email: str) -> CustomerDataSummary:
    email = normalize_customer_email(email)
    return CustomerDataSummary(
        email=email,
        customers=customers_with_email(brand=brand, email=email).count(),
        inquiries=customer_inquiries(brand=brand, email=email).count(),
        messages=customer_messages(brand=brand, email=email).count(),
        attachments=customer_attachments(brand=brand, email=email).count(),
        mail_log_entries=customer_mail_log(brand=brand, email=email).count(),
    )


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _rating(inquiry: Inquiry) -> dict[str, Any] | None:
    """The inquiry's rating (the customer's survey answer or the brand's review), if any."""
    review = getattr(inquiry, "review", None)  # a missing reverse one-to-one raises
    if review is None:
        return None
    return {"rating": review.rating, "reasons": review.reasons,
            "speed_as_promised": review.speed_as_promised, "comment": review.comment,
            "source": review.source, "at": _iso(review.created_at)}


def customer_data_document(*, brand: Brand, email: str) -> dict[str, Any]:
    """Everything the brand holds about the address, as one JSON-ready document: the customer,
    each inquiry with its messages, their attachments (metadata; the files go beside it in the
    export) and its timeline, and the mail-log entries about them."""
    email = normalize_customer_email(email)
    inquiries = (customer_inquiries(brand=brand, email=email).select_related("queue", "review")
                 .prefetch_related("messages__attachments", "events"))
    return {
        "brand": brand.name,
        "email": email,
        "customers": [{"id": customer.pk, "email": customer.email, "name": customer.name,
                       "created_at": _iso(customer.created_at)}
                      for customer in customers_with_email(brand=brand, email=email)],
        "inquiries": [{
            "id": inquiry.pk, "queue": inquiry.queue.name, "channel": inquiry.channel,
            "external_id": inquiry.external_id, "subject": inquiry.subject,
            "language": inquiry.language, "status": inquiry.status,
            "received_at": _iso(inquiry.received_at), "resolved_at": _iso(inquiry.resolved_at),
            "promise": inquiry.promise_text,
            "messages": [{
                "id": message.pk, "direction": message.direction, "body": message.body,
                "created_at": _iso(message.created_at),
                "attachments": [{
                    "id": attachment.pk, "filename": attachment.filename,
                    "content_type": attachment.content_type, "size": attachment.size,
                    "stored": attachment.stored,
                    "not_stored_reason": attachment.not_stored_reason,
                    "file_in_export": attachment_export_name(attachment)
                    if attachment.stored and attachment.file else None,
                } for attachment in message.attachments.all()],
            } for message in inquiry.messages.all()],
            "timeline": [{"kind": event.kind, "description": event.description,
                          "at": _iso(event.created_at)} for event in inquiry.events.all()],
            "rating": _rating(inquiry),
        } for inquiry in inquiries],
        "mail_log": [{
            "id": entry.pk, "kind": entry.kind, "received_at": _iso(entry.received_at),
            "sender": entry.sender, "subject": entry.subject, "text": entry.text,
            "reason": entry.reason,
        } for entry in customer_mail_log(brand=brand, email=email)],
    }


def attachment_export_name(attachment: Attachment) -> str:
    """Where an attachment's file sits in the export: unique by id, the name kept readable
    without any directory part."""
    filename = attachment.filename.replace("/", "_").replace("\\", "_") or "file"
    return f"attachments/{attachment.pk}-{filename}"

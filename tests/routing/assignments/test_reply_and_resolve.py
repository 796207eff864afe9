"""Replying, delivery by email with threading headers, and resolution booked exactly once."""

from datetime import datetime, timedelta

import pytest
from django.core import mail

from billing.models import LedgerEntry, LedgerTransaction
from experts.profiles.models import ExpertProfile
from marketplace.delivery import services as delivery_services
from marketplace.infra.errors import Conflict, PermissionDenied
from marketplace.inquiries.models import DeliveryStatus, Inquiry, InquiryStatus, Message
from routing.assignments import services as assignments_services
from routing.models import Assignment, AssignmentStatus
from routing.offers import services as offers_services
from tests import factories

pytestmark = pytest.mark.django_db


def assigned(now: datetime) -> tuple[Inquiry, ExpertProfile]:
    queue = factories.queue(price_minor=450, rate_minor=300)
    expert = factories.on_shift_expert(on=queue, now=now)
    inquiry = factories.inquiry(on=queue, now=now, subject="Lost parcel")
    offer_id = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now).offer_id
    assert offer_id is not None
    offers_services.offer_accept(offer_id=offer_id, expert=expert, now=now)
    return inquiry, expert


def test_reply_is_stored_and_delivered_by_email_with_threading(
    now: datetime, captured_tasks: list, django_capture_on_commit_callbacks
) -> None:
    inquiry, expert = assigned(now)
    first_inbound = Message.objects.get(inquiry=inquiry)

    with django_capture_on_commit_callbacks(execute=True):
        message = assignments_services.assignment_reply(
            inquiry_id=inquiry.pk,
            expert=expert,
            author=expert.user,
            body="  It ships tomorrow.  ",
            now=now,
        )
    assert ("marketplace.deliver_message", [message.pk]) in captured_tasks
    delivery_services.message_deliver(message_id=message.pk, now=now)
    delivery_services.message_deliver(message_id=message.pk, now=now)

    message.refresh_from_db()
    inquiry.refresh_from_db()
    assert message.body == "It ships tomorrow."
    assert message.delivery_status == DeliveryStatus.DELIVERED
    assert (inquiry.status, inquiry.first_replied_at) == (InquiryStatus.WAITING_ON_CUSTOMER,
                                                          now)
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["sam@example.com"]
    assert sent.subject == "Re: Lost parcel"
    assert sent.extra_headers["Message-ID"] == message.email_message_id
    assert sent.extra_headers["In-Reply-To"] == first_inbound.email_message_id
    assert sent.extra_headers["References"] == first_inbound.email_message_id


def test_empty_reply_is_refused(now: datetime, captured_tasks: list) -> None:
    inquiry, expert = assigned(now)

    with pytest.raises(Exception, match="Write a reply"):
        assignments_services.assignment_reply(
            inquiry_id=inquiry.pk, expert=expert, author=expert.user, body="   ", now=now
        )

    assert Message.objects.filter(inquiry=inquiry).count() == 1


def test_expert_without_assignment_cannot_reply(now: datetime, captured_tasks: list) -> None:
    inquiry, _ = assigned(now)
    other = factories.expert(now=now)

    with pytest.raises(Exception, match="Inquiry not found"):
        assignments_services.assignment_reply(
            inquiry_id=inquiry.pk, expert=other, author=other.user, body="Hi", now=now
        )

    assert Message.objects.filter(inquiry=inquiry).count() == 1


def test_resolve_before_reply_is_refused(now: datetime, captured_tasks: list) -> None:
    inquiry, expert = assigned(now)

    with pytest.raises(Conflict, match="Reply to the customer"):
        assignments_services.assignment_resolve(inquiry_id=inquiry.pk, expert=expert, now=now)

    assert LedgerTransaction.objects.count() == 0


def test_resolution_books_one_balanced_entry_even_when_processed_twice(
    now: datetime, captured_tasks: list
) -> None:
    inquiry, expert = assigned(now)
    assignments_services.assignment_reply(inquiry_id=inquiry.pk, expert=expert, author=expert.user,
                              body="Done.", now=now)
    later = now + timedelta(minutes=5)

    assignments_services.assignment_resolve(inquiry_id=inquiry.pk, expert=expert, now=later)
    assignments_services.assignment_resolve(inquiry_id=inquiry.pk, expert=expert, now=later)

    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.resolved_at) == (InquiryStatus.RESOLVED, later)
    assert Assignment.objects.get(inquiry=inquiry).status == AssignmentStatus.RESOLVED
    ledger_transaction = LedgerTransaction.objects.get()
    assert ledger_transaction.idempotency_key == f"ticket-resolved:{inquiry.pk}"
    amounts = sorted(
        (entry.account.kind, entry.amount_minor)
        for entry in LedgerEntry.objects.select_related("account")
    )
    assert amounts == [("brand_receivable", 450), ("expert_payable", -300),
                       ("platform_revenue", -150)]


def test_resolved_inquiry_takes_no_more_replies(now: datetime, captured_tasks: list) -> None:
    inquiry, expert = assigned(now)
    assignments_services.assignment_reply(inquiry_id=inquiry.pk, expert=expert, author=expert.user,
                              body="Done.", now=now)
    assignments_services.assignment_resolve(inquiry_id=inquiry.pk, expert=expert, now=now)

    with pytest.raises(PermissionDenied):
        assignments_services.assignment_reply(
            inquiry_id=inquiry.pk, expert=expert, author=expert.user, body="One more thing", now=now
        )

    assert Message.objects.filter(inquiry=inquiry).count() == 2

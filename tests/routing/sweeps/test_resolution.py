"""Resolution by silence: no customer reply for the queue's resolve-after hours."""

from datetime import datetime, timedelta

import pytest

from billing.models import LedgerTransaction
from marketplace.inquiries.models import Inquiry, InquiryEvent, Message, MessageDirection
from marketplace.queues import services as queues_services
from routing.assignments import services as assignments_services
from routing.offers import services as offers_services
from routing.sweeps.resolution import inquiries_resolve_quiet
from tests import factories

pytestmark = pytest.mark.django_db


def answered_inquiry(now: datetime, *, resolve_after_hours: int) -> Inquiry:
    queue = factories.queue()
    queues_services.queue_configure(queue=queue, changes={
        "resolve_after_hours": resolve_after_hours})
    expert = factories.on_shift_expert(on=queue, now=now)
    inquiry = factories.inquiry(on=queue, now=now)
    offer_id = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now).offer_id
    assert offer_id is not None
    offers_services.offer_accept(offer_id=offer_id, expert=expert, now=now)
    assignments_services.assignment_reply(inquiry_id=inquiry.pk, expert=expert, author=expert.user,
                              body="Your parcel is on its way.", now=now)
    return inquiry


def test_answered_inquiry_resolves_after_the_queues_quiet_time(
    now: datetime, captured_tasks: list
) -> None:
    inquiry = answered_inquiry(now, resolve_after_hours=2)

    early = inquiries_resolve_quiet(now=now + timedelta(hours=1, minutes=59))
    due = inquiries_resolve_quiet(now=now + timedelta(hours=2))
    again = inquiries_resolve_quiet(now=now + timedelta(hours=3))

    inquiry.refresh_from_db()
    assert (early, due, again) == (0, 1, 0)
    assert (inquiry.status, inquiry.resolved_at) == ("resolved", now + timedelta(hours=2))
    assert LedgerTransaction.objects.count() == 1
    assert InquiryEvent.objects.get(inquiry=inquiry, kind="resolved_quietly").description == (
        "No customer reply for 2 h since the last answer: counted as resolved.")


def test_a_customer_reply_after_the_answer_keeps_the_inquiry_open(
    now: datetime, captured_tasks: list
) -> None:
    inquiry = answered_inquiry(now, resolve_after_hours=2)
    Message.objects.create(inquiry=inquiry, direction=MessageDirection.INBOUND,
                           body="It has not arrived.", created_at=now + timedelta(minutes=30),
                           email_message_id="<customer-2@example.test>")

    resolved = inquiries_resolve_quiet(now=now + timedelta(hours=5))

    inquiry.refresh_from_db()
    assert resolved == 0
    assert inquiry.status == "waiting_on_customer"
    assert LedgerTransaction.objects.count() == 0

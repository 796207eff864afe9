"""Waiting on the customer: after the expert's reply the inquiry waits; the customer's reply
(API or email) brings it back to the same expert while they are on shift, else to the queue;
a message on a resolved inquiry reopens it within the queue's window, or opens a new linked
inquiry after it. The brand's console hears of each."""

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from billing.models import LedgerTransaction
from experts.attendance import services as attendance
from experts.profiles.models import ExpertProfile
from experts.shifts.models import ShiftBooking
from marketplace.inquiries.models import Inquiry, InquiryEvent, InquiryStatus, Message
from marketplace.intake import services as intake_services
from marketplace.queues import services as queues_services
from routing.assignments import services as assignments_services
from routing.models import Assignment, AssignmentStatus
from routing.offers import services as offers_services
from routing.sweeps.resolution import inquiries_resolve_quiet
from tests import factories
from tests.marketplace.intake.emails import post_email, raw_email

pytestmark = pytest.mark.django_db


def replied(now: datetime, **inquiry_fields: str) -> tuple[Inquiry, ExpertProfile]:
    message, expert = factories.expert_reply(on=factories.queue(), now=now, **inquiry_fields)
    inquiry = message.inquiry
    inquiry.refresh_from_db()
    return inquiry, expert


def resolved(now: datetime) -> tuple[Inquiry, ExpertProfile]:
    inquiry, expert = replied(now)
    assignments_services.assignment_resolve(inquiry_id=inquiry.pk, expert=expert, now=now)
    inquiry.refresh_from_db()
    return inquiry, expert


def pushes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    pushed: list[tuple[int, int]] = []
    monkeypatch.setattr("marketplace.inquiries.services.push_inquiry_changed_on_commit",
                        lambda **kwargs: pushed.append((kwargs["brand_id"],
                                                        kwargs["inquiry_id"])))
    return pushed


def test_the_experts_reply_leaves_the_inquiry_waiting_on_the_customer(
    now: datetime, captured_tasks: list,
) -> None:
    inquiry, _ = replied(now)

    assert inquiry.status == InquiryStatus.WAITING_ON_CUSTOMER
    last = InquiryEvent.objects.filter(inquiry=inquiry).last()
    assert last is not None and last.kind == "replied"


def test_a_customer_reply_over_the_api_returns_to_the_expert_on_shift(
    captured_tasks: list,
) -> None:
    inquiry, expert = replied(timezone.now())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {factories.api_key(of=inquiry.brand)}")

    response = client.post(f"/api/v1/inquiries/{inquiry.pk}/messages",
                           {"body": "Still nothing."}, format="json")

    assert response.status_code == 201
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.ASSIGNED
    assert Assignment.objects.get(inquiry=inquiry, status=AssignmentStatus.ACTIVE).expert == expert


def test_a_customer_reply_goes_to_the_queue_when_the_expert_has_checked_out(
    captured_tasks: list,
) -> None:
    now = timezone.now()
    inquiry, expert = replied(now, customer_email="ana@example.com")
    booking = ShiftBooking.objects.get(expert=expert)
    attendance.shift_booking_check_out(booking_id=booking.pk, expert=expert, now=now)
    other = factories.on_shift_expert(on=inquiry.queue, now=now)
    first = Message.objects.filter(inquiry=inquiry).first()
    assert first is not None

    response = post_email(inquiry.queue, raw_email(
        message_id="<again@mail.example.com>", sender="ana@example.com",
        in_reply_to=first.email_message_id, body="Any news?"))

    assert response.status_code in (200, 201), response.content
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.OFFERED
    assert Assignment.objects.get(inquiry=inquiry).status == AssignmentStatus.RELEASED
    assert inquiry.offers.get(status="pending").expert == other
    assert list(InquiryEvent.objects.filter(inquiry=inquiry).values_list("kind", flat=True))[-3:] \
        == ["customer_replied", "reassigned", "offered"]


def test_a_message_within_the_reopen_window_reopens_and_tells_the_brand(
    now: datetime, captured_tasks: list, monkeypatch: pytest.MonkeyPatch,
) -> None:
    inquiry, expert = resolved(now)
    pushed = pushes(monkeypatch)
    later = now + timedelta(hours=2)

    message, created = intake_services.inquiry_add_customer_message(
        inquiry_id=inquiry.pk, body="It broke again.", now=later)

    inquiry.refresh_from_db()
    assert (created, message.inquiry_id) == (True, inquiry.pk)
    assert (inquiry.status, inquiry.reopened_at, inquiry.resolved_at) == (
        InquiryStatus.QUEUED, later, None)
    assert inquiry.first_response_due_at == later + inquiry.queue.first_response_target("email")
    last = InquiryEvent.objects.filter(inquiry=inquiry).last()
    assert last is not None and last.kind == "reopened"
    assert (inquiry.brand_id, inquiry.pk) in pushed
    outcome = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=later)
    assert outcome.offer_id is not None
    assignment = offers_services.offer_accept(offer_id=outcome.offer_id, expert=expert,
                                              now=later)
    assignments_services.assignment_reply(inquiry_id=inquiry.pk, expert=expert,
                                          author=expert.user, body="Replaced.", now=later)
    assignments_services.assignment_resolve(inquiry_id=inquiry.pk, expert=expert, now=later)
    assert assignment.expert == expert
    assert LedgerTransaction.objects.filter(reference_inquiry_id=inquiry.pk).count() == 1


def test_a_message_after_the_reopen_window_opens_a_new_linked_inquiry(
    now: datetime, captured_tasks: list, monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    inquiry, _ = resolved(now)
    queues_services.queue_configure(queue=inquiry.queue, changes={"reopen_window_hours": 24})
    pushed = pushes(monkeypatch)
    later = now + timedelta(hours=25)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {factories.api_key(of=inquiry.brand)}")

    response = client.post(f"/api/v1/inquiries/{inquiry.pk}/messages",
                           {"body": "A new problem."}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        message, _ = intake_services.inquiry_add_customer_message(
            inquiry_id=inquiry.pk, body="Another one.", now=later)

    assert response.status_code == 201
    follow_up = Inquiry.objects.get(pk=message.inquiry_id)
    assert follow_up.pk != inquiry.pk
    assert (follow_up.reopened_from, follow_up.status, follow_up.subject) == (
        inquiry, InquiryStatus.RECEIVED, inquiry.subject)
    assert response["Location"].startswith("/api/v1/inquiries/")
    assert response["Location"] != f"/api/v1/inquiries/{inquiry.pk}"
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.RESOLVED
    assert Message.objects.filter(inquiry=inquiry).count() == 2
    assert InquiryEvent.objects.filter(inquiry=inquiry, kind="followed_up").count() == 2
    assert (inquiry.brand_id, inquiry.pk) in pushed
    assert ("routing.route_inquiry", [follow_up.pk]) in captured_tasks


def test_the_quiet_sweep_resolves_an_inquiry_waiting_on_the_customer(
    now: datetime, captured_tasks: list,
) -> None:
    inquiry, _ = replied(now)
    assert inquiry.status == InquiryStatus.WAITING_ON_CUSTOMER

    resolved_count = inquiries_resolve_quiet(now=now + timedelta(hours=48))

    inquiry.refresh_from_db()
    assert (resolved_count, inquiry.status) == (1, InquiryStatus.RESOLVED)

"""Escalation: the expert hands an inquiry to the brand; the brand sends it back or confirms."""

from datetime import datetime, timedelta

import pytest
from django.core import mail

from billing.models import LedgerEntry, LedgerTransaction
from billing.terms.models import BrandContract
from experts.profiles.models import ExpertProfile
from marketplace.infra.errors import Conflict, FieldErrors, NotFound, PermissionDenied
from marketplace.inquiries.models import Inquiry, InquiryEvent, InquiryStatus
from marketplace.onboarding.models import BrandRole
from routing.assignments import services as assignments_services
from routing.escalations import services as escalations
from routing.models import Assignment, AssignmentStatus, ExpertSeat
from routing.offers import services as offers_services
from tests import factories

pytestmark = pytest.mark.django_db


def assigned(now: datetime) -> tuple[Inquiry, ExpertProfile]:
    queue = factories.queue(price_minor=450, rate_minor=300)
    expert = factories.on_shift_expert(on=queue, now=now)
    inquiry = factories.inquiry(on=queue, now=now, subject="Refund please")
    offer_id = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now).offer_id
    assert offer_id is not None
    offers_services.offer_accept(offer_id=offer_id, expert=expert, now=now)
    return inquiry, expert


def escalate(inquiry: Inquiry, expert: ExpertProfile, now: datetime, *,
             reason: str = "refund_or_exception", note: str = "",
             summary: str = "Wants EUR 240 back after 40 days.") -> Inquiry:
    return escalations.assignment_escalate(inquiry_id=inquiry.pk, expert=expert, reason=reason,
                                           note=note, summary=summary, now=now)


def test_escalating_frees_the_seat_tells_the_brand_and_bills_nothing(
    now: datetime, captured_tasks: list, django_capture_on_commit_callbacks,
) -> None:
    inquiry, expert = assigned(now)
    admin = factories.brand_member(of=inquiry.brand, role=BrandRole.ADMIN)
    owner = factories.brand_owner(of=inquiry.brand).user
    factories.brand_member(of=inquiry.brand, role=BrandRole.VIEWER)
    assert ExpertSeat.objects.get(expert=expert).email_load == 1
    later = now + timedelta(minutes=3)

    with django_capture_on_commit_callbacks(execute=True):
        escalate(inquiry, expert, later, reason="other", note="Wants to talk to a manager",
                 summary="  Customer threatens to cancel.  ")

    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.escalation_reason, inquiry.escalation_note,
            inquiry.escalation_summary, inquiry.escalated_at, inquiry.escalated_by_id) == (
        InquiryStatus.ESCALATED, "other", "Wants to talk to a manager",
        "Customer threatens to cancel.", later, expert.pk)
    assert Assignment.objects.get(inquiry=inquiry).status == AssignmentStatus.ESCALATED
    assert ExpertSeat.objects.get(expert=expert).email_load == 0
    assert ("routing.expert_capacity_freed", [expert.pk]) in captured_tasks
    event = InquiryEvent.objects.get(inquiry=inquiry, kind="escalated")
    assert (event.actor, event.data["reason"], event.data["expert_id"]) == (
        expert.user, "other", expert.pk)
    assert [message.to for message in mail.outbox] == [sorted([admin.email, owner.email])]
    assert "Customer threatens to cancel." in mail.outbox[0].body
    assert LedgerTransaction.objects.count() == 0


def test_an_escalated_inquiry_is_never_routed_again(now: datetime, captured_tasks: list) -> None:
    inquiry, expert = assigned(now)
    factories.on_shift_expert(on=inquiry.queue, now=now)
    escalate(inquiry, expert, now)

    outcome = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)

    assert (outcome.status, outcome.offer_id) == (InquiryStatus.ESCALATED, None)


@pytest.mark.parametrize(("reason", "note", "summary", "field"), [
    ("other", "  ", "Summary", "note"),
    ("refund_or_exception", "", "   ", "summary"),
    ("because", "", "Summary", "reason"),
])
def test_an_incomplete_escalation_is_refused_field_by_field(
    now: datetime, captured_tasks: list, reason: str, note: str, summary: str, field: str,
) -> None:
    inquiry, expert = assigned(now)

    with pytest.raises(FieldErrors) as refused:
        escalate(inquiry, expert, now, reason=reason, note=note, summary=summary)

    assert list(refused.value.errors) == [field]
    assert refused.value.http_status == 400
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.ASSIGNED
    assert Assignment.objects.get(inquiry=inquiry).status == AssignmentStatus.ACTIVE


def test_another_experts_inquiry_cannot_be_escalated(now: datetime, captured_tasks: list) -> None:
    inquiry, _ = assigned(now)
    other = factories.on_shift_expert(on=inquiry.queue, now=now)

    with pytest.raises(NotFound, match="Inquiry not found"):
        escalate(inquiry, other, now)

    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.ASSIGNED


def test_a_resolved_inquiry_cannot_be_escalated(now: datetime, captured_tasks: list) -> None:
    inquiry, expert = assigned(now)
    assignments_services.assignment_reply(inquiry_id=inquiry.pk, expert=expert,
                                          author=expert.user, body="Done.", now=now)
    assignments_services.assignment_resolve(inquiry_id=inquiry.pk, expert=expert, now=now)

    with pytest.raises(Conflict, match="is resolved; it cannot be escalated") as refused:
        escalate(inquiry, expert, now)

    assert refused.value.http_status == 409
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.escalated_at) == (InquiryStatus.RESOLVED, None)


def test_an_inquiry_released_from_the_expert_cannot_be_escalated_by_them(
    now: datetime, captured_tasks: list,
) -> None:
    inquiry, expert = assigned(now)
    assignment = Assignment.objects.get(inquiry=inquiry)
    assignments_services.assignment_release(assignment_id=assignment.pk, reason="Gone", now=now)

    with pytest.raises(PermissionDenied, match="no longer assigned to you"):
        escalate(inquiry, expert, now)


def test_the_brand_sends_it_back_with_a_note_and_it_is_queued_and_routed(
    now: datetime, captured_tasks: list, django_capture_on_commit_callbacks,
) -> None:
    inquiry, expert = assigned(now)
    escalate(inquiry, expert, now)
    member = factories.brand_member(of=inquiry.brand)
    later = now + timedelta(hours=1)

    with django_capture_on_commit_callbacks(execute=True):
        escalations.escalation_send_back(brand=inquiry.brand, inquiry_id=inquiry.pk,
                                         note="Refund approved.", actor=member, now=later)

    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.QUEUED
    assert ("routing.route_inquiry", [inquiry.pk]) in captured_tasks
    event = InquiryEvent.objects.get(inquiry=inquiry, kind="escalation_sent_back")
    assert (event.actor, event.data["note"], event.created_at) == (member, "Refund approved.",
                                                                   later)
    outcome = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=later)
    assert outcome.offer_id is not None


def test_sending_back_needs_a_note(now: datetime, captured_tasks: list) -> None:
    inquiry, expert = assigned(now)
    escalate(inquiry, expert, now)

    with pytest.raises(FieldErrors, match="Write a note"):
        escalations.escalation_send_back(brand=inquiry.brand, inquiry_id=inquiry.pk, note=" ",
                                         actor=factories.brand_member(of=inquiry.brand),
                                         now=now)

    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.ESCALATED


def test_a_viewer_cannot_send_back(now: datetime, captured_tasks: list) -> None:
    inquiry, expert = assigned(now)
    escalate(inquiry, expert, now)
    viewer = factories.brand_member(of=inquiry.brand, role=BrandRole.VIEWER)

    with pytest.raises(PermissionDenied, match="owners and admins"):
        escalations.escalation_send_back(brand=inquiry.brand, inquiry_id=inquiry.pk,
                                         note="Go", actor=viewer, now=now)


def test_another_brand_can_neither_send_back_nor_confirm(now: datetime,
                                                          captured_tasks: list) -> None:
    inquiry, expert = assigned(now)
    escalate(inquiry, expert, now)
    other_brand = factories.brand()
    outsider = factories.brand_member(of=other_brand)

    with pytest.raises(NotFound):
        escalations.escalation_send_back(brand=other_brand, inquiry_id=inquiry.pk, note="Go",
                                         actor=outsider, now=now)
    with pytest.raises(NotFound):
        escalations.escalation_confirm(brand=other_brand, inquiry_id=inquiry.pk,
                                       actor=outsider, now=now)
    with pytest.raises(PermissionDenied):
        escalations.escalation_confirm(brand=inquiry.brand, inquiry_id=inquiry.pk,
                                       actor=outsider, now=now)

    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.escalation_confirmed_at) == (InquiryStatus.ESCALATED, None)
    assert LedgerTransaction.objects.count() == 0


def test_only_an_escalated_inquiry_can_be_sent_back(now: datetime, captured_tasks: list) -> None:
    inquiry, _ = assigned(now)

    with pytest.raises(Conflict, match="not escalated"):
        escalations.escalation_send_back(brand=inquiry.brand, inquiry_id=inquiry.pk, note="Go",
                                         api_key_label="API key x", now=now)


def test_confirming_bills_the_contracts_fee_once_with_the_experts_share(
    now: datetime, captured_tasks: list,
) -> None:
    inquiry, expert = assigned(now)
    BrandContract.objects.filter(brand_id=inquiry.brand_id).update(
        escalation_fee_minor=200, escalation_expert_share_percent=40)
    escalate(inquiry, expert, now)

    escalations.escalation_confirm(brand=inquiry.brand, inquiry_id=inquiry.pk,
                                   api_key_label="API key sl_1", now=now)
    escalations.escalation_confirm(brand=inquiry.brand, inquiry_id=inquiry.pk,
                                   api_key_label="API key sl_1", now=now)

    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.escalation_confirmed_at) == (InquiryStatus.ESCALATED, now)
    bill = LedgerTransaction.objects.get()
    assert (bill.kind, bill.idempotency_key) == ("escalation_confirmed",
                                                 f"escalation-confirmed:{inquiry.pk}")
    assert sorted((entry.account.kind, entry.amount_minor)
                  for entry in LedgerEntry.objects.select_related("account")) == [
        ("brand_receivable", 200), ("expert_payable", -80), ("platform_revenue", -120)]
    assert InquiryEvent.objects.filter(inquiry=inquiry, kind="escalation_confirmed").count() == 1
    with pytest.raises(Conflict, match="confirmed"):
        escalations.escalation_send_back(brand=inquiry.brand, inquiry_id=inquiry.pk,
                                         note="Go", api_key_label="API key sl_1", now=now)


def test_confirming_without_a_fee_bills_nothing(now: datetime, captured_tasks: list) -> None:
    inquiry, expert = assigned(now)
    escalate(inquiry, expert, now)

    escalations.escalation_confirm(brand=inquiry.brand, inquiry_id=inquiry.pk,
                                   actor=factories.brand_owner(of=inquiry.brand).user, now=now)

    assert LedgerTransaction.objects.count() == 0
    event = InquiryEvent.objects.get(inquiry=inquiry, kind="escalation_confirmed")
    assert event.description.endswith("no fee is billed.")

"""Assignments: replies, resolution, release and handing back."""

from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction

from billing.invoices import services as invoices_services
from billing.pricing import services as pricing_services
from experts.profiles.models import ExpertProfile
from marketplace.infra.errors import Conflict, DomainError, NotFound, PermissionDenied
from marketplace.infra.push import push_to_expert_on_commit
from marketplace.infra.tasking import enqueue_on_commit
from marketplace.inquiries import services as inquiries_services
from marketplace.inquiries.models import Inquiry, InquiryStatus, Message
from routing.assignments import selectors as assignments_selectors
from routing.models import (
    Assignment,
    AssignmentStatus,
)
from routing.offers import selectors as offers_selectors
from routing.offers.services import (
    OfferClosedReason,
    _offer_to_best_candidates,
    _withdraw_pending_offers,
    offer_withdraw,
)
from routing.seats import services as seats


def _lock_active_assignment(
    *, inquiry_id: int, expert: ExpertProfile
) -> tuple[Inquiry, Assignment]:
    inquiry = inquiries_services.inquiry_lock(inquiry_id=inquiry_id)
    assignment = (
        Assignment.objects.select_for_update()
        .filter(inquiry=inquiry, expert=expert)
        .order_by("-created_at")
        .first()
    )
    if assignment is None:
        raise NotFound("Inquiry not found.")
    return inquiry, assignment


def assignment_reply(
    *, inquiry_id: int, expert: ExpertProfile, author: User, body: str, now: datetime
) -> Message:
    with transaction.atomic():
        inquiry, assignment = _lock_active_assignment(inquiry_id=inquiry_id, expert=expert)
        if not body.strip():
            raise DomainError("Write a reply before sending.", code="empty_reply")
        if assignment.status != AssignmentStatus.ACTIVE:
            raise PermissionDenied("This inquiry is no longer assigned to you.")
        message = inquiries_services.message_create_reply(
            inquiry=inquiry, author=author, body=body.strip(), now=now
        )
        push_to_expert_on_commit(expert.pk, "assignments.changed")
        return message


def _expert_csat(expert_id: int) -> pricing_services.ExpertCsat:
    """The expert's CSAT over their last 50 controllable reviews, as experts/quality last
    computed it (it recomputes on every review), read through the profile's relation."""
    row = (ExpertProfile.objects.filter(pk=expert_id)
           .values_list("quality__csat_percent", "quality__csat_reviews").first())
    percent, reviews = row if row is not None else (None, None)
    return pricing_services.ExpertCsat(percent=percent, reviews=reviews or 0)


def assignment_resolve(*, inquiry_id: int, expert: ExpertProfile, now: datetime) -> Assignment:
    """Resolves the inquiry and books the money, exactly once: a second call finds the
    assignment resolved, and the ledger's idempotency key refuses a second entry anyway.
    Billing prices the ticket from the brand's contract and the rate card, given the channel,
    the premium tier the assignment kept when it was accepted and the expert's CSAT."""
    with transaction.atomic():
        inquiry, assignment = _lock_active_assignment(inquiry_id=inquiry_id, expert=expert)
        if assignment.status == AssignmentStatus.RESOLVED:
            return assignment
        if assignment.status != AssignmentStatus.ACTIVE:
            raise PermissionDenied("This inquiry is no longer assigned to you.")
        if inquiry.first_replied_at is None:
            raise Conflict("Reply to the customer before resolving.", code="no_reply_yet")
        assignment.status = AssignmentStatus.RESOLVED
        assignment.ended_at = now
        assignment.save(update_fields=["status", "ended_at"])
        inquiries_services.inquiry_change_status(
            inquiry=inquiry, status=InquiryStatus.RESOLVED, kind="resolved", now=now,
            actor=expert.user, description=f"Resolved by {expert.display_name}.",
            data={"expert_id": expert.pk},
        )
        queue = inquiry.queue
        pricing_services.ticket_resolution_bill(
            inquiry_id=inquiry.pk, brand_id=inquiry.brand_id, brand_name=inquiry.brand.name,
            expert_id=expert.pk, expert_name=expert.display_name,
            currency=queue.currency, channel=inquiry.channel,
            tier=assignment.premium_tier, csat=_expert_csat(expert.pk), now=now,
        )
        invoices_services.billed_ticket_record(
            inquiry_id=inquiry.pk, brand_id=inquiry.brand_id, queue_id=queue.pk,
            queue_name=queue.name, channel=inquiry.channel)
        seats.seat_release(expert_id=expert.pk, channel=inquiry.channel, now=now)
        enqueue_on_commit("routing.expert_capacity_freed", expert.pk)
        push_to_expert_on_commit(expert.pk, "assignments.changed")
    return assignment


def inquiry_hand_back(*, inquiry_id: int, reason: str, now: datetime) -> bool:
    """Returns an unassigned inquiry to the brand with the reason; withdraws its offer."""
    with transaction.atomic():
        inquiry = inquiries_services.inquiry_lock(inquiry_id=inquiry_id)
        if inquiry.status not in offers_selectors.UNASSIGNED:
            return False
        _withdraw_pending_offers(inquiry, now, reason=OfferClosedReason.HANDED_BACK,
                                 detail=reason)
        inquiries_services.inquiry_change_status(
            inquiry=inquiry, status=InquiryStatus.HANDED_BACK, kind="handed_back", now=now,
            description=reason,
        )
    return True


def inquiry_flag_at_risk(*, inquiry_id: int, now: datetime) -> bool:
    with transaction.atomic():
        inquiry = inquiries_services.inquiry_lock(inquiry_id=inquiry_id)
        if inquiry.status not in offers_selectors.UNASSIGNED or inquiry.at_risk_at is not None:
            return False
        inquiries_services.inquiry_mark_at_risk(inquiry=inquiry, now=now)
    return True


def assignment_release(
    *, assignment_id: int, reason: str, now: datetime, only_if_silent: bool = False
) -> bool:
    """Takes an inquiry away from its expert and offers it to someone else. With
    `only_if_silent`, nothing happens once the expert has replied. Returns True if released."""
    with transaction.atomic():
        inquiry_id = (Assignment.objects.filter(pk=assignment_id)
                      .values_list("inquiry_id", flat=True).first())
        if inquiry_id is None:
            return False
        inquiry = inquiries_services.inquiry_lock(inquiry_id=inquiry_id)
        assignment = Assignment.objects.select_for_update().get(pk=assignment_id)
        if assignment.status != AssignmentStatus.ACTIVE:
            return False
        if only_if_silent and inquiry.first_replied_at is not None:
            return False
        assignment.status = AssignmentStatus.RELEASED
        assignment.ended_at = now
        assignment.save(update_fields=["status", "ended_at"])
        seats.seat_release(expert_id=assignment.expert_id, channel=inquiry.channel)
        inquiries_services.inquiry_change_status(
            inquiry=inquiry, status=InquiryStatus.QUEUED, kind="reassigned", now=now,
            description=reason, data={"expert_id": assignment.expert_id},
        )
        push_to_expert_on_commit(assignment.expert_id, "assignment.revoked",
                                 inquiry_id=inquiry.pk)
        _offer_to_best_candidates(inquiry, now, log_empty=True)
    return True


def assignment_release_silent(*, assignment_id: int, now: datetime) -> bool:
    """A chat accepted but left without a first reply goes to someone else."""
    expert_id = Assignment.objects.filter(pk=assignment_id).values_list("expert_id",
                                                                        flat=True).first()
    return assignment_release(
        assignment_id=assignment_id, only_if_silent=True, now=now,
        reason=f"Expert #{expert_id} did not reply in time; reassigning.",
    )


def expert_leave_routing(*, expert_id: int, reason: str, now: datetime,
                         release_assignments: bool) -> None:
    """An expert stops taking work (suspended, shift over): the seat closes, pending offers are
    withdrawn and routed on, and with `release_assignments` open inquiries are reassigned.
    Runs one inquiry per transaction, after the caller's own transaction, to keep the lock
    order (inquiry before seat) of the routing paths."""
    seats.seat_close(expert_id=expert_id)
    for offer_id in offers_selectors.offer_ids_pending_for_expert(expert_id=expert_id):
        offer_withdraw(offer_id=offer_id, reason=reason, now=now)
    if release_assignments:
        for assignment_id in assignments_selectors.assignment_ids_active_for_expert(
            expert_id=expert_id):
            assignment_release(assignment_id=assignment_id, reason=reason, now=now)

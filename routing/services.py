"""Routing writes: coverage decisions, offers, acceptance, replies, resolution, sweeps.

Lock order everywhere: the inquiry row, then the offer row, then the expert's seat. Every
function that changes state owns its transaction and is safe to run twice.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction

from billing import services as billing_services
from experts import shift_selectors
from experts.models import ExpertProfile, ExpertStatus
from marketplace import selectors as marketplace_selectors
from marketplace import services as marketplace_services
from marketplace.errors import Conflict, DomainError, NotFound, PermissionDenied
from marketplace.models import Inquiry, InquiryStatus, Message
from marketplace.tasking import enqueue_on_commit
from routing import seats, selectors
from routing.engine import Candidate, InquiryNeeds, RoutingDecision, choose_expert, decide_coverage
from routing.engine.coverage import brand_is_open
from routing.engine.policy import policy_for_queue
from routing.models import (
    Assignment,
    AssignmentStatus,
    DeclineReason,
    Offer,
    OfferStatus,
    RoutingDecisionLog,
)
from routing.push import push_to_expert_on_commit

logger = logging.getLogger(__name__)

RECEIVED_GRACE = timedelta(seconds=10)
SWEEP_BATCH = 200
SHORTLIST = 10
EXPLAINED = 20


@dataclass(frozen=True)
class RouteOutcome:
    inquiry_id: int
    status: str
    offer_id: int | None = None


def _candidates_for(inquiry: Inquiry, passed: frozenset[int], now: datetime) -> list[Candidate]:
    """The engine's input: the eligible shortlist, plus the queue's other experts nearest the
    top of the ranking so the decision can say why they were left out. Two bounded reads."""
    shortlist = selectors.seat_shortlist(
        queue_id=inquiry.queue_id, channel=inquiry.channel, language=inquiry.language,
        excluded_expert_ids=passed, now=now, limit=SHORTLIST,
        skills=inquiry.queue.required_skills,
    )
    shortlisted = {candidate.expert_id for candidate in shortlist}
    others = [
        candidate
        for candidate in selectors.seat_neighbours(
            queue_id=inquiry.queue_id, channel=inquiry.channel, now=now, limit=EXPLAINED
        )
        if candidate.expert_id not in shortlisted
    ]
    return [*shortlist, *others]


def _decide(inquiry: Inquiry, now: datetime) -> RoutingDecision:
    passed = selectors.expert_ids_passed_on_inquiry(inquiry_id=inquiry.pk)
    needs = InquiryNeeds(
        inquiry_id=inquiry.pk, channel=inquiry.channel, language=inquiry.language,
        skills=frozenset(inquiry.queue.required_skills), excluded_expert_ids=passed,
    )
    return choose_expert(needs, _candidates_for(inquiry, passed, now), now)


def _decide_coverage(inquiry: Inquiry, now: datetime) -> None:
    """Routing's first step for a new inquiry; its event is the one that puts the inquiry in
    the brand's live console (intake pushes nothing, marketplace/events.py)."""
    calendar = marketplace_selectors.queue_coverage_calendar(queue=inquiry.queue, now=now)
    coverage = decide_coverage(calendar, now, channel=inquiry.channel, language=inquiry.language)
    local = coverage.local_time.strftime("%a %H:%M %Z")
    if coverage.covered:
        marketplace_services.inquiry_change_status(
            inquiry=inquiry, status=InquiryStatus.QUEUED, kind="coverage", now=now,
            coverage_reason=coverage.reason.value,
            description=f"Network covers it: {coverage.reason.value.replace('_', ' ')} "
            f"({local} in {calendar.time_zone}).",
            data={"covered": True, "reason": coverage.reason.value}, new_in_console=True,
        )
    else:
        marketplace_services.inquiry_change_status(
            inquiry=inquiry, status=InquiryStatus.WITH_BRAND, kind="coverage", now=now,
            coverage_reason=coverage.reason.value,
            description=f"Left with the brand: {coverage.reason.value.replace('_', ' ')} "
            f"({local} in {calendar.time_zone}).",
            data={"covered": False, "reason": coverage.reason.value}, new_in_console=True,
        )


def _offer_to_best_candidates(
    inquiry: Inquiry, now: datetime, *, log_empty: bool, holds_no_seat: bool = False
) -> list[Offer]:
    """Offers a queued inquiry to the best eligible expert, or to the best few at once when it
    is close to breaching its target. Caller holds the inquiry lock. Each offer takes a unit of
    the expert's seat capacity atomically, so two workers never fill the same last place.
    `holds_no_seat`: this transaction has changed no seat yet, so its first take may wait for
    the seat's lock (see `seats.seat_take` for the deadlock rule)."""
    decision = _decide(inquiry, now)
    if decision.chosen_expert_id is None:
        if log_empty:
            RoutingDecisionLog.objects.create(
                inquiry=inquiry, chosen_expert=None, detail=decision.as_log(), decided_at=now
            )
            marketplace_services.inquiry_record_event(
                inquiry=inquiry, kind="waiting", now=now,
                description="No eligible expert right now; waiting for one to check in.",
                data=decision.as_log(),
            )
        return []
    queue = inquiry.queue
    policy = policy_for_queue(
        inquiry.channel, offer_timeout=queue.offer_timeout(inquiry.channel),
        first_reply_timeout=timedelta(seconds=queue.chat_reply_timeout_seconds),
    )
    width = policy.offer_width(now, inquiry.first_response_due_at)
    log: RoutingDecisionLog | None = None
    offers: list[Offer] = []
    for score in decision.ranked:
        if len(offers) == width:
            break
        # A take that matched no row holds no lock: only the first successful take counts.
        if not seats.seat_take(expert_id=score.expert_id, channel=inquiry.channel,
                               wait=holds_no_seat and not offers):
            continue
        if log is None:
            log = RoutingDecisionLog.objects.create(
                inquiry=inquiry, chosen_expert_id=score.expert_id, detail=decision.as_log(),
                decided_at=now,
            )
        offer = Offer.objects.create(
            inquiry=inquiry, expert_id=score.expert_id, decision=log, created_at=now,
            expires_at=policy.offer_expires_at(now),
        )
        offers.append(offer)
        push_to_expert_on_commit(score.expert_id, "offer.created", offer_id=offer.pk)
    if offers:
        assert log is not None
        if len(offers) > 1:
            log.detail = {**log.detail, "offered_at_once": len(offers)}
            log.save(update_fields=["detail"])
        experts = ", ".join(f"#{offer.expert_id}" for offer in offers)
        at_once = " at once, first to accept wins" if len(offers) > 1 else ""
        marketplace_services.inquiry_change_status(
            inquiry=inquiry, status=InquiryStatus.OFFERED, kind="offered", now=now,
            description=f"Offered to expert {experts}{at_once} (of {len(decision.ranked)} "
            f"eligible), answer by {offers[0].expires_at:%H:%M:%S} UTC.",
            data={"offer_ids": [offer.pk for offer in offers],
                  "expert_ids": [offer.expert_id for offer in offers], "decision_id": log.pk},
        )
    return offers


def inquiry_route(*, inquiry_id: int, now: datetime, log_empty: bool = True) -> RouteOutcome:
    """Decides coverage for a new inquiry and offers a covered one to the best eligible expert.
    Safe to run any number of times: an inquiry that is not waiting is left as it is."""
    with transaction.atomic():
        try:
            inquiry = marketplace_services.inquiry_lock(inquiry_id=inquiry_id)
        except NotFound:
            logger.warning("routing skipped unknown inquiry %s", inquiry_id)
            return RouteOutcome(inquiry_id, "missing")
        if inquiry.status == InquiryStatus.RECEIVED:
            _decide_coverage(inquiry, now)
        if inquiry.status == InquiryStatus.OFFERED:
            if Offer.objects.filter(inquiry=inquiry, status=OfferStatus.PENDING).exists():
                return RouteOutcome(inquiry_id, inquiry.status)
            marketplace_services.inquiry_change_status(
                inquiry=inquiry, status=InquiryStatus.QUEUED, kind="requeued", now=now,
                description="Offer no longer live; back in the queue.",
            )
        if inquiry.status != InquiryStatus.QUEUED:
            return RouteOutcome(inquiry_id, inquiry.status)
        offers = _offer_to_best_candidates(inquiry, now, log_empty=log_empty,
                                           holds_no_seat=True)
        return RouteOutcome(inquiry_id, inquiry.status, offers[0].pk if offers else None)


def _lock_offer_for_expert(*, offer_id: int, expert: ExpertProfile) -> tuple[Inquiry, Offer]:
    inquiry_id = (
        Offer.objects.filter(pk=offer_id, expert=expert).values_list("inquiry_id", flat=True)
        .first()
    )
    if inquiry_id is None:
        raise NotFound("Offer not found.")
    inquiry = marketplace_services.inquiry_lock(inquiry_id=inquiry_id)
    offer = Offer.objects.select_for_update().get(pk=offer_id)
    return inquiry, offer


def offer_accept(*, offer_id: int, expert: ExpertProfile, now: datetime) -> Assignment:
    with transaction.atomic():
        inquiry, offer = _lock_offer_for_expert(offer_id=offer_id, expert=expert)
        if offer.status == OfferStatus.ACCEPTED:
            return offer.assignment
        if not ExpertProfile.objects.filter(pk=expert.pk, status=ExpertStatus.APPROVED).exists():
            raise PermissionDenied("Only approved experts can accept work.")
        if offer.status != OfferStatus.PENDING:
            raise Conflict(f"This offer was {offer.get_status_display().lower()}.",
                           code=f"offer_{offer.status}")
        if offer.expires_at <= now:
            raise Conflict("This offer has expired.", code="offer_expired")
        offer.status = OfferStatus.ACCEPTED
        offer.responded_at = now
        offer.save(update_fields=["status", "responded_at"])
        _withdraw_pending_offers(inquiry, now)
        assignment = Assignment.objects.create(
            inquiry=inquiry, expert=expert, offer=offer, created_at=now
        )
        marketplace_services.inquiry_change_status(
            inquiry=inquiry, status=InquiryStatus.ASSIGNED, kind="accepted", now=now,
            actor=expert.user, description=f"Accepted by {expert.display_name}.",
            data={"offer_id": offer.pk, "expert_id": expert.pk},
        )
        push_to_expert_on_commit(expert.pk, "offer.closed", offer_id=offer.pk)
    return assignment


def offer_decline(*, offer_id: int, expert: ExpertProfile, reason: str, note: str = "",
                  now: datetime) -> Offer:
    """`reason` is a `DeclineReason` value; `note` the expert's own words, required with
    OTHER. The inquiry is never offered to this expert again. Someone else's offer is
    NotFound before the input is judged, so the answer never tells whether a foreign id
    exists."""
    note = note.strip()
    with transaction.atomic():
        inquiry, offer = _lock_offer_for_expert(offer_id=offer_id, expert=expert)
        if reason not in DeclineReason.values:
            raise DomainError("Choose why you decline, so routing can learn.",
                              code="reason_required")
        if reason == DeclineReason.OTHER and not note:
            raise DomainError("Say in a few words why you decline.", code="note_required")
        label = DeclineReason(reason).label
        if offer.status == OfferStatus.DECLINED:
            return offer
        if offer.status != OfferStatus.PENDING:
            raise Conflict(f"This offer was {offer.get_status_display().lower()}.",
                           code=f"offer_{offer.status}")
        offer.status = OfferStatus.DECLINED
        offer.responded_at = now
        offer.decline_code = reason
        offer.decline_reason = note[:300]
        offer.save(update_fields=["status", "responded_at", "decline_code", "decline_reason"])
        description = f"Declined by {expert.display_name}: {label}" + (f" ({note})" if note
                                                                          else "")
        still_offered = _after_offer_closed(
            inquiry, offer, kind="declined", now=now, actor=expert.user,
            description=description,
        )
        if not still_offered:
            enqueue_on_commit("routing.route_inquiry", inquiry.pk)
    return offer


def _after_offer_closed(
    inquiry: Inquiry, offer: Offer, *, kind: str, description: str, now: datetime,
    actor: User | None = None,
) -> bool:
    """Records a declined or expired offer. The inquiry stays offered while another of its
    offers is still pending (a multi-offer); otherwise it goes back to the queue. Returns True
    when it is still offered. Caller holds the inquiry and offer locks."""
    seats.seat_release(expert_id=offer.expert_id, channel=inquiry.channel)
    push_to_expert_on_commit(offer.expert_id, "offer.closed", offer_id=offer.pk)
    data = {"offer_id": offer.pk, "expert_id": offer.expert_id}
    if Offer.objects.filter(inquiry=inquiry, status=OfferStatus.PENDING).exists():
        marketplace_services.inquiry_record_event(
            inquiry=inquiry, kind=kind, description=description, now=now, actor=actor,
            data=data,
        )
        return True
    marketplace_services.inquiry_change_status(
        inquiry=inquiry, status=InquiryStatus.QUEUED, kind=kind, description=description,
        now=now, actor=actor, data=data,
    )
    return False


def offer_expire(*, offer_id: int, now: datetime) -> bool:
    """Expires one overdue pending offer and sends the inquiry on to the next expert.
    Returns False when the offer was answered meanwhile."""
    with transaction.atomic():
        inquiry_id = Offer.objects.filter(pk=offer_id).values_list("inquiry_id", flat=True).first()
        if inquiry_id is None:
            return False
        inquiry = marketplace_services.inquiry_lock(inquiry_id=inquiry_id)
        offer = Offer.objects.select_for_update().get(pk=offer_id)
        if offer.status != OfferStatus.PENDING or offer.expires_at > now:
            return False
        offer.status = OfferStatus.EXPIRED
        offer.responded_at = now
        offer.save(update_fields=["status", "responded_at"])
        still_offered = _after_offer_closed(
            inquiry, offer, kind="offer_expired", now=now,
            description=f"Offer to expert #{offer.expert_id} expired unanswered.",
        )
        if not still_offered:
            _offer_to_best_candidates(inquiry, now, log_empty=True)
    return True


def offers_expire_due(*, now: datetime) -> int:
    """The periodic sweep over the indexed `expires_at`: no Celery ETAs for timeouts."""
    return sum(
        offer_expire(offer_id=offer_id, now=now)
        for offer_id in selectors.offer_ids_due_to_expire(now=now, limit=SWEEP_BATCH)
    )


def inquiries_reconcile(*, now: datetime) -> int:
    """Re-routes anything that should be moving and is not, so a lost broker message, a killed
    worker or a Redis restart loses nothing."""
    routed = 0
    for inquiry_id in selectors.inquiry_ids_needing_routing(
        now=now, received_grace=RECEIVED_GRACE, limit=SWEEP_BATCH
    ):
        outcome = inquiry_route(inquiry_id=inquiry_id, now=now, log_empty=False)
        routed += outcome.offer_id is not None
    return routed


def expert_pull_waiting_work(*, expert_id: int, now: datetime) -> int:
    """When an expert frees capacity (checks in, resolves), the most urgent waiting inquiries of
    their queues are offered at once, earliest first-response deadline first."""
    queue_ids = selectors.seat_queue_ids(expert_id=expert_id)
    if not queue_ids:
        return 0
    offered = 0
    for inquiry_id in selectors.inquiry_ids_waiting_in_queues(queue_ids=queue_ids,
                                                              limit=SWEEP_BATCH):
        outcome = inquiry_route(inquiry_id=inquiry_id, now=now, log_empty=False)
        if outcome.offer_id is None:
            break
        offered += 1
    return offered


def _lock_active_assignment(
    *, inquiry_id: int, expert: ExpertProfile
) -> tuple[Inquiry, Assignment]:
    inquiry = marketplace_services.inquiry_lock(inquiry_id=inquiry_id)
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
        return marketplace_services.message_create_reply(
            inquiry=inquiry, author=author, body=body.strip(), now=now
        )


def assignment_resolve(*, inquiry_id: int, expert: ExpertProfile, now: datetime) -> Assignment:
    """Resolves the inquiry and books the money, exactly once: a second call finds the
    assignment resolved, and the ledger's idempotency key refuses a second entry anyway."""
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
        marketplace_services.inquiry_change_status(
            inquiry=inquiry, status=InquiryStatus.RESOLVED, kind="resolved", now=now,
            actor=expert.user, description=f"Resolved by {expert.display_name}.",
            data={"expert_id": expert.pk},
        )
        queue = inquiry.queue
        rate_minor = shift_selectors.expert_rate_with_premium(
            expert_id=expert.pk, queue=queue, accepted_at=assignment.created_at,
        )
        billing_services.ledger_record_ticket_resolution(
            inquiry_id=inquiry.pk, brand_id=inquiry.brand_id, brand_name=inquiry.brand.name,
            expert_id=expert.pk, expert_name=expert.display_name,
            price_minor=queue.price_per_ticket_minor, expert_rate_minor=rate_minor,
            currency=queue.currency, now=now,
        )
        seats.seat_release(expert_id=expert.pk, channel=inquiry.channel, now=now)
        enqueue_on_commit("routing.expert_capacity_freed", expert.pk)
    return assignment


def _withdraw_pending_offers(inquiry: Inquiry, now: datetime) -> None:
    """Caller holds the inquiry lock. Seats are released in expert order, so two transactions
    releasing the same seats never wait for each other in a cycle."""
    for offer in Offer.objects.select_for_update().filter(
            inquiry=inquiry, status=OfferStatus.PENDING).order_by("expert_id"):
        offer.status = OfferStatus.WITHDRAWN
        offer.responded_at = now
        offer.save(update_fields=["status", "responded_at"])
        seats.seat_release(expert_id=offer.expert_id, channel=inquiry.channel)
        push_to_expert_on_commit(offer.expert_id, "offer.closed", offer_id=offer.pk)


def inquiry_hand_back(*, inquiry_id: int, reason: str, now: datetime) -> bool:
    """Returns an unassigned inquiry to the brand with the reason; withdraws its offer."""
    with transaction.atomic():
        inquiry = marketplace_services.inquiry_lock(inquiry_id=inquiry_id)
        if inquiry.status not in selectors.UNASSIGNED:
            return False
        _withdraw_pending_offers(inquiry, now)
        marketplace_services.inquiry_change_status(
            inquiry=inquiry, status=InquiryStatus.HANDED_BACK, kind="handed_back", now=now,
            description=reason,
        )
    return True


def inquiry_flag_at_risk(*, inquiry_id: int, now: datetime) -> bool:
    with transaction.atomic():
        inquiry = marketplace_services.inquiry_lock(inquiry_id=inquiry_id)
        if inquiry.status not in selectors.UNASSIGNED or inquiry.at_risk_at is not None:
            return False
        marketplace_services.inquiry_mark_at_risk(inquiry=inquiry, now=now)
    return True


BRAND_OPENED = "Handed back: the brand's business hours began before an expert took it."
TARGET_PASSED = "Handed back: no expert could take it before the first-response target."


def deadlines_sweep(*, now: datetime) -> dict[str, int]:
    """Flags inquiries at half their target, hands back those past it, and hands back every
    unassigned inquiry of a queue whose business hours have begun."""
    handed_back = 0
    for queue_id in selectors.queue_ids_with_unassigned_work():
        queue = marketplace_selectors.queue_get(queue_id=queue_id)
        calendar = marketplace_selectors.queue_coverage_calendar(queue=queue, now=now)
        if brand_is_open(calendar, now):
            for inquiry_id in selectors.inquiry_ids_unassigned_in_queue(queue_id=queue_id,
                                                                         limit=SWEEP_BATCH):
                handed_back += inquiry_hand_back(inquiry_id=inquiry_id, reason=BRAND_OPENED,
                                                 now=now)
    for inquiry_id in selectors.inquiry_ids_unassigned_past_target(now=now, limit=SWEEP_BATCH):
        handed_back += inquiry_hand_back(inquiry_id=inquiry_id, reason=TARGET_PASSED, now=now)
    at_risk = sum(
        inquiry_flag_at_risk(inquiry_id=inquiry_id, now=now)
        for inquiry_id in selectors.inquiry_ids_at_risk(now=now, limit=SWEEP_BATCH)
    )
    seats_closed = 0
    for expert_id in selectors.seat_expert_ids_shift_ended(now=now):
        expert_leave_routing(expert_id=expert_id, now=now, release_assignments=False,
                             reason="The expert's shift ended before they answered.")
        seats_closed += 1
    return {"handed_back": handed_back, "at_risk": at_risk, "seats_closed": seats_closed}


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
        inquiry = marketplace_services.inquiry_lock(inquiry_id=inquiry_id)
        assignment = Assignment.objects.select_for_update().get(pk=assignment_id)
        if assignment.status != AssignmentStatus.ACTIVE:
            return False
        if only_if_silent and inquiry.first_replied_at is not None:
            return False
        assignment.status = AssignmentStatus.RELEASED
        assignment.ended_at = now
        assignment.save(update_fields=["status", "ended_at"])
        seats.seat_release(expert_id=assignment.expert_id, channel=inquiry.channel)
        marketplace_services.inquiry_change_status(
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


def offer_withdraw(*, offer_id: int, reason: str, now: datetime) -> bool:
    """Withdraws a pending offer (its expert can no longer take it) and routes on."""
    with transaction.atomic():
        inquiry_id = Offer.objects.filter(pk=offer_id).values_list("inquiry_id", flat=True).first()
        if inquiry_id is None:
            return False
        inquiry = marketplace_services.inquiry_lock(inquiry_id=inquiry_id)
        offer = Offer.objects.select_for_update().get(pk=offer_id)
        if offer.status != OfferStatus.PENDING:
            return False
        offer.status = OfferStatus.WITHDRAWN
        offer.responded_at = now
        offer.save(update_fields=["status", "responded_at"])
        if not _after_offer_closed(inquiry, offer, kind="offer_withdrawn", description=reason,
                                   now=now):
            _offer_to_best_candidates(inquiry, now, log_empty=True)
    return True


def expert_leave_routing(*, expert_id: int, reason: str, now: datetime,
                         release_assignments: bool) -> None:
    """An expert stops taking work (suspended, shift over): the seat closes, pending offers are
    withdrawn and routed on, and with `release_assignments` open inquiries are reassigned.
    Runs one inquiry per transaction, after the caller's own transaction, to keep the lock
    order (inquiry before seat) of the routing paths."""
    seats.seat_close(expert_id=expert_id)
    for offer_id in selectors.offer_ids_pending_for_expert(expert_id=expert_id):
        offer_withdraw(offer_id=offer_id, reason=reason, now=now)
    if release_assignments:
        for assignment_id in selectors.assignment_ids_active_for_expert(expert_id=expert_id):
            assignment_release(assignment_id=assignment_id, reason=reason, now=now)


def assignments_release_silent(*, now: datetime) -> int:
    """Reassigns chats accepted but left without a reply past their queue's chat reply
    timeout (default 3 minutes)."""
    released = 0
    for assignment_id in selectors.assignment_ids_chat_silent_past_queue_timeout(
        now=now, limit=SWEEP_BATCH
    ):
        released += assignment_release_silent(assignment_id=assignment_id, now=now)
    return released

"""Coverage decisions and offers: made, accepted, declined, expired."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache

from django.contrib.auth.models import User
from django.db import DEFAULT_DB_ALIAS, connection, transaction

from experts.profiles.models import ExpertProfile, ExpertStatus
from marketplace.infra.errors import Conflict, DomainError, NotFound, PermissionDenied
from marketplace.infra.push import push_to_expert_on_commit
from marketplace.infra.rows import (
    column,
    column_name,
    concrete_columns,
    insert_step,
    instance_from_row,
    table,
)
from marketplace.infra.tasking import enqueue_on_commit
from marketplace.inquiries import services as inquiries_services
from marketplace.inquiries.models import Inquiry, InquiryStatus
from marketplace.queues import selectors as queues_selectors
from marketplace.queues.models import BusinessHoursSpan, OverflowQueue
from routing.engine import InquiryNeeds, RoutingDecision, WeeklySpan, choose_expert, decide_coverage
from routing.engine.policy import policy_for_queue
from routing.models import (
    Assignment,
    DeclineReason,
    Offer,
    OfferStatus,
    RoutingDecisionLog,
)
from routing.offers import selectors as offers_selectors
from routing.seats import selectors as seats_selectors
from routing.seats import services as seats

logger = logging.getLogger(__name__)

SWEEP_BATCH = 200
SHORTLIST = 10


class OfferClosedReason(StrEnum):
    """Why an offer left an expert's page, sent with `offer.closed` so the page can say it in
    words (experts/presence/consumers.py)."""

    ACCEPTED = "accepted"
    DECLINED = "declined"
    TAKEN = "taken"
    HANDED_BACK = "handed_back"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


CLOSED_BY_KIND = {"declined": OfferClosedReason.DECLINED,
                  "offer_expired": OfferClosedReason.EXPIRED,
                  "offer_withdrawn": OfferClosedReason.WITHDRAWN}


@dataclass(frozen=True)
class RouteOutcome:
    inquiry_id: int
    status: str
    offer_id: int | None = None


def _decide(inquiry: Inquiry, now: datetime) -> RoutingDecision:
    """One statement reads the eligible shortlist and counts everyone else the brand could use
    by the reason they were left out (`seats_selectors.routing_pool`); the engine ranks the
    shortlist and keeps the counts for the decision log."""
    skills = inquiry.queue.required_skills
    pool = seats_selectors.routing_pool(
        inquiry_id=inquiry.pk, brand_id=inquiry.brand_id, queue_id=inquiry.queue_id,
        channel=inquiry.channel, language=inquiry.language, skills=skills, now=now,
        limit=SHORTLIST,
    )
    needs = InquiryNeeds(inquiry_id=inquiry.pk, channel=inquiry.channel,
                         language=inquiry.language, skills=frozenset(skills))
    return choose_expert(needs, pool.shortlist, now, counted=pool.excluded_counts)


@cache
def _lock_sql() -> str:
    spans, inquiries = table(BusinessHoursSpan), table(Inquiry)

    def span_array(name: str) -> str:
        return (f"ARRAY(SELECT s.{column(BusinessHoursSpan, name)} FROM {spans} s "  # noqa: S608 (model identifiers; values bound)
                f"WHERE s.{column(BusinessHoursSpan, 'queue')} = q.{column(OverflowQueue, 'id')}"
                f" ORDER BY s.{column(BusinessHoursSpan, 'weekday')}, "
                f"s.{column(BusinessHoursSpan, 'opens_at')})")

    return (f"SELECT {concrete_columns(Inquiry, 'i')}, {concrete_columns(OverflowQueue, 'q')}, "  # noqa: S608 (model identifiers; values bound)
            f"{span_array('weekday')}, {span_array('opens_at')}, {span_array('closes_at')} "
            f"FROM {inquiries} i JOIN {table(OverflowQueue)} q "
            f"ON q.{column(OverflowQueue, 'id')} = i.{column(Inquiry, 'queue')} "
            f"WHERE i.{column(Inquiry, 'id')} = %s FOR UPDATE OF i")


def _lock_for_routing(inquiry_id: int) -> tuple[Inquiry, tuple[WeeklySpan, ...]]:
    """`inquiries_services.inquiry_lock` (the inquiry row locked, its queue beside it) plus the
    queue's business hours, in one statement made once per process. Profiled (issue 12 §7):
    the lock's queryset and the spans' queryset cost more CPU to build than the rest of the
    decision's reads together."""
    with connection.cursor() as cursor:
        cursor.execute(_lock_sql(), [inquiry_id])
        row = cursor.fetchone()
    if row is None:
        raise NotFound(f"Inquiry {inquiry_id} does not exist.")
    size = len(Inquiry._meta.concrete_fields)
    inquiry = instance_from_row(Inquiry, row[:size])
    inquiry.queue = instance_from_row(OverflowQueue, row[size:-3])
    weekdays, opens, closes = row[-3:]
    return inquiry, tuple(WeeklySpan(weekday=weekday, opens=opening, closes=closing)
                          for weekday, opening, closing in zip(weekdays, opens, closes,
                                                               strict=True))


@dataclass(frozen=True)
class _Covered:
    """A new inquiry the network covers, its coverage event not yet written: when routing offers
    it right away, the event goes out in the offer's statement (`_offers_record`)."""

    reason: str
    description: str
    data: dict[str, object]


def _decide_coverage(inquiry: Inquiry, now: datetime,
                     business_hours: tuple[WeeklySpan, ...]) -> _Covered | None:
    """Routing's first step for a new inquiry; its event is the one that puts the inquiry in
    the brand's live console (intake pushes nothing, marketplace/inquiries/events.py). An
    inquiry left with the brand is written now; a covered one is queued in memory only and
    returned, for `_offer_to_best_candidates` to write with its offer (or alone when nobody
    takes it)."""
    calendar = queues_selectors.queue_coverage_calendar(queue=inquiry.queue, now=now,
                                                        business_hours=business_hours)
    coverage = decide_coverage(calendar, now, channel=inquiry.channel, language=inquiry.language)
    local = coverage.local_time.strftime("%a %H:%M %Z")
    reason = coverage.reason.value
    if coverage.covered:
        inquiry.status, inquiry.coverage_reason = InquiryStatus.QUEUED, reason
        return _Covered(reason=reason,
                        description=f"{coverage.label} ({local} in {calendar.time_zone}).",
                        data={"covered": True, "reason": reason})
    inquiries_services.inquiry_change_status(
        inquiry=inquiry, status=InquiryStatus.WITH_BRAND, kind="coverage", now=now,
        coverage_reason=reason,
        description=f"{coverage.label} ({local} in {calendar.time_zone}).",
        data={"covered": False, "reason": reason}, new_in_console=True,
    )
    return None


def _write_covered(inquiry: Inquiry, now: datetime, covered: _Covered | None) -> None:
    """Writes a covered inquiry's coverage on its own (nobody was offered it)."""
    if covered is not None:
        inquiries_services.inquiry_change_status(
            inquiry=inquiry, status=InquiryStatus.QUEUED, kind="coverage", now=now,
            coverage_reason=covered.reason, description=covered.description,
            data=covered.data, new_in_console=True,
        )


def _offers_record(inquiry: Inquiry, now: datetime, decision: RoutingDecision,
                   taken: list[int], expires_at: datetime,
                   covered: _Covered | None) -> list[Offer]:
    """The decision log, one offer per expert in `taken` (their seats already taken), the
    inquiry offered and its timeline (the coverage event first when `covered`): one statement.

    Profiled (issue 12 §7): written with the ORM these were six to eight statements (coverage
    status and event, log, offers, offered status and event), half of a decision's CPU in
    building and sending them; the statement's SQL is made of steps each made once per
    process, the inquiry's from `inquiries_services.inquiry_change_status_steps`."""
    detail = decision.as_log()
    if len(taken) > 1:
        detail["offered_at_once"] = len(taken)
    log = RoutingDecisionLog(inquiry=inquiry, chosen_expert_id=taken[0], detail=detail,
                             decided_at=now)
    offers = [Offer(inquiry=inquiry, expert_id=expert_id, created_at=now, expires_at=expires_at)
              for expert_id in taken]
    events = [] if covered is None else [inquiries_services.inquiry_event(
        kind="coverage", description=covered.description, now=now, data=covered.data)]
    experts = ", ".join(f"#{expert_id}" for expert_id in taken)
    at_once = " at once, first to accept wins" if len(taken) > 1 else ""
    events.append(inquiries_services.inquiry_event(
        kind="offered", now=now, data={"expert_ids": taken},
        description=f"Offered to expert {experts}{at_once} (of {len(decision.ranked)} "
        f"eligible), answer by {expires_at:%H:%M:%S} UTC."))
    names = [f"offer_{number}" for number in range(len(offers))]
    inquiry_steps = inquiries_services.inquiry_change_status_steps(
        inquiry=inquiry, status=InquiryStatus.OFFERED, events=events,
        after=["routing_log", *names], new_in_console=covered is not None,
        last_data=f"jsonb_build_object('offer_ids', jsonb_build_array("
                  f"{', '.join(f'{name}.id' for name in names)}), "
                  "'decision_id', routing_log.id)")
    log_step = insert_step(RoutingDecisionLog)
    offer_step = insert_step(Offer, source="routing_log",
                             expressions=((column_name(Offer, "decision"), "routing_log.id"),))
    steps = [("routing_log", log_step.sql), *((name, offer_step.sql) for name in names),
             *inquiry_steps.steps]
    params = [*log_step.params(log), *(value for offer in offers
                                       for value in offer_step.params(offer)),
              *inquiry_steps.params]
    ids, sources = ", ".join(f"{name}.id" for name in names), ", ".join(names)
    ctes = ", ".join(f"{name} AS ({step})" for name, step in steps)
    sql = f"WITH {ctes} SELECT routing_log.id, {ids} FROM routing_log, {sources}"  # noqa: S608 (steps made from model identifiers; values bound)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    assert row is not None
    fields = [field.attname for field in Offer._meta.concrete_fields]
    stored = []
    for offer, offer_id in zip(offers, row[1:], strict=True):
        offer.pk, offer.decision_id = offer_id, row[0]
        stored.append(Offer.from_db(DEFAULT_DB_ALIAS, fields,
                                    [getattr(offer, name) for name in fields]))
        push_to_expert_on_commit(offer.expert_id, "offer.created", offer_id=offer_id)
    return stored


def _offer_to_best_candidates(
    inquiry: Inquiry, now: datetime, *, log_empty: bool, holds_no_seat: bool = False,
    covered: _Covered | None = None,
) -> list[Offer]:
    """Offers a queued inquiry to the best eligible expert, or to the best few at once when it
    is close to breaching its target. Caller holds the inquiry lock. Each offer takes a unit of
    the expert's seat capacity atomically, so two workers never fill the same last place.
    `holds_no_seat`: this transaction has changed no seat yet, so its first take may wait for
    the seat's lock (see `seats.seat_take` for the deadlock rule). `covered`: a new inquiry's
    coverage, still to be written (`_decide_coverage`)."""
    decision = _decide(inquiry, now)
    if decision.chosen_expert_id is None:
        _write_covered(inquiry, now, covered)
        if log_empty:
            RoutingDecisionLog.objects.create(
                inquiry=inquiry, chosen_expert=None, detail=decision.as_log(), decided_at=now
            )
            inquiries_services.inquiry_record_event(
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
    taken: list[int] = []
    for score in decision.ranked:
        if len(taken) == width:
            break
        # A take that matched no row holds no lock: only the first successful take counts.
        if seats.seat_take(expert_id=score.expert_id, channel=inquiry.channel,
                           wait=holds_no_seat and not taken):
            taken.append(score.expert_id)
    if not taken:
        _write_covered(inquiry, now, covered)
        return []
    # The seats first, then everything else in one statement.
    return _offers_record(inquiry, now, decision, taken, policy.offer_expires_at(now), covered)


def inquiry_route(*, inquiry_id: int, now: datetime, log_empty: bool = True) -> RouteOutcome:
    """Decides coverage for a new inquiry and offers a covered one to the best eligible expert.
    Safe to run any number of times: an inquiry that is not waiting is left as it is."""
    with transaction.atomic():
        try:
            inquiry, business_hours = _lock_for_routing(inquiry_id)
        except NotFound:
            logger.warning("routing skipped unknown inquiry %s", inquiry_id)
            return RouteOutcome(inquiry_id, "missing")
        covered = None
        if inquiry.status == InquiryStatus.RECEIVED:
            covered = _decide_coverage(inquiry, now, business_hours)
        if inquiry.status == InquiryStatus.OFFERED:
            if Offer.objects.filter(inquiry=inquiry, status=OfferStatus.PENDING).exists():
                return RouteOutcome(inquiry_id, inquiry.status)
            inquiries_services.inquiry_change_status(
                inquiry=inquiry, status=InquiryStatus.QUEUED, kind="requeued", now=now,
                description="Offer no longer live; back in the queue.",
            )
        if inquiry.status != InquiryStatus.QUEUED:
            return RouteOutcome(inquiry_id, inquiry.status)
        offers = _offer_to_best_candidates(inquiry, now, log_empty=log_empty,
                                           holds_no_seat=True, covered=covered)
        return RouteOutcome(inquiry_id, inquiry.status, offers[0].pk if offers else None)


def _lock_offer_for_expert(*, offer_id: int, expert: ExpertProfile) -> tuple[Inquiry, Offer]:
    inquiry_id = (
        Offer.objects.filter(pk=offer_id, expert=expert).values_list("inquiry_id", flat=True)
        .first()
    )
    if inquiry_id is None:
        raise NotFound("Offer not found.")
    inquiry = inquiries_services.inquiry_lock(inquiry_id=inquiry_id)
    offer = Offer.objects.select_for_update().get(pk=offer_id)
    return inquiry, offer


def offer_accept(*, offer_id: int, expert: ExpertProfile, now: datetime) -> Assignment:
    """Gives the inquiry to the expert. The assignment keeps the premium tier of the shift they
    are working now (from their seat), which is what billing prices the ticket at when the
    inquiry resolves, however late that is."""
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
            inquiry=inquiry, expert=expert, offer=offer, created_at=now,
            premium_tier=seats_selectors.seat_premium_tier(
                expert_id=expert.pk, queue_id=inquiry.queue_id),
        )
        inquiries_services.inquiry_change_status(
            inquiry=inquiry, status=InquiryStatus.ASSIGNED, kind="accepted", now=now,
            actor=expert.user, description=f"Accepted by {expert.display_name}.",
            data={"offer_id": offer.pk, "expert_id": expert.pk},
        )
        push_to_expert_on_commit(expert.pk, "offer.closed", offer_id=offer.pk,
                                 reason=OfferClosedReason.ACCEPTED.value)
        push_to_expert_on_commit(expert.pk, "assignments.changed")
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
    push_to_expert_on_commit(offer.expert_id, "offer.closed", offer_id=offer.pk,
                             reason=CLOSED_BY_KIND[kind].value, detail=description)
    data = {"offer_id": offer.pk, "expert_id": offer.expert_id}
    if Offer.objects.filter(inquiry=inquiry, status=OfferStatus.PENDING).exists():
        inquiries_services.inquiry_record_event(
            inquiry=inquiry, kind=kind, description=description, now=now, actor=actor,
            data=data,
        )
        return True
    inquiries_services.inquiry_change_status(
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
        inquiry = inquiries_services.inquiry_lock(inquiry_id=inquiry_id)
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


def expert_pull_waiting_work(*, expert_id: int, now: datetime) -> int:
    """When an expert frees capacity (checks in, resolves), the most urgent waiting inquiries of
    their queues are offered at once, earliest first-response deadline first."""
    queue_ids = seats_selectors.seat_queue_ids(expert_id=expert_id)
    if not queue_ids:
        return 0
    offered = 0
    for inquiry_id in offers_selectors.inquiry_ids_waiting_in_queues(queue_ids=queue_ids,
                                                              limit=SWEEP_BATCH):
        outcome = inquiry_route(inquiry_id=inquiry_id, now=now, log_empty=False)
        if outcome.offer_id is None:
            break
        offered += 1
    return offered


def _withdraw_pending_offers(inquiry: Inquiry, now: datetime,
                             reason: str = "taken", detail: str = "") -> None:
    """Caller holds the inquiry lock. Seats are released in expert order, so two transactions
    releasing the same seats never wait for each other in a cycle. `reason` (an
    `OfferClosedReason`) and `detail` tell each expert why their offer went: by default another
    expert accepted the inquiry first."""
    for offer in Offer.objects.select_for_update().filter(
            inquiry=inquiry, status=OfferStatus.PENDING).order_by("expert_id"):
        offer.status = OfferStatus.WITHDRAWN
        offer.responded_at = now
        offer.save(update_fields=["status", "responded_at"])
        seats.seat_release(expert_id=offer.expert_id, channel=inquiry.channel)
        push_to_expert_on_commit(offer.expert_id, "offer.closed", offer_id=offer.pk,
                                 reason=str(reason), detail=detail)


def offer_withdraw(*, offer_id: int, reason: str, now: datetime) -> bool:
    """Withdraws a pending offer (its expert can no longer take it) and routes on."""
    with transaction.atomic():
        inquiry_id = Offer.objects.filter(pk=offer_id).values_list("inquiry_id", flat=True).first()
        if inquiry_id is None:
            return False
        inquiry = inquiries_services.inquiry_lock(inquiry_id=inquiry_id)
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

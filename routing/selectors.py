"""Reads for routing: expert load, offers and assignments, the decision log."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import (
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
)

from experts.models import ExpertProfile
from marketplace import rows
from marketplace.models import BusinessHoursSpan, Inquiry, InquiryStatus
from routing.engine import Candidate, WeeklySpan
from routing.models import (
    Assignment,
    AssignmentStatus,
    ExpertSeat,
    Offer,
    OfferStatus,
    RoutingDecisionLog,
)
from routing.seats import CAPACITY_FIELDS, LOAD_FIELDS


def _seat_candidate(seat: ExpertSeat, channel: str) -> Candidate:
    return Candidate(
        expert_id=seat.expert_id, approved=True, certified=True, on_shift=True,
        checked_in=True, languages=frozenset(seat.languages), skills=frozenset(seat.skills),
        active_load=getattr(seat, LOAD_FIELDS[channel]),
        capacity=getattr(seat, CAPACITY_FIELDS[channel]),
        idle_since=seat.idle_since, quality_score=seat.quality_score,
    )


def _open_seats(*, queue_id: int, channel: str, now: datetime) -> QuerySet[ExpertSeat]:
    load = LOAD_FIELDS[channel]
    return (
        ExpertSeat.objects.filter(queue_id=queue_id, available=True, shift_ends_at__gt=now)
        .order_by(load, "idle_since", "expert_id")
    )


def seat_shortlist(
    *, queue_id: int, channel: str, language: str, excluded_expert_ids: Iterable[int],
    now: datetime, limit: int, skills: Iterable[str] = (),
) -> list[Candidate]:
    """The best eligible seats in ranking order, read through the per-channel rank index: one
    query whatever the number of experts on shift. The database orders by load and idle time
    (the index); the engine then ranks the shortlist by the whole policy."""
    load, capacity = LOAD_FIELDS[channel], CAPACITY_FIELDS[channel]
    seats = _open_seats(queue_id=queue_id, channel=channel, now=now).filter(
        **{f"{load}__lt": F(capacity)}, languages__contains=[language],
        skills__contains=list(skills),
    ).exclude(expert_id__in=list(excluded_expert_ids))
    return [_seat_candidate(seat, channel) for seat in seats[:limit]]


def seat_neighbours(*, queue_id: int, channel: str, now: datetime,
                    limit: int) -> list[Candidate]:
    """The queue's seats nearest the top of the ranking, eligible or not, so a decision can
    explain why the experts it passed over were left out."""
    seats = _open_seats(queue_id=queue_id, channel=channel, now=now)
    return [_seat_candidate(seat, channel) for seat in seats[:limit]]


def seat_queue_ids(*, expert_id: int) -> list[int]:
    return list(ExpertSeat.objects.filter(expert_id=expert_id, available=True)
                .values_list("queue_id", flat=True))


def seat_for_expert(*, expert_id: int) -> ExpertSeat | None:
    return ExpertSeat.objects.filter(expert_id=expert_id).first()


def expert_ids_passed_on_inquiry(*, inquiry_id: int) -> frozenset[int]:
    """Experts who declined this inquiry, let its offer expire or were taken off it for not
    replying: not offered it again."""
    return frozenset(
        Offer.objects.filter(inquiry_id=inquiry_id).filter(
            Q(status__in=[OfferStatus.DECLINED, OfferStatus.EXPIRED])
            | Q(assignment__status=AssignmentStatus.RELEASED)
        ).values_list("expert_id", flat=True)
    )


def assignment_ids_chat_silent_past_queue_timeout(*, now: datetime, limit: int) -> list[int]:
    """Active chat assignments still without a first reply once their queue's chat reply
    timeout has passed since acceptance."""
    reply_due = ExpressionWrapper(
        F("created_at") + ExpressionWrapper(
            F("inquiry__queue__chat_reply_timeout_seconds") * Value(timedelta(seconds=1)),
            output_field=DurationField()),
        output_field=DateTimeField())
    return list(
        Assignment.objects.filter(
            status=AssignmentStatus.ACTIVE, inquiry__channel="chat",
            inquiry__first_replied_at__isnull=True,
        ).annotate(reply_due=reply_due).filter(reply_due__lte=now)
        .order_by("created_at").values_list("id", flat=True)[:limit]
    )


def offer_list_pending_for_expert(*, expert: ExpertProfile) -> QuerySet[Offer]:
    return (
        Offer.objects.filter(expert=expert, status=OfferStatus.PENDING)
        .select_related("inquiry__customer", "inquiry__brand", "decision")
        .order_by("expires_at")
    )


def offer_get_for_expert(*, offer_id: int, expert_id: int) -> Offer | None:
    return (
        Offer.objects.filter(pk=offer_id, expert_id=expert_id)
        .select_related("inquiry__customer", "inquiry__brand", "decision")
        .first()
    )


def assignment_list_active_for_expert(*, expert: ExpertProfile) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(expert=expert, status=AssignmentStatus.ACTIVE)
        .select_related("inquiry__customer", "inquiry__brand")
        .order_by("inquiry__first_response_due_at")
    )


def assignment_for_expert(*, inquiry_id: int, expert: ExpertProfile) -> Assignment | None:
    """The expert's assignment on this inquiry, active or finished (latest first)."""
    return (
        Assignment.objects.filter(inquiry_id=inquiry_id, expert=expert)
        .select_related("inquiry__customer", "inquiry__brand", "inquiry__queue")
        .order_by("-created_at")
        .first()
    )


def offer_ids_due_to_expire(*, now: datetime, limit: int) -> list[int]:
    """Pending offers past their deadline, oldest first, read through the partial index on
    `expires_at`."""
    return list(
        Offer.objects.filter(status=OfferStatus.PENDING, expires_at__lte=now)
        .order_by("expires_at")
        .values_list("id", flat=True)[:limit]
    )


def inquiry_ids_needing_routing(*, now: datetime, received_grace: timedelta, limit: int
                                ) -> list[int]:
    """Inquiries that should be moving and are not: queued ones, received ones whose routing
    task never ran, and offered ones whose pending offer is gone. Most urgent first."""
    live_offer = Offer.objects.filter(inquiry_id=OuterRef("pk"), status=OfferStatus.PENDING)
    stuck = Inquiry.objects.filter(
        Q(status=InquiryStatus.QUEUED)
        | Q(status=InquiryStatus.RECEIVED, received_at__lte=now - received_grace)
        | Q(status=InquiryStatus.OFFERED) & ~Exists(live_offer)
    )
    return list(stuck.order_by("first_response_due_at").values_list("id", flat=True)[:limit])


def inquiry_ids_waiting_in_queues(*, queue_ids: Iterable[int], limit: int) -> list[int]:
    return list(
        Inquiry.objects.filter(queue_id__in=list(queue_ids), status=InquiryStatus.QUEUED)
        .order_by("first_response_due_at")
        .values_list("id", flat=True)[:limit]
    )


def decision_list_for_inquiry(*, inquiry_id: int) -> QuerySet[RoutingDecisionLog]:
    return RoutingDecisionLog.objects.filter(inquiry_id=inquiry_id).select_related(
        "chosen_expert"
    )


UNASSIGNED = (InquiryStatus.QUEUED, InquiryStatus.OFFERED)


def queue_ids_with_unassigned_work() -> list[int]:
    return list(
        Inquiry.objects.filter(status__in=UNASSIGNED)
        .order_by().values_list("queue_id", flat=True).distinct()
    )


def inquiry_ids_unassigned_in_queue(*, queue_id: int, limit: int) -> list[int]:
    return list(
        Inquiry.objects.filter(queue_id=queue_id, status__in=UNASSIGNED)
        .order_by("first_response_due_at").values_list("id", flat=True)[:limit]
    )


def inquiry_ids_unassigned_past_target(*, now: datetime, limit: int) -> list[int]:
    return list(
        Inquiry.objects.filter(status__in=UNASSIGNED, first_response_due_at__lte=now)
        .order_by("first_response_due_at").values_list("id", flat=True)[:limit]
    )


def inquiry_ids_at_risk(*, now: datetime, limit: int) -> list[int]:
    """Unassigned inquiries past half their first-response target, not yet flagged."""
    rows = (
        Inquiry.objects.filter(status__in=UNASSIGNED, at_risk_at__isnull=True,
                               first_response_due_at__gt=now)
        .order_by("first_response_due_at")
        .values_list("id", "received_at", "first_response_due_at")[:limit]
    )
    return [
        inquiry_id for inquiry_id, received_at, due_at in rows
        if now >= received_at + (due_at - received_at) / 2
    ]


def offer_ids_pending_for_expert(*, expert_id: int) -> list[int]:
    return list(Offer.objects.filter(expert_id=expert_id, status=OfferStatus.PENDING)
                .values_list("id", flat=True))


def assignment_ids_active_for_expert(*, expert_id: int) -> list[int]:
    return list(Assignment.objects.filter(expert_id=expert_id, status=AssignmentStatus.ACTIVE)
                .values_list("id", flat=True))


def seat_expert_ids_shift_ended(*, now: datetime) -> list[int]:
    return list(ExpertSeat.objects.filter(shift_ends_at__lte=now)
                .values_list("expert_id", flat=True))


def offer_answer_counts(*, expert_id: int, since: datetime) -> tuple[int, int]:
    """(accepted, answered) offers made to the expert since `since`: answered means accepted,
    declined or left to expire; withdrawn and still-pending offers are not the expert's doing."""
    answered = Offer.objects.filter(
        expert_id=expert_id, created_at__gte=since,
        status__in=[OfferStatus.ACCEPTED, OfferStatus.DECLINED, OfferStatus.EXPIRED],
    )
    return answered.filter(status=OfferStatus.ACCEPTED).count(), answered.count()


def expert_ids_with_offers_since(*, since: datetime) -> list[int]:
    return list(Offer.objects.filter(created_at__gte=since).order_by()
                .values_list("expert_id", flat=True).distinct())


def resolving_expert_id(*, inquiry_id: int) -> int | None:
    """The expert who resolved the inquiry, if it was resolved by one."""
    return (Assignment.objects.filter(inquiry_id=inquiry_id, status=AssignmentStatus.RESOLVED)
            .values_list("expert_id", flat=True).first())


HANDLING_SAMPLE_SIZE = 50


@dataclass(frozen=True)
class PromiseInputs:
    waiting_ahead: int
    """Unassigned inquiries of the channel that routing serves first (earliest deadline
    first)."""
    seats: tuple[tuple[int, int], ...]
    """(load, capacity) on the channel of every expert checked in on the queue now who speaks
    the language: the people a promise may count on."""
    handling_times: tuple[timedelta, ...]
    """Acceptance to first reply over the queue's latest resolved assignments on the
    channel."""
    business_hours: tuple[WeeklySpan, ...]
    """The queue's weekly opening hours, in order."""


def promise_inputs(*, queue_id: int, channel: str, language: str, now: datetime,
                   due_at: datetime) -> PromiseInputs:
    """What the queue looks like to a new inquiry due at `due_at`, with its business hours, in
    one statement: it runs on the intake path of every inquiry (marketplace/rows.py says why
    by hand)."""
    load, capacity = LOAD_FIELDS[channel], CAPACITY_FIELDS[channel]
    sql = f"""
        SELECT
          (SELECT count(*) FROM {rows.table(Inquiry)} i
            WHERE i.queue_id = %(queue)s AND i.channel = %(channel)s
              AND i.first_response_due_at <= %(due_at)s AND i.status = ANY(%(waiting)s)),
          ARRAY(SELECT ARRAY[s.{load}, s.{capacity}] FROM {rows.table(ExpertSeat)} s
            WHERE s.queue_id = %(queue)s AND s.available AND s.shift_ends_at > %(now)s
              AND %(language)s = ANY(s.languages)),
          ARRAY(SELECT GREATEST(interval '0', i.first_replied_at - a.created_at)
            FROM {rows.table(Assignment)} a JOIN {rows.table(Inquiry)} i ON i.id = a.inquiry_id
            WHERE a.status = %(resolved)s AND i.queue_id = %(queue)s
              AND i.channel = %(channel)s AND i.first_replied_at IS NOT NULL
            ORDER BY a.ended_at DESC LIMIT %(sample)s),
          ARRAY(SELECT ARRAY[h.weekday::text, h.opens_at::text, h.closes_at::text]
            FROM {rows.table(BusinessHoursSpan)} h WHERE h.queue_id = %(queue)s
            ORDER BY h.weekday, h.opens_at)
    """  # noqa: S608 (model identifiers; values bound)
    with rows.cursor() as cursor:
        cursor.execute(sql, {
            "queue": queue_id, "channel": channel, "due_at": due_at, "now": now,
            "language": language, "resolved": AssignmentStatus.RESOLVED.value,
            "waiting": [InquiryStatus.RECEIVED.value, *(status.value for status in UNASSIGNED)],
            "sample": HANDLING_SAMPLE_SIZE,
        })
        waiting_ahead, seats, handling_times, spans = cursor.fetchone()
    return PromiseInputs(
        waiting_ahead=waiting_ahead,
        seats=tuple((seat_load, seat_capacity) for seat_load, seat_capacity in seats),
        handling_times=tuple(handling_times),
        business_hours=tuple(
            WeeklySpan(weekday=int(weekday), opens=time.fromisoformat(opens),
                       closes=time.fromisoformat(closes))
            for weekday, opens, closes in spans),
    )


def expert_id_assigned_to_inquiry(*, inquiry_id: int) -> int | None:
    return (Assignment.objects.filter(inquiry_id=inquiry_id, status=AssignmentStatus.ACTIVE)
            .values_list("expert_id", flat=True).first())

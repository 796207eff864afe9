"""Reads for offers: who was passed over, pending offers, the work waiting and the decision log."""


from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db.models import (
    Exists,
    OuterRef,
    Q,
    QuerySet,
)

from experts.profiles.models import ExpertProfile
from marketplace.inquiries.models import Inquiry, InquiryStatus
from routing.models import (
    AssignmentStatus,
    Offer,
    OfferStatus,
    RoutingDecisionLog,
)


def expert_ids_passed_on_inquiry(*, inquiry_id: int) -> frozenset[int]:
    """Experts who declined this inquiry, let its offer expire or were taken off it for not
    replying: not offered it again."""
    return frozenset(
        Offer.objects.filter(inquiry_id=inquiry_id).filter(
            Q(status__in=[OfferStatus.DECLINED, OfferStatus.EXPIRED])
            | Q(assignment__status=AssignmentStatus.RELEASED)
        ).values_list("expert_id", flat=True)
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

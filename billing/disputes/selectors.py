"""Dispute reads for the brand, the expert and ops."""

from django.db.models import Prefetch, QuerySet

from billing.disputes.models import AppealStatus, Dispute, DisputeEvent, DisputeStatus


def _with_trail(disputes: QuerySet[Dispute]) -> QuerySet[Dispute]:
    return disputes.select_related("credit_note").prefetch_related(
        Prefetch("events", queryset=DisputeEvent.objects.order_by("created_at", "id")))


def dispute_list_for_brand(*, brand_id: int, limit: int = 100) -> QuerySet[Dispute]:
    return _with_trail(Dispute.objects.filter(brand_id=brand_id))[:limit]


def dispute_list_for_expert(*, expert_id: int, limit: int = 50) -> QuerySet[Dispute]:
    """The expert's reversed tickets: only accepted disputes concern them."""
    return _with_trail(Dispute.objects.filter(expert_id=expert_id,
                                              status=DisputeStatus.ACCEPTED))[:limit]


def dispute_list_for_ops(*, limit: int = 200) -> QuerySet[Dispute]:
    """Open disputes and pending appeals first, then the rest, newest first."""
    needing_ops = Dispute.objects.filter(status=DisputeStatus.OPEN) | Dispute.objects.filter(
        appeal_status=AppealStatus.PENDING)
    return _with_trail(needing_ops.order_by("opened_at", "id"))[:limit]


def dispute_list_decided(*, limit: int = 50) -> QuerySet[Dispute]:
    return _with_trail(Dispute.objects.exclude(status=DisputeStatus.OPEN).exclude(
        appeal_status=AppealStatus.PENDING).order_by("-decided_at", "-id"))[:limit]


def disputed_inquiry_ids(*, brand_id: int) -> set[int]:
    return set(Dispute.objects.filter(brand_id=brand_id).values_list("inquiry_id", flat=True))


def expert_ids_with_open_disputes() -> frozenset[int]:
    """Experts with an open dispute on one of their tickets: the weekly payout holds them."""
    expert_ids = (Dispute.objects.filter(status=DisputeStatus.OPEN, expert_id__isnull=False)
                  .values_list("expert_id", flat=True))
    return frozenset(expert_id for expert_id in expert_ids if expert_id is not None)

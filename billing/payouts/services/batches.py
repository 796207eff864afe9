"""Drafting and approving a payout week's batch.

Drafting after the cut-off computes, per expert and currency, what the platform owed them at the
cut-off (their payable's balance: the week's tickets, premiums, bonuses and adjustments plus
whatever was carried, held or returned before). Each becomes one payout: held (the expert is
suspended, has an open dispute or no usable payout details), carried (below the minimum, or
nothing owed on balance) or pending (to send). A held or carried amount stays in the payable,
so next week's balance includes it; no money moves until execution.
"""

from collections.abc import Mapping, Set
from datetime import datetime

from django.db import IntegrityError, transaction

from billing.disputes import selectors as disputes_selectors
from billing.payouts.models import (
    BatchStatus,
    Payout,
    PayoutBatch,
    PayoutDetails,
    PayoutStatus,
)
from billing.payouts.selectors import (
    Owed,
    payable_owed_before,
    payout_details_for,
    payout_holds_collect,
    payout_minimum,
)
from billing.weeks import PayoutWeek, payout_week_last_closed
from marketplace.infra.errors import Conflict, RuleViolation

NO_DETAILS = "No payout details"
OPEN_DISPUTE = "Open dispute on a ticket"
NOTHING_OWED = "Nothing owed on balance"
BELOW_MINIMUM = "Below the minimum payout; carried to next week"


def payout_batch_draft(
    *,
    now: datetime,
    holds: Mapping[int, str],
    disputed_expert_ids: Set[int],
    week: PayoutWeek | None = None,
) -> tuple[PayoutBatch, bool]:
    """Drafts the batch of the latest closed week (or `week`), once: a second call returns the
    batch already drafted (`created` False). `holds` maps expert ids to why they are held (from
    `billing.payouts.holds`), `disputed_expert_ids` are experts with an open dispute on one of
    their tickets. What was owed is counted as of the cut-off, less earlier batches' payouts
    `payable_owed_before`)."""
    week = week or payout_week_last_closed(now)
    if week.period_end > now:
        raise RuleViolation(f"The week of {week.start} is not closed until its cut-off.")
    existing = PayoutBatch.objects.filter(week_start=week.start).first()
    if existing is not None:
        return existing, False
    owed = payable_owed_before(week.period_end)
    details = payout_details_for(expert_ids={expert_id for expert_id, _ in owed})
    try:
        with transaction.atomic():
            batch = PayoutBatch.objects.create(
                week_start=week.start, period_start=week.period_start,
                period_end=week.period_end, drafted_at=now,
            )
            brought_forward = payable_owed_before(week.period_start)
            Payout.objects.bulk_create(
                _payout(batch, item, holds, disputed_expert_ids, details.get(item.expert_id),
                        brought_forward, now)
                for item in owed.values() if item.amount_minor != 0
            )
    except IntegrityError:
        return PayoutBatch.objects.get(week_start=week.start), False
    return batch, True


def _payout(batch: PayoutBatch, item: Owed, holds: Mapping[int, str], disputed: Set[int],
            details: PayoutDetails | None, brought_forward: Mapping[tuple[int, str], Owed],
            now: datetime) -> Payout:
    reasons = []
    if item.expert_id in holds:
        reasons.append(holds[item.expert_id])
    if item.expert_id in disputed:
        reasons.append(OPEN_DISPUTE)
    if details is None or not details.payable:
        reasons.append(NO_DETAILS)
    if item.amount_minor <= 0:
        status, reason = PayoutStatus.CARRIED, NOTHING_OWED
    elif reasons:
        status, reason = PayoutStatus.HELD, "; ".join(reasons)
    elif item.amount_minor < payout_minimum(item.currency).minor:
        status, reason = PayoutStatus.CARRIED, BELOW_MINIMUM
    else:
        status, reason = PayoutStatus.PENDING, ""
    before = brought_forward.get((item.expert_id, item.currency))
    return Payout(
        batch=batch, expert_id=item.expert_id, expert_name=item.expert_name,
        currency=item.currency, amount_minor=item.amount_minor,
        brought_forward_minor=before.amount_minor if before else 0, status=status,
        method=details.method if details is not None else "", hold_reason=reason,
        updated_at=now,
    )


def payout_batch_draft_last_week(*, now: datetime) -> tuple[PayoutBatch, bool]:
    """Drafts the latest closed week's batch with every hold as it stands now: the hold
    sources' experts (suspended, `PAYOUT_HOLD_SOURCES`) and experts with an open dispute. What
    beat and the ops button both do."""
    disputed = disputes_selectors.expert_ids_with_open_disputes()
    return payout_batch_draft(now=now, holds=payout_holds_collect(now=now),
                              disputed_expert_ids=disputed)


def payout_batch_approve(*, batch_id: int, approved_by_id: int, now: datetime) -> PayoutBatch:
    with transaction.atomic():
        batch = PayoutBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status != BatchStatus.DRAFT:
            raise Conflict(f"The batch is {batch.get_status_display().lower()}, not a draft.")
        batch.status = BatchStatus.APPROVED
        batch.approved_at = now
        batch.approved_by_id = approved_by_id
        batch.save(update_fields=["status", "approved_at", "approved_by_id"])
    return batch

"""Executing an approved batch: each pending payout is sent once, by its own Celery task.

`payout_send` locks the payout's row (SELECT ... FOR UPDATE) for the whole send, so two runs
(a resumed batch beside a redelivered task, two ops pressing Execute) queue behind each other
and the second finds it no longer pending. A crash before the commit rolls the row and its
ledger posting back; the resumed run sends again with the same idempotency key (the payout's
id), and the provider returns the first transfer instead of making a second.
"""

from datetime import datetime

from django.db import transaction

from billing.payouts import providers
from billing.payouts.models import (
    BatchStatus,
    Payout,
    PayoutBatch,
    PayoutDetails,
    PayoutMethod,
    PayoutStatus,
)
from billing.payouts.services.ledger import (
    payout_post_created,
    payout_post_failed,
    payout_post_paid,
    payout_post_partly_reversed,
    payout_reversed_minor,
)
from marketplace.infra.errors import Conflict
from marketplace.infra.push import ops_payout_batch_group, push_to_group_on_commit
from marketplace.infra.tasking import enqueue_on_commit

SEND_TASK = "billing.payouts.send_payout"


def payout_lock(*, payout_id: int) -> Payout:
    """The payout, its row locked until the caller's transaction ends."""
    return Payout.objects.select_for_update().select_related("batch").get(pk=payout_id)


def payout_batch_execute(*, batch_id: int, now: datetime) -> int:
    """Starts (or resumes) sending an approved batch: one task per payout still pending, sent
    after commit. Returns how many were queued. Safe to call again at any time."""
    with transaction.atomic():
        batch = PayoutBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status not in (BatchStatus.APPROVED, BatchStatus.EXECUTING):
            raise Conflict("Approve the batch before executing it.")
        if batch.status == BatchStatus.APPROVED:
            batch.status = BatchStatus.EXECUTING
            batch.save(update_fields=["status"])
        pending = list(batch.payouts.filter(status=PayoutStatus.PENDING)
                       .order_by("pk").values_list("pk", flat=True))
        if not pending:
            _batch_finish(batch_id=batch.pk, now=now)
        for payout_id in pending:
            enqueue_on_commit(SEND_TASK, payout_id)
    return len(pending)


def payouts_resume_executing(*, now: datetime) -> int:
    """The sweep after a crash: queues again every pending payout of a batch being executed."""
    count = 0
    for batch_id in PayoutBatch.objects.filter(status=BatchStatus.EXECUTING).values_list(
            "pk", flat=True):
        count += payout_batch_execute(batch_id=batch_id, now=now)
    return count


def payout_send(*, payout_id: int, now: datetime) -> Payout:
    """Sends one pending payout through its method, exactly once; a payout no longer pending is
    returned unchanged. Posts `created`, then marks the payout sent (its money on its way) or,
    refused by the provider, failed with the money back in the payable. A transient provider
    error rolls everything back and propagates, for the task to retry."""
    with transaction.atomic():
        payout = payout_lock(payout_id=payout_id)
        if payout.status != PayoutStatus.PENDING:
            return payout
        details = PayoutDetails.objects.filter(expert_id=payout.expert_id).first()
        payout_post_created(payout=payout, now=now)
        if details is None or not details.payable:
            result = providers.SendResult(failure="No payout details")
        else:
            result = providers.provider_for(payout.method).send(payout, details)
        if result.failure:
            payout.status = PayoutStatus.FAILED
            payout.failure_reason = result.failure[:300]
            payout_post_failed(payout=payout, reason=result.failure, now=now)
        else:
            payout.status = PayoutStatus.SENT
            payout.provider_reference = result.reference
        payout.updated_at = now
        payout.save(update_fields=["status", "failure_reason", "provider_reference",
                                   "updated_at"])
        _batch_finish(batch_id=payout.batch_id, now=now)
        _push_progress(payout)
    return payout


def _push_progress(payout: Payout) -> None:
    """The ops pages watching the payout's batch redraw its progress bar, after commit."""
    push_to_group_on_commit(ops_payout_batch_group(payout.batch_id), "payout.progress",
                            batch_id=payout.batch_id)


def _batch_finish(*, batch_id: int, now: datetime) -> None:
    """An executing batch with nothing pending is executed (a conditional update, no lock)."""
    (PayoutBatch.objects.filter(pk=batch_id, status=BatchStatus.EXECUTING)
     .exclude(payouts__status=PayoutStatus.PENDING)
     .update(status=BatchStatus.EXECUTED, executed_at=now))


def payout_mark_paid(*, payout_id: int, now: datetime) -> Payout:
    """The money arrived (Stripe's webhook, or ops after the bank ran the file). Only a sent
    payout becomes paid; a second call changes nothing."""
    with transaction.atomic():
        payout = payout_lock(payout_id=payout_id)
        if payout.status != PayoutStatus.SENT:
            return payout
        payout_post_paid(payout=payout, now=now)
        payout.status = PayoutStatus.PAID
        payout.updated_at = now
        payout.save(update_fields=["status", "updated_at"])
        _push_progress(payout)
    return payout


def payout_mark_failed(*, payout_id: int, reason: str, now: datetime) -> Payout:
    """The money did not arrive, or came back: the payout's postings are reversed so the expert
    is owed it again, and it joins their next payout (after a partial reversal, only what had
    not come back yet)."""
    with transaction.atomic():
        payout = payout_lock(payout_id=payout_id)
        if payout.status not in (PayoutStatus.SENT, PayoutStatus.PAID):
            return payout
        if payout_reversed_minor(payout=payout):
            return _reversed_to(payout, payout.amount_minor, reason=reason, now=now)
        payout_post_failed(payout=payout, reason=reason, now=now)
        payout.status = PayoutStatus.FAILED
        payout.failure_reason = reason[:300]
        payout.updated_at = now
        payout.save(update_fields=["status", "failure_reason", "updated_at"])
        _push_progress(payout)
    return payout


def payout_record_reversal(*, payout_id: int, amount_reversed_minor: int,
                           now: datetime) -> Payout:
    """Stripe reversed `amount_reversed_minor` of the payout's transfer in all (a transfer's
    `amount_reversed`, which only grows): what was not yet returned goes back to the expert's
    payable, and the payout fails once all of it came back. A repeated or older event changes
    nothing."""
    reason = "Stripe reversed the transfer"
    with transaction.atomic():
        payout = payout_lock(payout_id=payout_id)
        if payout.status not in (PayoutStatus.SENT, PayoutStatus.PAID):
            return payout
        total = min(amount_reversed_minor, payout.amount_minor)
        if total >= payout.amount_minor and not payout_reversed_minor(payout=payout):
            return payout_mark_failed(payout_id=payout.pk, reason=reason, now=now)
        return _reversed_to(payout, total, reason=reason, now=now)


def _reversed_to(payout: Payout, total: int, *, reason: str, now: datetime) -> Payout:
    """Caller holds the payout's lock. A transfer reversed in part had arrived, so a sent
    payout is paid first; then the part not yet returned comes back."""
    returned = payout_reversed_minor(payout=payout)
    if total <= returned:
        return payout
    if payout.status == PayoutStatus.SENT:
        payout_post_paid(payout=payout, now=now)
        payout.status = PayoutStatus.PAID
    payout_post_partly_reversed(payout=payout, reversed_total_minor=total,
                                amount_minor=total - returned, now=now)
    if total >= payout.amount_minor:
        payout.status = PayoutStatus.FAILED
        payout.failure_reason = reason[:300]
    else:
        payout.failure_reason = (f"{reason}: {total} of {payout.amount_minor} "
                                 f"{payout.currency} minor units came back")[:300]
    payout.updated_at = now
    payout.save(update_fields=["status", "failure_reason", "updated_at"])
    _push_progress(payout)
    return payout


def payout_batch_mark_bank_paid(*, batch_id: int, now: datetime) -> int:
    """Ops uploaded the batch's bank file and the bank ran it: every sent bank-file payout of
    the batch is paid. Returns how many."""
    payout_ids = list(Payout.objects.filter(batch_id=batch_id, method=PayoutMethod.BANK_FILE,
                                            status=PayoutStatus.SENT)
                      .order_by("pk").values_list("pk", flat=True))
    for payout_id in payout_ids:
        payout_mark_paid(payout_id=payout_id, now=now)
    return len(payout_ids)

"""Payout background work, on the default (slow) queue. Each task takes ids and calls one
service; every one is safe to run twice."""

from celery import Task, shared_task
from django.db import OperationalError
from django.utils import timezone

from billing.payouts.providers import TransientProviderError
from billing.payouts.services import batches, execution

MAX_SEND_RETRIES = 5


@shared_task(name="billing.payouts.draft_last_week")
def draft_last_week() -> int | None:
    """Beat, hourly: drafts the latest closed week's batch once its cut-off has passed (a second
    run finds it drafted). Returns the batch id."""
    batch, _ = batches.payout_batch_draft_last_week(now=timezone.now())
    return batch.pk


@shared_task(name="billing.payouts.send_payout", bind=True, max_retries=MAX_SEND_RETRIES)
def send_payout(task: Task, payout_id: int) -> None:
    try:
        execution.payout_send(payout_id=payout_id, now=timezone.now())
    except TransientProviderError as error:
        raise task.retry(exc=error, countdown=30 * 2**task.request.retries) from error
    except OperationalError as error:
        raise task.retry(exc=error, countdown=5 * 2**task.request.retries) from error


@shared_task(name="billing.payouts.resume_executing")
def resume_executing() -> int:
    """Beat: after a crash or a lost task, pending payouts of a batch being executed are queued
    again; the lock and the idempotency key make a duplicate harmless."""
    return execution.payouts_resume_executing(now=timezone.now())

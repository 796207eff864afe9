"""A payout batch sent by real Celery worker processes (four children on the default queue):
the batch is executed, then executed again and swept while the first tasks still run, so
every payout is queued two or three times; each is still sent to Stripe once (the worker
processes record the SDK's requests through the fake HTTP client)."""

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from billing.ledger.models import LedgerTransaction, TransactionKind
from billing.payouts.models import BatchStatus, PayoutBatch, PayoutStatus
from billing.payouts.services import batches, execution
from tests.billing.payouts.conftest import AFTER_CUTOFF, IN_THE_WEEK, earn, stripe_details
from tests.billing.payouts.fake_stripe import REQUEST_LOG_VARIABLE, WEBHOOK_SECRET
from tests.live import WorkerProcess, platform_env, purge_queues, wait_for_sessions_to_end

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

EXPERTS = 30
RESUME_EVERY_SECONDS = 15
"""How often the test does what beat's `billing.payouts.resume_executing` does."""


@pytest.fixture
def payout_worker(django_db_setup: None, django_db_blocker: Any, tmp_path: Path
                  ) -> Iterator[tuple[WorkerProcess, Path]]:
    requests = tmp_path / "stripe-requests.jsonl"
    env = dict(platform_env(), STRIPE_SECRET_KEY="sk_test_shiftline",
               STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
               STRIPE_HTTP_CLIENT="tests.billing.payouts.fake_stripe.FakeStripeHttpClient",
               PAYOUT_TIME_ZONE="Europe/Dublin", **{REQUEST_LOG_VARIABLE: str(requests)})
    purge_queues(env)
    process = WorkerProcess(log=tmp_path / "worker.log", env=env, queues="default",
                            concurrency=4)
    try:
        process.start()
        yield process, requests
    finally:
        process.stop()
        with django_db_blocker.unblock():
            wait_for_sessions_to_end()


def test_a_batch_queued_three_times_over_pays_each_expert_once(
        payout_worker: tuple[WorkerProcess, Path], settings: Any) -> None:
    settings.STRIPE_SECRET_KEY = "sk_test_shiftline"
    _, requests = payout_worker
    for expert_id in range(1, EXPERTS + 1):
        stripe_details(expert_id)
        earn(expert_id=expert_id, inquiry_id=expert_id, at=IN_THE_WEEK, rate_minor=1500)
    batch, _ = batches.payout_batch_draft(now=AFTER_CUTOFF, holds={},
                                          disputed_expert_ids=frozenset())
    batches.payout_batch_approve(batch_id=batch.pk, approved_by_id=1, now=AFTER_CUTOFF)

    execution.payout_batch_execute(batch_id=batch.pk, now=timezone.now())
    execution.payout_batch_execute(batch_id=batch.pk, now=timezone.now())
    execution.payouts_resume_executing(now=timezone.now())
    deadline = time.monotonic() + 90
    resumed_at = time.monotonic()
    while time.monotonic() < deadline:
        if PayoutBatch.objects.get(pk=batch.pk).status == BatchStatus.EXECUTED:
            break
        if time.monotonic() - resumed_at > RESUME_EVERY_SECONDS:
            # As beat does in production: a send whose task sat unrun (seen once in CI, a task
            # reserved by a worker child that never started it) is queued yet again.
            execution.payouts_resume_executing(now=timezone.now())
            resumed_at = time.monotonic()
        time.sleep(0.2)

    keys = [request["idempotency_key"] for request in map(json.loads,
                                                          requests.read_text().splitlines())
            if request["method"] == "post"]
    assert PayoutBatch.objects.get(pk=batch.pk).status == BatchStatus.EXECUTED
    assert set(batch.payouts.values_list("status", flat=True)) == {PayoutStatus.SENT}
    assert sorted(keys) == sorted(f"payout-{pk}" for pk in batch.payouts.values_list("pk",
                                                                                     flat=True))
    assert LedgerTransaction.objects.filter(kind=TransactionKind.PAYOUT_CREATED).count() == \
        EXPERTS

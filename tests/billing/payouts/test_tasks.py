"""The payout tasks: beat drafts last week once its cut-off has passed, a send retries a
transient provider error, and beat's schedule names them."""

from typing import Any

import pytest
from celery.exceptions import Retry
from django.conf import settings

from billing.disputes import services as disputes_services
from billing.payouts import tasks
from billing.payouts.models import Payout, PayoutBatch, PayoutStatus
from billing.payouts.services import batches, execution
from experts.models import ExpertStatus
from tests import factories
from tests.billing.payouts.conftest import (
    AFTER_CUTOFF,
    BEFORE_THE_WEEK,
    IN_THE_WEEK,
    WEEK_START,
    bank_details,
    earn,
    stripe_details,
)
from tests.billing.payouts.fake_stripe import FakeStripeHttpClient

pytestmark = pytest.mark.django_db


def test_beat_drafts_last_week_once_with_suspended_experts_held(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("django.utils.timezone.now", lambda: AFTER_CUTOFF)
    suspended = factories.expert(now=BEFORE_THE_WEEK, status=ExpertStatus.SUSPENDED)
    bank_details(suspended.pk)
    earn(expert_id=suspended.pk, inquiry_id=1, at=IN_THE_WEEK, rate_minor=1500)

    first = tasks.draft_last_week.apply().get()
    second = tasks.draft_last_week.apply().get()

    batch = PayoutBatch.objects.get()
    assert first == second == batch.pk
    assert batch.week_start == WEEK_START
    assert batch.payouts.get().hold_reason == "Expert suspended"


def test_send_retries_when_stripe_is_down(
        captured_tasks: list[Any], stripe_fake: type[FakeStripeHttpClient]) -> None:
    stripe_details(1)
    earn(expert_id=1, inquiry_id=1, at=IN_THE_WEEK, rate_minor=1500)
    batch, _ = batches.payout_batch_draft(now=AFTER_CUTOFF, holds={},
                                          disputed_expert_ids=frozenset())
    batches.payout_batch_approve(batch_id=batch.pk, approved_by_id=1, now=AFTER_CUTOFF)
    execution.payout_batch_execute(batch_id=batch.pk, now=AFTER_CUTOFF)
    stripe_fake.answers["post /v1/transfers"] = (500, {"error": {"type": "api_error",
                                                            "message": "Down."}})

    with pytest.raises(Retry):
        tasks.send_payout.apply(args=(batch.payouts.get().pk,), throw=True).get()

    assert Payout.objects.get().status == PayoutStatus.PENDING


def test_beat_schedules_the_payout_tasks() -> None:
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert {"billing.payouts.draft_last_week", "billing.payouts.resume_executing"} <= scheduled


def test_beat_holds_an_expert_with_an_open_dispute_until_it_is_decided(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("django.utils.timezone.now", lambda: AFTER_CUTOFF)
    for expert_id in (1, 2):
        bank_details(expert_id)
        earn(expert_id=expert_id, inquiry_id=expert_id, at=IN_THE_WEEK, rate_minor=1500)
    disputes_services.dispute_open(brand_id=1, inquiry_id=2, reason="wrong_answer",
                                   note="The refund policy was misquoted.",
                                   actor="owner@northwind.example", now=IN_THE_WEEK)

    tasks.draft_last_week.apply().get()

    held = {payout.expert_id: payout.hold_reason for payout in Payout.objects.all()}
    assert held == {1: "", 2: batches.OPEN_DISPUTE}

"""Drafting a payout week's batch: per expert and currency what is owed at the cut-off, held,
carried below the minimum, or to send; once per week."""

from datetime import UTC, datetime

import pytest

from billing.payouts import selectors
from billing.payouts.models import BatchStatus, Payout, PayoutBatch, PayoutStatus
from billing.payouts.selectors import payout_holds_collect
from billing.payouts.services import batches, execution
from billing.weeks import payout_week_starting
from experts.models import ExpertStatus
from marketplace.infra.errors import Conflict, RuleViolation
from tests import factories
from tests.billing.payouts.conftest import (
    AFTER_CUTOFF,
    BEFORE_THE_WEEK,
    IN_THE_WEEK,
    NEXT_WEEK,
    WEEK_START,
    bank_details,
    earn,
)

pytestmark = pytest.mark.django_db


def draft(*, holds: dict[int, str] | None = None, disputed: frozenset[int] = frozenset(),
          now: datetime = AFTER_CUTOFF) -> PayoutBatch:
    batch, _ = batches.payout_batch_draft(now=now, holds=holds or {},
                                          disputed_expert_ids=disputed)
    return batch


def payouts_by_expert(batch: PayoutBatch) -> dict[tuple[int, str], Payout]:
    return {(p.expert_id, p.currency): p for p in batch.payouts.all()}


def test_batch_pays_what_each_expert_earned_in_the_week_per_currency() -> None:
    bank_details(1)
    bank_details(2)
    earn(expert_id=1, inquiry_id=10, at=IN_THE_WEEK, rate_minor=600)
    earn(expert_id=1, inquiry_id=11, at=IN_THE_WEEK, rate_minor=700)
    earn(expert_id=1, inquiry_id=12, at=IN_THE_WEEK, rate_minor=1200, currency="GBP")
    earn(expert_id=2, inquiry_id=13, at=IN_THE_WEEK, rate_minor=1500)
    earn(expert_id=2, inquiry_id=14, at=AFTER_CUTOFF, rate_minor=900)  # next week's

    batch = draft()

    payouts = payouts_by_expert(batch)
    assert batch.week_start == WEEK_START
    assert batch.status == BatchStatus.DRAFT
    assert {key: (p.amount_minor, p.status) for key, p in payouts.items()} == {
        (1, "EUR"): (1300, PayoutStatus.PENDING),
        (1, "GBP"): (1200, PayoutStatus.PENDING),
        (2, "EUR"): (1500, PayoutStatus.PENDING),
    }
    assert payouts[(1, "EUR")].expert_name == "Ada"


def test_below_the_minimum_is_carried_and_paid_with_next_week() -> None:
    bank_details(1)
    earn(expert_id=1, inquiry_id=10, at=IN_THE_WEEK, rate_minor=600)

    first = draft()
    earn(expert_id=1, inquiry_id=11, at=datetime(2026, 12, 2, tzinfo=UTC), rate_minor=600)
    second = draft(now=datetime(2026, 12, 7, 9, 0, tzinfo=UTC))

    assert payouts_by_expert(first)[(1, "EUR")].status == PayoutStatus.CARRIED
    assert payouts_by_expert(first)[(1, "EUR")].hold_reason == batches.BELOW_MINIMUM
    assert payouts_by_expert(second)[(1, "EUR")].amount_minor == 1200
    assert payouts_by_expert(second)[(1, "EUR")].brought_forward_minor == 600
    assert payouts_by_expert(second)[(1, "EUR")].status == PayoutStatus.PENDING


def test_minimum_is_a_setting(settings: object) -> None:
    settings.PAYOUT_MINIMUM_AMOUNT = "5.00"  # type: ignore[attr-defined]
    bank_details(1)
    earn(expert_id=1, inquiry_id=10, at=IN_THE_WEEK, rate_minor=600)

    assert payouts_by_expert(draft())[(1, "EUR")].status == PayoutStatus.PENDING


def test_holds_missing_details_disputes_and_given_reasons() -> None:
    bank_details(1)
    bank_details(3)
    for expert_id in (1, 2, 3, 4):
        earn(expert_id=expert_id, inquiry_id=100 + expert_id, at=IN_THE_WEEK, rate_minor=1500)

    batch = draft(holds={1: "Expert suspended"}, disputed=frozenset({3}))

    payouts = payouts_by_expert(batch)
    assert {key[0]: (p.status, p.hold_reason) for key, p in payouts.items()} == {
        1: (PayoutStatus.HELD, "Expert suspended"),
        2: (PayoutStatus.HELD, batches.NO_DETAILS),
        3: (PayoutStatus.HELD, batches.OPEN_DISPUTE),
        4: (PayoutStatus.HELD, batches.NO_DETAILS),
    }


def test_suspended_experts_are_held_through_the_experts_seam() -> None:
    suspended = factories.expert(now=BEFORE_THE_WEEK, status=ExpertStatus.SUSPENDED)
    approved = factories.expert(now=BEFORE_THE_WEEK)

    holds = payout_holds_collect(now=AFTER_CUTOFF)

    assert holds == {suspended.pk: "Expert suspended"}
    assert approved.pk not in holds


def test_held_money_is_paid_once_released() -> None:
    earn(expert_id=1, inquiry_id=10, at=IN_THE_WEEK, rate_minor=1500)
    held = draft(holds={1: "Expert suspended"})
    bank_details(1)

    following = draft(now=datetime(2026, 12, 7, 9, 0, tzinfo=UTC))

    assert payouts_by_expert(held)[(1, "EUR")].status == PayoutStatus.HELD
    assert payouts_by_expert(following)[(1, "EUR")].amount_minor == 1500
    assert payouts_by_expert(following)[(1, "EUR")].status == PayoutStatus.PENDING


def test_drafting_twice_gives_the_same_batch() -> None:
    bank_details(1)
    earn(expert_id=1, inquiry_id=10, at=IN_THE_WEEK, rate_minor=1500)

    first, created = batches.payout_batch_draft(now=AFTER_CUTOFF, holds={},
                                                disputed_expert_ids=frozenset())
    second, created_again = batches.payout_batch_draft(now=AFTER_CUTOFF, holds={},
                                                       disputed_expert_ids=frozenset())

    assert (created, created_again) == (True, False)
    assert first.pk == second.pk
    assert Payout.objects.count() == 1


def test_a_week_not_yet_closed_is_refused() -> None:
    with pytest.raises(RuleViolation):
        batches.payout_batch_draft(now=IN_THE_WEEK, holds={}, disputed_expert_ids=frozenset(),
                                   week=payout_week_starting(WEEK_START))

    assert PayoutBatch.objects.count() == 0


def test_paid_money_is_not_counted_again_even_if_executed_late(captured_tasks: object) -> None:
    bank_details(1)
    earn(expert_id=1, inquiry_id=10, at=IN_THE_WEEK, rate_minor=1500)
    first = draft()
    batches.payout_batch_approve(batch_id=first.pk, approved_by_id=1, now=AFTER_CUTOFF)
    earn(expert_id=1, inquiry_id=11, at=NEXT_WEEK, rate_minor=2000)

    second = draft(now=datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    execution.payout_batch_execute(batch_id=first.pk, now=datetime(2026, 12, 8, tzinfo=UTC))

    assert payouts_by_expert(second)[(1, "EUR")].amount_minor == 2000


def test_approve_only_a_draft() -> None:
    bank_details(1)
    earn(expert_id=1, inquiry_id=10, at=IN_THE_WEEK, rate_minor=1500)
    batch = draft()

    batches.payout_batch_approve(batch_id=batch.pk, approved_by_id=7, now=AFTER_CUTOFF)
    with pytest.raises(Conflict):
        batches.payout_batch_approve(batch_id=batch.pk, approved_by_id=8, now=AFTER_CUTOFF)

    batch.refresh_from_db()
    assert (batch.status, batch.approved_by_id) == (BatchStatus.APPROVED, 7)


def test_totals_per_currency() -> None:
    bank_details(1)
    earn(expert_id=1, inquiry_id=10, at=IN_THE_WEEK, rate_minor=1500)
    earn(expert_id=2, inquiry_id=11, at=IN_THE_WEEK, rate_minor=2500)
    earn(expert_id=3, inquiry_id=12, at=IN_THE_WEEK, rate_minor=300)
    bank_details(3)

    totals = selectors.payout_batch_totals(batch=draft())

    assert [(t.currency, t.to_pay.minor, t.held.minor, t.carried.minor, t.payouts)
            for t in totals] == [("EUR", 1500, 2500, 300, 1)]

"""Executing a batch: each payout is sent once, its ledger moves (created, paid, failed), a
crash is resumed without paying twice, and two runs at once pay each expert once."""

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction

from billing.ledger import selectors as ledger_selectors
from billing.ledger.models import AccountKind, LedgerEntry, LedgerTransaction, TransactionKind
from billing.payouts import providers
from billing.payouts.models import BatchStatus, Payout, PayoutBatch, PayoutStatus
from billing.payouts.services import batches, execution
from tests.billing.payouts.conftest import (
    AFTER_CUTOFF,
    IN_THE_WEEK,
    bank_details,
    earn,
    stripe_details,
)
from tests.billing.payouts.fake_stripe import FakeStripeHttpClient, transfer_json
from tests.races import pause_after, run_in_threads

SEND_AT = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def approved_batch() -> PayoutBatch:
    batch, _ = batches.payout_batch_draft(now=AFTER_CUTOFF, holds={},
                                          disputed_expert_ids=frozenset())
    return batches.payout_batch_approve(batch_id=batch.pk, approved_by_id=1, now=AFTER_CUTOFF)


def balance(kind: AccountKind, owner_id: int | None = None) -> int:
    entries = LedgerEntry.objects.filter(account__kind=kind, account__currency="EUR")
    if owner_id is not None:
        entries = entries.filter(account__owner_id=owner_id)
    return sum(entries.values_list("amount_minor", flat=True))


@pytest.mark.django_db
def test_execute_queues_one_send_per_pending_payout_after_commit(
        captured_tasks: list[tuple[str, list[object]]],
        django_capture_on_commit_callbacks: Any) -> None:
    bank_details(1)
    bank_details(2)
    earn(expert_id=1, inquiry_id=10, at=IN_THE_WEEK, rate_minor=1500)
    earn(expert_id=2, inquiry_id=11, at=IN_THE_WEEK, rate_minor=1500)
    earn(expert_id=3, inquiry_id=12, at=IN_THE_WEEK, rate_minor=1500)  # held: no details
    batch = approved_batch()

    with django_capture_on_commit_callbacks(execute=True):
        queued = execution.payout_batch_execute(batch_id=batch.pk, now=SEND_AT)

    pending = sorted(Payout.objects.filter(status=PayoutStatus.PENDING).values_list("pk",
                                                                                   flat=True))
    assert queued == 2
    assert captured_tasks == [(execution.SEND_TASK, [pk]) for pk in pending]
    batch.refresh_from_db()
    assert batch.status == BatchStatus.EXECUTING


@pytest.mark.django_db
def test_a_draft_cannot_be_executed(captured_tasks: list[Any]) -> None:
    bank_details(1)
    earn(expert_id=1, inquiry_id=10, at=IN_THE_WEEK, rate_minor=1500)
    batch, _ = batches.payout_batch_draft(now=AFTER_CUTOFF, holds={},
                                          disputed_expert_ids=frozenset())

    with pytest.raises(execution.Conflict):
        execution.payout_batch_execute(batch_id=batch.pk, now=SEND_AT)

    assert captured_tasks == []
    assert LedgerTransaction.objects.filter(kind=TransactionKind.PAYOUT_CREATED).count() == 0


@pytest.mark.django_db
def test_bank_payout_sent_then_marked_paid_moves_the_ledger(captured_tasks: list[Any]) -> None:
    bank_details(1)
    earn(expert_id=1, inquiry_id=10, at=IN_THE_WEEK, rate_minor=1500)
    batch = approved_batch()
    execution.payout_batch_execute(batch_id=batch.pk, now=SEND_AT)
    payout = Payout.objects.get()

    execution.payout_send(payout_id=payout.pk, now=SEND_AT)

    payout.refresh_from_db()
    batch.refresh_from_db()
    assert payout.status == PayoutStatus.SENT
    assert batch.status == BatchStatus.EXECUTED
    assert ledger_selectors.expert_earnings_total(expert_id=1) == {"EUR": 0}
    assert balance(AccountKind.PAYOUTS_IN_TRANSIT) == -1500

    assert execution.payout_batch_mark_bank_paid(batch_id=batch.pk, now=SEND_AT) == 1
    assert execution.payout_batch_mark_bank_paid(batch_id=batch.pk, now=SEND_AT) == 0

    payout.refresh_from_db()
    assert payout.status == PayoutStatus.PAID
    assert balance(AccountKind.PAYOUTS_IN_TRANSIT) == 0
    assert balance(AccountKind.BANK) == -1500
    assert LedgerTransaction.objects.filter(kind=TransactionKind.PAYOUT_PAID).count() == 1


@pytest.mark.django_db
def test_failed_payout_returns_the_money_to_the_payable_and_next_week(
        captured_tasks: list[Any]) -> None:
    bank_details(1)
    earn(expert_id=1, inquiry_id=10, at=IN_THE_WEEK, rate_minor=1500)
    batch = approved_batch()
    execution.payout_batch_execute(batch_id=batch.pk, now=SEND_AT)
    payout = Payout.objects.get()
    execution.payout_send(payout_id=payout.pk, now=SEND_AT)

    execution.payout_mark_failed(payout_id=payout.pk, reason="Account closed", now=SEND_AT)

    payout.refresh_from_db()
    created = LedgerTransaction.objects.get(kind=TransactionKind.PAYOUT_CREATED)
    failed = LedgerTransaction.objects.get(kind=TransactionKind.PAYOUT_FAILED)
    assert payout.status == PayoutStatus.FAILED
    assert failed.reverses == created
    assert ledger_selectors.expert_earnings_total(expert_id=1) == {"EUR": 1500}
    assert balance(AccountKind.PAYOUTS_IN_TRANSIT) == 0
    following, _ = batches.payout_batch_draft(now=datetime(2026, 12, 7, 9, tzinfo=UTC),
                                              holds={}, disputed_expert_ids=frozenset())
    assert following.payouts.get().amount_minor == 1500


@pytest.mark.django_db
def test_stripe_transfer_uses_the_payout_id_as_idempotency_key(
        captured_tasks: list[Any], stripe_fake: type[FakeStripeHttpClient]) -> None:
    stripe_details(1)
    earn(expert_id=1, inquiry_id=10, at=IN_THE_WEEK, rate_minor=1500)
    batch = approved_batch()
    execution.payout_batch_execute(batch_id=batch.pk, now=SEND_AT)
    payout = Payout.objects.get()

    execution.payout_send(payout_id=payout.pk, now=SEND_AT)
    execution.payout_send(payout_id=payout.pk, now=SEND_AT)  # a redelivered task

    payout.refresh_from_db()
    [request] = stripe_fake.post_requests("/v1/transfers")
    assert request.idempotency_key == f"payout-{payout.pk}"
    assert request.form["amount"] == "1500"
    assert request.form["currency"] == "eur"
    assert request.form["destination"] == "acct_0000000000000001"
    assert request.form["metadata[shiftline_payout_id]"] == str(payout.pk)
    assert payout.status == PayoutStatus.SENT
    assert payout.provider_reference.startswith("tr_")
    assert len(payout.provider_reference) == 19


@pytest.mark.django_db
def test_stripe_refusal_fails_the_payout_and_returns_the_money(
        captured_tasks: list[Any], stripe_fake: type[FakeStripeHttpClient]) -> None:
    stripe_details(1)
    earn(expert_id=1, inquiry_id=10, at=IN_THE_WEEK, rate_minor=1500)
    stripe_fake.answers["post /v1/transfers"] = (400, {"error": {
        "type": "invalid_request_error", "code": "account_invalid",
        "message": "The destination account is not valid."}})
    batch = approved_batch()
    execution.payout_batch_execute(batch_id=batch.pk, now=SEND_AT)

    payout = execution.payout_send(payout_id=Payout.objects.get().pk, now=SEND_AT)

    assert payout.status == PayoutStatus.FAILED
    assert "not valid" in payout.failure_reason
    assert ledger_selectors.expert_earnings_total(expert_id=1) == {"EUR": 1500}


@pytest.mark.django_db
def test_stripe_outage_rolls_back_and_the_retry_sends_the_same_key(
        captured_tasks: list[Any], stripe_fake: type[FakeStripeHttpClient]) -> None:
    stripe_details(1)
    earn(expert_id=1, inquiry_id=10, at=IN_THE_WEEK, rate_minor=1500)
    batch = approved_batch()
    execution.payout_batch_execute(batch_id=batch.pk, now=SEND_AT)
    payout = Payout.objects.get()
    stripe_fake.answers["post /v1/transfers"] = (503, {"error": {"type": "api_error",
                                                            "message": "Try again."}})

    with pytest.raises(providers.TransientProviderError):
        execution.payout_send(payout_id=payout.pk, now=SEND_AT)

    payout.refresh_from_db()
    assert payout.status == PayoutStatus.PENDING
    assert LedgerTransaction.objects.filter(kind=TransactionKind.PAYOUT_CREATED).count() == 0
    stripe_fake.answers.clear()
    execution.payout_send(payout_id=payout.pk, now=SEND_AT)
    keys = {request.idempotency_key
            for request in stripe_fake.post_requests("/v1/transfers")}
    assert keys == {f"payout-{payout.pk}"}
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.SENT


@pytest.mark.django_db
def test_resume_after_a_crash_sends_only_what_is_still_pending(
        captured_tasks: list[tuple[str, list[object]]],
        django_capture_on_commit_callbacks: Any) -> None:
    for expert_id in (1, 2, 3):
        bank_details(expert_id)
        earn(expert_id=expert_id, inquiry_id=10 + expert_id, at=IN_THE_WEEK, rate_minor=1500)
    batch = approved_batch()
    execution.payout_batch_execute(batch_id=batch.pk, now=SEND_AT)
    first = Payout.objects.order_by("pk").first()
    assert first is not None
    execution.payout_send(payout_id=first.pk, now=SEND_AT)  # then the worker died
    captured_tasks.clear()

    with django_capture_on_commit_callbacks(execute=True):
        resumed = execution.payouts_resume_executing(now=SEND_AT)

    assert resumed == 2
    assert first.pk not in {args[0] for _, args in captured_tasks}
    for _, (payout_id,) in captured_tasks:
        execution.payout_send(payout_id=int(str(payout_id)), now=SEND_AT)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.EXECUTED
    assert LedgerTransaction.objects.filter(kind=TransactionKind.PAYOUT_CREATED).count() == 3


def _race(monkeypatch: pytest.MonkeyPatch, *, lock: bool) -> tuple[int, list[BaseException]]:
    stripe_details(1)
    earn(expert_id=1, inquiry_id=10, at=IN_THE_WEEK, rate_minor=1500)
    batch = approved_batch()
    payout = batch.payouts.get()
    if not lock:
        monkeypatch.setattr(execution, "payout_lock", lambda *, payout_id: Payout.objects
                            .select_related("batch").get(pk=payout_id))
    barrier = threading.Barrier(2, timeout=3)
    pause_after(monkeypatch, execution, "payout_lock", barrier)
    errors = run_in_threads([
        lambda: execution.payout_send(payout_id=payout.pk, now=SEND_AT),
        lambda: execution.payout_send(payout_id=payout.pk, now=SEND_AT),
    ])
    # each run that reaches Stripe first looks up the payout's transfer
    reached = [request for request in FakeStripeHttpClient.requests
               if (request.method, request.path) == ("get", "/v1/transfers")]
    return len(reached), errors


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_pay_the_expert_once(
        monkeypatch: pytest.MonkeyPatch, stripe_fake: type[FakeStripeHttpClient]) -> None:
    reached_stripe, errors = _race(monkeypatch, lock=True)

    assert errors == []
    assert reached_stripe == 1
    assert len(FakeStripeHttpClient.post_requests("/v1/transfers")) == 1
    assert Payout.objects.get().status == PayoutStatus.SENT
    assert ledger_selectors.expert_earnings_total(expert_id=1) == {"EUR": 0}


@pytest.mark.django_db(transaction=True)
def test_negative_control_without_the_lock_both_runs_send(
        monkeypatch: pytest.MonkeyPatch, stripe_fake: type[FakeStripeHttpClient]) -> None:
    """The same race with the row lock taken away: both runs read "pending" and both go to
    Stripe for a transfer, which only the lookup of the payout's transfer or the provider's
    idempotency key would still catch."""
    reached_stripe, _ = _race(monkeypatch, lock=False)

    assert reached_stripe == 2


@pytest.mark.django_db
def test_a_resume_after_stripe_forgot_the_key_adopts_the_transfer_already_made(
        captured_tasks: list[Any], stripe_fake: type[FakeStripeHttpClient]) -> None:
    """Stripe keeps idempotency keys for at least 24 hours only: a run resumed days after a
    crash finds the transfer the first attempt made and sends no second one."""
    stripe_details(1)
    earn(expert_id=1, inquiry_id=10, at=IN_THE_WEEK, rate_minor=1500)
    batch = approved_batch()
    execution.payout_batch_execute(batch_id=batch.pk, now=SEND_AT)
    payout = Payout.objects.get()
    with pytest.raises(RuntimeError), transaction.atomic():
        execution.payout_send(payout_id=payout.pk, now=SEND_AT)
        raise RuntimeError("the worker died before its commit")
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.PENDING
    [made] = stripe_fake.transfers
    stripe_fake.keys_forgotten = True

    resumed = execution.payout_send(payout_id=payout.pk, now=SEND_AT + timedelta(days=3))

    assert len(stripe_fake.post_requests("/v1/transfers")) == 1
    assert stripe_fake.transfers == [made]
    assert (resumed.status, resumed.provider_reference) == (PayoutStatus.SENT, made["id"])
    lookups = [request for request in stripe_fake.requests if request.method == "get"]
    assert [(lookup.path, lookup.form["destination"]) for lookup in lookups] == [
        ("/v1/transfers", "acct_0000000000000001")] * 2  # before each attempt
    assert ledger_selectors.expert_earnings_total(expert_id=1) == {"EUR": 0}


@pytest.mark.django_db
def test_a_transfer_of_another_payout_is_not_adopted(
        captured_tasks: list[Any], stripe_fake: type[FakeStripeHttpClient]) -> None:
    stripe_details(1)
    stripe_fake.transfers.append(transfer_json(
        "tr_lastweek000000", amount=900, currency="eur", destination="acct_0000000000000001",
        payout_id="999999"))
    earn(expert_id=1, inquiry_id=10, at=IN_THE_WEEK, rate_minor=1500)
    batch = approved_batch()
    execution.payout_batch_execute(batch_id=batch.pk, now=SEND_AT)

    sent = execution.payout_send(payout_id=Payout.objects.get().pk, now=SEND_AT)

    assert len(stripe_fake.post_requests("/v1/transfers")) == 1
    assert sent.provider_reference not in ("", "tr_lastweek000000")

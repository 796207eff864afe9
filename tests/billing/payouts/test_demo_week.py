"""The demo data holds a completed payout week: one expert paid by the bank file, one held for
missing payout details; running the seed again adds nothing."""

from datetime import datetime, timedelta

import pytest

from billing.ledger.models import LedgerTransaction, TransactionKind
from billing.payouts.models import BatchStatus, PayoutBatch, PayoutMethod, PayoutStatus
from billing.payouts.services.batches import NO_DETAILS
from marketplace.devstack.demo import seed_demo

pytestmark = pytest.mark.django_db


def test_demo_has_a_paid_bank_file_week_with_one_expert_held(
        now: datetime, captured_tasks: list) -> None:
    seed_demo(now=now)
    seed_demo(now=now + timedelta(minutes=5))

    batch = PayoutBatch.objects.get()
    payouts = {p.expert_name: p for p in batch.payouts.all()}
    assert batch.status == BatchStatus.EXECUTED
    assert (payouts["Ada Lovelace"].status, payouts["Ada Lovelace"].method) == (
        PayoutStatus.PAID, PayoutMethod.BANK_FILE)
    # EUR 3.00 a ticket, two of them on the weekend tier (times 1.50): the demo rate card; with
    # the week's seven she is paid the five of earlier in the month (the invoice demo's)
    assert payouts["Ada Lovelace"].amount_minor == 5 * 300 + 2 * 450 + 5 * 300
    assert (payouts["Grace Hopper"].status, payouts["Grace Hopper"].hold_reason) == (
        PayoutStatus.HELD, NO_DETAILS)
    assert LedgerTransaction.objects.filter(kind=TransactionKind.PAYOUT_PAID).count() == 1

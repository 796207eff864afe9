"""Stripe's signed webhook settles payouts: verified by the SDK, a transfer pays its payout, a
reversal fails it and returns the money; a bad signature changes nothing."""

from typing import Any

import pytest
from django.test import Client

from billing.ledger import selectors as ledger_selectors
from billing.ledger.models import AccountKind, LedgerEntry
from billing.payouts.models import Payout, PayoutStatus
from billing.payouts.services import batches, execution
from tests.billing.payouts.conftest import AFTER_CUTOFF, IN_THE_WEEK, earn, stripe_details
from tests.billing.payouts.fake_stripe import FakeStripeHttpClient, signed_event, transfer_json

pytestmark = pytest.mark.django_db

URL = "/billing/stripe/webhook/"


def sent_payout() -> Payout:
    stripe_details(1)
    earn(expert_id=1, inquiry_id=10, at=IN_THE_WEEK, rate_minor=1500)
    batch, _ = batches.payout_batch_draft(now=AFTER_CUTOFF, holds={},
                                          disputed_expert_ids=frozenset())
    batches.payout_batch_approve(batch_id=batch.pk, approved_by_id=1, now=AFTER_CUTOFF)
    execution.payout_batch_execute(batch_id=batch.pk, now=AFTER_CUTOFF)
    return execution.payout_send(payout_id=batch.payouts.get().pk, now=AFTER_CUTOFF)


def post(client: Client, body: bytes, signature: str) -> Any:
    return client.post(URL, data=body, content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=signature)


def transfer_of(payout: Payout, *, reversed_: bool = False) -> dict[str, Any]:
    return transfer_json(payout.provider_reference, amount=payout.amount_minor, currency="eur",
                         destination="acct_0000000000000001", payout_id=str(payout.pk),
                         reversed_=reversed_)


def test_signed_transfer_event_marks_the_payout_paid(
        client: Client, captured_tasks: list[Any],
        stripe_fake: type[FakeStripeHttpClient]) -> None:
    payout = sent_payout()
    body, signature = signed_event("transfer.created", transfer_of(payout))

    response = post(client, body, signature)
    again = post(client, body, signature)  # Stripe delivers at least once

    payout.refresh_from_db()
    assert (response.status_code, again.status_code) == (200, 200)
    assert payout.status == PayoutStatus.PAID
    assert ledger_selectors.expert_earnings_total(expert_id=1) == {"EUR": 0}


def test_reversed_transfer_fails_the_payout_and_returns_the_money(
        client: Client, captured_tasks: list[Any],
        stripe_fake: type[FakeStripeHttpClient]) -> None:
    payout = sent_payout()
    post(client, *signed_event("transfer.created", transfer_of(payout)))

    response = post(client, *signed_event("transfer.reversed",
                                          transfer_of(payout, reversed_=True)))

    payout.refresh_from_db()
    assert response.status_code == 200
    assert payout.status == PayoutStatus.FAILED
    assert ledger_selectors.expert_earnings_total(expert_id=1) == {"EUR": 1500}


@pytest.mark.parametrize("signature", ["t=1,v1=deadbeef", "", "garbage"])
def test_bad_signature_is_refused_and_changes_nothing(
        client: Client, captured_tasks: list[Any], stripe_fake: type[FakeStripeHttpClient],
        signature: str) -> None:
    payout = sent_payout()
    body, _ = signed_event("transfer.created", transfer_of(payout))

    response = post(client, body, signature)

    payout.refresh_from_db()
    assert response.status_code == 401
    assert payout.status == PayoutStatus.SENT


def test_signed_with_another_secret_is_refused(
        client: Client, captured_tasks: list[Any],
        stripe_fake: type[FakeStripeHttpClient]) -> None:
    payout = sent_payout()

    response = post(client, *signed_event("transfer.created", transfer_of(payout),
                                          secret="whsec_someone_else"))

    payout.refresh_from_db()
    assert response.status_code == 401
    assert payout.status == PayoutStatus.SENT


def test_other_events_are_acknowledged(client: Client, stripe_fake: Any) -> None:
    response = post(client, *signed_event("customer.created", {"id": "cus_1",
                                                               "object": "customer"}))

    assert response.status_code == 200


def test_get_is_not_allowed(client: Client, stripe_fake: Any) -> None:
    assert client.get(URL).status_code == 405


def test_event_before_the_send_committed_asks_stripe_to_deliver_again(
        client: Client, captured_tasks: list[Any],
        stripe_fake: type[FakeStripeHttpClient]) -> None:
    stripe_details(1)
    earn(expert_id=1, inquiry_id=10, at=IN_THE_WEEK, rate_minor=1500)
    batch, _ = batches.payout_batch_draft(now=AFTER_CUTOFF, holds={},
                                          disputed_expert_ids=frozenset())
    batches.payout_batch_approve(batch_id=batch.pk, approved_by_id=1, now=AFTER_CUTOFF)
    payout = batch.payouts.get()
    payout.provider_reference = "tr_early"

    response = post(client, *signed_event("transfer.created", transfer_of(payout)))

    payout.refresh_from_db()
    assert response.status_code == 409
    assert payout.status == PayoutStatus.PENDING


def test_a_partial_reversal_returns_only_the_reversed_amount(
        client: Client, captured_tasks: list[Any],
        stripe_fake: type[FakeStripeHttpClient]) -> None:
    payout = sent_payout()
    post(client, *signed_event("transfer.created", transfer_of(payout)))
    part = transfer_json(payout.provider_reference, amount=1500, currency="eur",
                         destination="acct_0000000000000001", payout_id=str(payout.pk),
                         amount_reversed=500)

    response = post(client, *signed_event("transfer.reversed", part))
    again = post(client, *signed_event("transfer.reversed", part))  # delivered twice

    payout.refresh_from_db()
    assert (response.status_code, again.status_code) == (200, 200)
    assert payout.status == PayoutStatus.PAID
    assert ledger_selectors.expert_earnings_total(expert_id=1) == {"EUR": 500}
    assert (cash_at_stripe(), in_transit()) == (-1000, 0)

    post(client, *signed_event("transfer.reversed", transfer_of(payout, reversed_=True)))

    payout.refresh_from_db()
    assert payout.status == PayoutStatus.FAILED
    assert ledger_selectors.expert_earnings_total(expert_id=1) == {"EUR": 1500}
    assert (cash_at_stripe(), in_transit()) == (0, 0)


def test_a_partial_reversal_of_a_payout_still_in_transit_pays_it_first(
        client: Client, captured_tasks: list[Any],
        stripe_fake: type[FakeStripeHttpClient]) -> None:
    payout = sent_payout()
    part = transfer_json(payout.provider_reference, amount=1500, currency="eur",
                         destination="acct_0000000000000001", payout_id=str(payout.pk),
                         amount_reversed=400)

    post(client, *signed_event("transfer.reversed", part))

    payout.refresh_from_db()
    assert payout.status == PayoutStatus.PAID
    assert ledger_selectors.expert_earnings_total(expert_id=1) == {"EUR": 400}
    assert (cash_at_stripe(), in_transit()) == (-1100, 0)


def _balance(kind: AccountKind) -> int:
    return sum(LedgerEntry.objects.filter(account__kind=kind).values_list("amount_minor",
                                                                          flat=True))


def cash_at_stripe() -> int:
    return _balance(AccountKind.PAYOUT_PROVIDER_CASH)


def in_transit() -> int:
    return _balance(AccountKind.PAYOUTS_IN_TRANSIT)

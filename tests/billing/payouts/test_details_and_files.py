"""The expert's payout details (IBAN checked by python-stdnum, a Stripe account through an
account link) and the bank files ops upload (CSV and SEPA credit transfer XML)."""

import csv
import io
import xml.etree.ElementTree as ET
from datetime import date
from typing import Any

import pytest

from billing.payouts import selectors
from billing.payouts.models import PayoutDetails, PayoutMethod
from billing.payouts.services import batches, details, execution
from marketplace.infra.errors import FieldErrors
from tests.billing.payouts.conftest import (
    AFTER_CUTOFF,
    BEFORE_THE_WEEK,
    IN_THE_WEEK,
    bank_details,
    earn,
    stripe_details,
)
from tests.billing.payouts.fake_stripe import FakeStripeHttpClient

pytestmark = pytest.mark.django_db

SEPA = "{urn:iso:std:iso:20022:tech:xsd:pain.001.001.03}"


def test_bank_details_are_checked_and_normalised() -> None:
    saved = details.payout_details_save_bank(
        expert_id=5, account_holder=" Ada Lovelace ", iban="de89 3704 0044 0532 0130 00",
        bic="cobadeffxxx", country="de", tax_id="12/345/67890", now=BEFORE_THE_WEEK)

    assert (saved.iban, saved.bic, saved.country, saved.account_holder, saved.method) == (
        "DE89370400440532013000", "COBADEFFXXX", "DE", "Ada Lovelace", PayoutMethod.BANK_FILE)
    assert saved.payable


def test_wrong_iban_checksum_country_and_tax_id_are_refused_field_by_field() -> None:
    with pytest.raises(FieldErrors) as refused:
        details.payout_details_save_bank(
            expert_id=5, account_holder="Ada", iban="DE89370400440532013001", bic="",
            country="XX", tax_id="", now=BEFORE_THE_WEEK)

    assert set(refused.value.errors) == {"iban", "country", "tax_id"}
    assert PayoutDetails.objects.count() == 0


def test_stripe_account_link_opens_one_account(stripe_fake: type[FakeStripeHttpClient]) -> None:
    first = details.payout_details_stripe_link(
        expert_id=5, email="ada@example.com", country="IE", return_url="https://x.example/r",
        refresh_url="https://x.example/f", now=BEFORE_THE_WEEK)
    second = details.payout_details_stripe_link(
        expert_id=5, email="ada@example.com", country="IE", return_url="https://x.example/r",
        refresh_url="https://x.example/f", now=BEFORE_THE_WEEK)

    paths = [request.path for request in stripe_fake.requests]
    assert paths == ["/v1/accounts", "/v1/account_links", "/v1/account_links"]
    assert stripe_fake.requests[0].idempotency_key == "expert-account-5"
    assert stripe_fake.requests[0].form["capabilities[transfers][requested]"] == "true"
    assert stripe_fake.requests[1].form["type"] == "account_onboarding"
    assert first == second == "https://connect.stripe.com/setup/e/acct_1Expert0000001/abc123"
    saved = PayoutDetails.objects.get(expert_id=5)
    assert (saved.stripe_account_id, saved.stripe_onboarded, saved.payable) == (
        "acct_1Expert0000001", False, False)


def test_back_from_stripe_an_active_account_becomes_the_method(
        stripe_fake: type[FakeStripeHttpClient]) -> None:
    details.payout_details_stripe_link(
        expert_id=5, email="ada@example.com", country="IE", return_url="https://x.example/r",
        refresh_url="https://x.example/f", now=BEFORE_THE_WEEK)

    saved = details.payout_details_stripe_returned(expert_id=5, now=BEFORE_THE_WEEK)

    assert stripe_fake.requests[-1].path == "/v1/accounts/acct_1Expert0000001"
    assert (saved.stripe_onboarded, saved.method, saved.payable) == (True, "stripe", True)


def test_incomplete_stripe_onboarding_is_not_payable(
        stripe_fake: type[FakeStripeHttpClient]) -> None:
    details.payout_details_stripe_link(
        expert_id=5, email="ada@example.com", country="IE", return_url="https://x.example/r",
        refresh_url="https://x.example/f", now=BEFORE_THE_WEEK)
    stripe_fake.answers["/v1/accounts/"] = (200, {
        "id": "acct_1Expert0000001", "object": "account", "details_submitted": False,
        "capabilities": {"transfers": "pending"}})

    saved = details.payout_details_stripe_returned(expert_id=5, now=BEFORE_THE_WEEK)

    assert saved.payable is False


def sent_bank_batch(django_capture_on_commit_callbacks: Any) -> Any:
    bank_details(1, iban="DE89370400440532013000")
    bank_details(2, iban="GB82WEST12345698765432")
    stripe_details(3)
    earn(expert_id=1, inquiry_id=10, at=IN_THE_WEEK, rate_minor=1500, name="Ada")
    earn(expert_id=2, inquiry_id=11, at=IN_THE_WEEK, rate_minor=2500, name="Grace")
    earn(expert_id=3, inquiry_id=12, at=IN_THE_WEEK, rate_minor=2500, name="Linus")
    batch, _ = batches.payout_batch_draft(now=AFTER_CUTOFF, holds={},
                                          disputed_expert_ids=frozenset())
    batches.payout_batch_approve(batch_id=batch.pk, approved_by_id=1, now=AFTER_CUTOFF)
    execution.payout_batch_execute(batch_id=batch.pk, now=AFTER_CUTOFF)
    for payout in batch.payouts.filter(method=PayoutMethod.BANK_FILE):
        execution.payout_send(payout_id=payout.pk, now=AFTER_CUTOFF)
    return batch


def test_bank_csv_lists_each_sent_bank_payout(django_capture_on_commit_callbacks: Any) -> None:
    batch = sent_bank_batch(django_capture_on_commit_callbacks)

    rows = list(csv.DictReader(io.StringIO(selectors.bank_file_csv(batch=batch))))

    assert [(r["account_holder"], r["iban"], r["amount"], r["currency"]) for r in rows] == [
        ("Expert 1", "DE89370400440532013000", "15.00", "EUR"),
        ("Expert 2", "GB82WEST12345698765432", "25.00", "EUR"),
    ]


def test_sepa_xml_is_a_valid_credit_transfer(django_capture_on_commit_callbacks: Any) -> None:
    batch = sent_bank_batch(django_capture_on_commit_callbacks)

    xml = selectors.bank_file_sepa_xml(batch=batch, execution_date=date(2026, 11, 30))

    root = ET.fromstring(xml)  # noqa: S314 (our own output)
    header = root.find(f"{SEPA}CstmrCdtTrfInitn/{SEPA}GrpHdr")
    assert header is not None
    assert header.findtext(f"{SEPA}NbOfTxs") == "2"
    assert header.findtext(f"{SEPA}CtrlSum") == "40.00"
    ibans = [node.text for node in root.iter(f"{SEPA}IBAN")]
    assert ibans[1:] == ["DE89370400440532013000", "GB82WEST12345698765432"]
    assert [node.text for node in root.iter(f"{SEPA}EndToEndId")] == [
        f"payout-{payout.pk}" for payout in batch.payouts.filter(method="bank_file")
        .order_by("expert_name")]

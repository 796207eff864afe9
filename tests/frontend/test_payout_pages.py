"""The payout pages: ops review, approve, execute with a progress bar, download the bank files
and mark them paid; experts enter bank details, connect Stripe, see what is owed and their
statements as a page, CSV and PDF."""

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from django.test import Client

from billing.payouts.models import BatchStatus, PayoutBatch, PayoutDetails, PayoutStatus
from billing.payouts.services import execution
from experts.models import ExpertProfile, ExpertStatus
from tests import factories
from tests.billing.payouts.conftest import (
    AFTER_CUTOFF,
    BEFORE_THE_WEEK,
    IN_THE_WEEK,
    WEEK_START,
    bank_details,
    earn,
    use_fake_stripe,
    use_payout_settings,
)
from tests.billing.payouts.fake_stripe import FakeStripeHttpClient

pytestmark = pytest.mark.django_db


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def payout_settings(settings: Any) -> None:
    use_payout_settings(settings)


@pytest.fixture
def stripe_fake(settings: Any) -> Iterator[type[FakeStripeHttpClient]]:
    yield from use_fake_stripe(settings)


@pytest.fixture
def at_monday(monkeypatch: pytest.MonkeyPatch) -> datetime:
    monkeypatch.setattr("django.utils.timezone.now", lambda: AFTER_CUTOFF)
    return AFTER_CUTOFF


def expert_with_earnings(*, rate_minor: int = 1500, status: ExpertStatus = ExpertStatus.APPROVED,
                         details: bool = True) -> ExpertProfile:
    expert = factories.expert(now=BEFORE_THE_WEEK, status=status, name="Ada")
    earn(expert_id=expert.pk, inquiry_id=expert.pk * 100, at=IN_THE_WEEK, rate_minor=rate_minor,
         name="Ada")
    if details:
        bank_details(expert.pk)
    return expert


def test_ops_draft_review_approve_execute_and_mark_paid(
        at_monday: datetime, django_capture_on_commit_callbacks: Any,
        captured_tasks: list[tuple[str, list[object]]]) -> None:
    paid = expert_with_earnings()
    held = expert_with_earnings(details=False)
    suspended = expert_with_earnings(status=ExpertStatus.SUSPENDED)
    ops = logged_in(factories.user(is_staff=True))

    drafted = ops.post("/ops/payouts/draft/")
    batch = PayoutBatch.objects.get()
    page = ops.get(f"/ops/payouts/{batch.pk}/")

    assert drafted.status_code == 302
    assert drafted["Location"] == f"/ops/payouts/{batch.pk}/"
    assert batch.week_start == WEEK_START
    text = page.content.decode()
    assert "No payout details" in text
    assert "Expert suspended" in text
    assert "Approve this batch" in text
    assert {p.expert_id: p.status for p in batch.payouts.all()} == {
        paid.pk: PayoutStatus.PENDING, held.pk: PayoutStatus.HELD,
        suspended.pk: PayoutStatus.HELD}

    assert ops.post(f"/ops/payouts/{batch.pk}/approve/").status_code == 302
    refused = ops.post(f"/ops/payouts/{batch.pk}/execute/")
    assert refused.status_code == 303  # refused with a flash, back to the page
    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPROVED

    with django_capture_on_commit_callbacks(execute=True):
        ops.post(f"/ops/payouts/{batch.pk}/execute/", {"confirm": "yes"})
    progress = ops.get(f"/ops/payouts/{batch.pk}/progress/",
                       HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in progress
    assert "Sent 0 of 1 payouts" in progress

    for _, (payout_id,) in captured_tasks:
        execution.payout_send(payout_id=int(str(payout_id)), now=AFTER_CUTOFF)
    progress = ops.get(f"/ops/payouts/{batch.pk}/progress/",
                       HTTP_HX_REQUEST="true").content.decode()
    assert "Sent 1 of 1 payouts" in progress
    assert "hx-trigger" not in progress  # executed: the polling stops

    rows = list(csv.DictReader(io.StringIO(
        ops.get(f"/ops/payouts/{batch.pk}/bank.csv").content.decode())))
    assert [row["expert_id"] for row in rows] == [str(paid.pk)]
    sepa = ops.get(f"/ops/payouts/{batch.pk}/sepa.xml?execution_date=2026-12-01")
    assert sepa["Content-Type"] == "application/xml"
    assert b"<NbOfTxs>1</NbOfTxs>" in sepa.content

    ops.post(f"/ops/payouts/{batch.pk}/bank-paid/", {"confirm": "yes"})
    assert batch.payouts.get(expert_id=paid.pk).status == PayoutStatus.PAID


def test_bad_input_on_ops_pages_is_a_4xx(at_monday: datetime) -> None:
    expert_with_earnings()
    ops = logged_in(factories.user(is_staff=True))
    ops.post("/ops/payouts/draft/")
    batch = PayoutBatch.objects.get()

    assert ops.get("/ops/payouts/999999/").status_code == 404
    assert ops.get(f"/ops/payouts/{batch.pk}/sepa.xml?execution_date=soon").status_code in (
        400, 422)
    payout = batch.payouts.get()
    assert ops.post(f"/ops/payouts/{batch.pk}/payouts/{payout.pk}/fail/",
                    {"reason": ""}).status_code == 303
    assert payout.status == PayoutStatus.PENDING
    assert ops.get(f"/ops/payouts/{batch.pk + 1}/payouts/{payout.pk}/").status_code == 404


def test_ops_payout_page_lists_the_weeks_ledger_lines(at_monday: datetime) -> None:
    expert = expert_with_earnings()
    ops = logged_in(factories.user(is_staff=True))
    ops.post("/ops/payouts/draft/")
    payout = PayoutBatch.objects.get().payouts.get()

    page = ops.get(f"/ops/payouts/{payout.batch_id}/payouts/{payout.pk}/").content.decode()

    assert f"#{expert.pk * 100}" in page
    assert "Ada earns" in page


def test_experts_and_brands_cannot_open_ops_payouts(at_monday: datetime) -> None:
    expert = expert_with_earnings()

    assert logged_in(expert.user).get("/ops/payouts/").status_code == 403


def test_expert_saves_bank_details_and_sees_next_payout(at_monday: datetime) -> None:
    expert = expert_with_earnings(details=False)
    client = logged_in(expert.user)

    page = client.get("/expert/payouts/").content.decode()
    refused = client.post("/expert/payouts/", {
        "account_holder": "Ada", "iban": "DE89370400440532013001", "country": "DE",
        "tax_id": "1"})
    saved = client.post("/expert/payouts/", {
        "account_holder": "Ada", "iban": "DE89 3704 0044 0532 0130 00", "country": "DE",
        "tax_id": "1"})

    assert "held until you add your payout details" in page
    assert "€15.00" in page
    assert refused.status_code == 400
    assert "valid IBAN" in refused.content.decode()
    assert saved.status_code == 302
    assert PayoutDetails.objects.get(expert_id=expert.pk).iban == "DE89370400440532013000"


def test_expert_connects_stripe_through_an_account_link(
        at_monday: datetime, stripe_fake: type[FakeStripeHttpClient]) -> None:
    expert = expert_with_earnings(details=False)
    client = logged_in(expert.user)

    response = client.post("/expert/payouts/stripe/connect/", {"country": "IE"})
    back = client.get("/expert/payouts/stripe/return/")

    assert response.status_code == 302
    assert response["Location"].startswith("https://connect.stripe.com/setup/e/acct_")
    assert stripe_fake.requests[1].form["return_url"] == \
        "http://testserver/expert/payouts/stripe/return/"
    assert back.status_code == 302
    assert PayoutDetails.objects.get(expert_id=expert.pk).payable


def test_statement_page_csv_and_pdf(at_monday: datetime) -> None:
    expert = expert_with_earnings()
    client = logged_in(expert.user)
    base = f"/expert/payouts/statements/{WEEK_START.isoformat()}/"

    page = client.get(base)
    rows = list(csv.reader(io.StringIO(client.get(f"{base}csv/").content.decode())))
    pdf = client.get(f"{base}pdf/")

    assert f"#{expert.pk * 100}" in page.content.decode()
    assert rows[0] == ["date", "kind", "inquiry", "description", "amount", "currency"]
    assert [row[1] for row in rows[1:]] == ["brought_forward", "ticket_resolved", "closing"]
    assert rows[2][4] == "15.00"
    assert rows[3][4] == "15.00"
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert client.get("/expert/payouts/statements/last-week/").status_code == 404
    assert client.get("/expert/payouts/statements/2026-11-22/").status_code == 404  # a Sunday


def test_suspended_expert_keeps_payout_pages(at_monday: datetime) -> None:
    expert = expert_with_earnings(status=ExpertStatus.SUSPENDED)

    assert logged_in(expert.user).get("/expert/payouts/").status_code == 200

"""Invoices and disputes in the browser: the brand's billing page (usage, invoices with PDF and
CSV, disputes), ops' invoices, VAT rates and decisions, the expert's notice and appeal."""

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from billing.disputes import services as disputes_services
from billing.disputes.models import Dispute
from billing.invoices import services as invoices_services
from billing.invoices.models import Invoice, VatRate
from billing.pricing import services as pricing_services
from billing.pricing.services import ExpertCsat
from frontend.views import billing as billing_views
from marketplace.onboarding.models import Brand, BrandRole
from tests import factories
from tests.billing.invoices.helpers import NORTHWIND, bill_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def irish_vat_rate() -> None:
    VatRate.objects.get_or_create(country="IE", valid_from=date(2024, 1, 1),
                                  defaults={"rate_percent": Decimal("23.00")})


def logged_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def invoiced(brand: Brand) -> Invoice:
    bill_ticket(inquiry_id=brand.pk * 100, brand_id=brand.pk,
                now=datetime(2026, 11, 10, 12, 0, tzinfo=UTC))
    return invoices_services.invoice_run_for_brand(
        details=replace(NORTHWIND, brand_id=brand.pk, brand_name=brand.name),
        currency="EUR", period_first=date(2026, 11, 1),
        now=datetime(2026, 12, 1, 9, 0, tzinfo=UTC))


def test_the_billing_page_shows_usage_invoices_and_disputes() -> None:
    brand = factories.brand()
    invoice = invoiced(brand)
    bill_ticket(inquiry_id=1, brand_id=brand.pk, now=timezone.now(), queue_name="Night desk")
    member = logged_in(factories.brand_member(of=brand, role=BrandRole.VIEWER))

    page = member.get("/brand/billing/").content.decode()
    usage = member.get("/brand/billing/usage/", HTTP_HX_REQUEST="true").content.decode()

    assert "Night desk" in page and 'ws-connect="/ws/brand/billing/"' in page
    assert 'hx-trigger="every 30s" data-poll-unless-live' in page
    assert "Night desk" in usage
    assert invoice.display_number in page
    assert f"/brand/billing/invoices/{invoice.pk}/pdf/" in page


def test_the_billing_page_shows_every_invoice_a_page_at_a_time(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(billing_views, "INVOICE_PAGE_SIZE", 1)
    brand = factories.brand()
    invoice = invoiced(brand)
    note = invoices_services.credit_note_issue(invoice=invoice, inquiry_id=brand.pk * 100,
                                               amount_minor=100, now=timezone.now())
    member = logged_in(factories.brand_member(of=brand, role=BrandRole.VIEWER))

    first = member.get("/brand/billing/").content.decode()
    second = member.get("/brand/billing/?page=2").content.decode()

    assert note.display_number in first and invoice.display_number not in first
    assert "Page 1 of 2" in first and 'href="?page=2"' in first
    assert invoice.display_number in second and note.display_number not in second


def test_the_brand_downloads_its_pdf_and_csv_and_not_anothers() -> None:
    brand, other = factories.brand(), factories.brand()
    mine, theirs = invoiced(brand), invoiced(other)
    member = logged_in(factories.brand_member(of=brand, role=BrandRole.VIEWER))

    pdf = member.get(f"/brand/billing/invoices/{mine.pk}/pdf/")
    csv = member.get(f"/brand/billing/invoices/{mine.pk}/csv/")
    foreign = member.get(f"/brand/billing/invoices/{theirs.pk}/pdf/")

    assert pdf.content.startswith(b"%PDF-")
    streamed = csv.streaming_content  # type: ignore[attr-defined]
    assert b"".join(streamed).decode().count("\n") == 2
    assert foreign.status_code == 404


def test_an_admin_disputes_a_ticket_and_a_viewer_may_not() -> None:
    brand = factories.brand()
    bill_ticket(inquiry_id=9, brand_id=brand.pk, now=timezone.now())
    form = {"inquiry_id": "9", "reason": "wrong_answer", "note": "Misquoted."}

    refused = logged_in(factories.brand_member(of=brand, role=BrandRole.VIEWER)).post(
        "/brand/billing/disputes/", form)
    assert not Dispute.objects.exists()
    accepted = logged_in(factories.brand_member(of=brand, role=BrandRole.ADMIN)).post(
        "/brand/billing/disputes/", form)

    assert refused.status_code == 403
    assert accepted.status_code == 302
    assert Dispute.objects.get().inquiry_id == 9


def test_ops_accept_and_the_expert_sees_why_and_appeals_once(now: datetime) -> None:
    brand = factories.brand()
    expert = factories.expert(now=now)
    bill_ticket(inquiry_id=11, brand_id=brand.pk, now=timezone.now(), expert_id=expert.pk)
    dispute = disputes_services.dispute_open(brand_id=brand.pk, inquiry_id=11,
                                             reason="wrong_answer", note="", actor="a",
                                             now=timezone.now())
    ops = logged_in(factories.user(is_staff=True))

    assert b"#11" in ops.get("/ops/disputes/").content
    ops.post(f"/ops/disputes/{dispute.pk}/decide/",
             {"decision": "accept", "reason": "The refund policy was misquoted."})
    page = logged_in(expert.user).get("/expert/earnings/").content.decode()
    appealed = logged_in(expert.user).post(f"/expert/earnings/disputes/{dispute.pk}/appeal/",
                                           {"note": "I used the brand's macro."})

    assert "The refund policy was misquoted." in page
    assert appealed.status_code == 302
    assert Dispute.objects.get().appeal_status == "pending"


def test_ops_run_the_month_and_keep_vat_rates() -> None:
    brand = factories.brand()
    bill_ticket(inquiry_id=12, brand_id=brand.pk, now=datetime(2026, 11, 10, tzinfo=UTC))
    ops = logged_in(factories.user(is_staff=True))

    ops.post("/ops/invoices/run/", {"month": "2026-11"})
    rates_before = VatRate.objects.count()
    saved = ops.post("/ops/vat-rates/save/", {"country": "de", "rate": "19.00",
                                              "valid_from": "2027-01-01"})
    refused = ops.post("/ops/vat-rates/save/", {"country": "Germany", "rate": "abc",
                                                "valid_from": "soon"})

    assert Invoice.objects.get(brand_id=brand.pk).status == "issued"
    assert b"INV-" in ops.get("/ops/invoices/").content
    assert saved.status_code == 302
    assert VatRate.objects.filter(country="DE", valid_from=date(2027, 1, 1)).exists()
    assert refused.status_code == 303
    assert VatRate.objects.count() == rates_before + 1


def test_billing_ops_pages_are_for_staff_only() -> None:
    member = logged_in(factories.brand_member(of=factories.brand(), role=BrandRole.OWNER))

    assert member.get("/ops/invoices/").status_code == 403
    assert member.get("/ops/disputes/").status_code == 403


def test_the_expert_earnings_page_lists_each_ticket_with_its_brand_and_subject(
        now: datetime) -> None:
    brand = factories.brand(name="Northwind")
    queue = factories.queue(of=brand)
    inquiry = factories.inquiry(on=queue, now=now, subject="Where is my parcel?")
    expert = factories.expert(now=now, name="Ada")
    pricing_services.ticket_resolution_bill(
        inquiry_id=inquiry.pk, brand_id=brand.pk, brand_name=brand.name, expert_id=expert.pk,
        expert_name="Ada", currency="EUR", channel="email", tier="weekend",
        csat=ExpertCsat(percent=None, reviews=0), now=now)

    page = logged_in(expert.user).get("/expert/earnings/").content.decode()
    second = logged_in(expert.user).get("/expert/earnings/?page=99")

    assert f"#{inquiry.pk} Where is my parcel?" in page
    assert 'data-label="Brand">Northwind<' in page
    assert 'data-label="Premium">' in page and "/expert/payouts/statements/" in page
    assert second.status_code == 200

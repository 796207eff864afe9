"""Usage, invoices and disputes over the API: a key sees only its brand's, names its scope,
gets the PDF or the CSV by Accept, and disputes under the documented errors."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from billing.disputes.models import Dispute
from billing.invoices import services as invoices_services
from billing.invoices.models import Invoice, VatRate
from marketplace.access.scopes import ApiScope
from marketplace.onboarding.models import Brand
from tests import factories
from tests.billing.invoices.helpers import NORTHWIND, bill_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def irish_vat_rate() -> None:
    VatRate.objects.get_or_create(country="IE", valid_from=date(2024, 1, 1),
                                  defaults={"rate_percent": Decimal("23.00")})


def client_of(brand: Brand, scopes: tuple[str, ...] = (ApiScope.BILLING_READ.value,
                                                        ApiScope.DISPUTES_WRITE.value)
              ) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {factories.api_key(of=brand, scopes=scopes)}")
    return client


def invoiced(brand: Brand) -> Invoice:
    bill_ticket(inquiry_id=brand.pk * 100, brand_id=brand.pk,
                now=datetime(2026, 11, 10, 12, 0, tzinfo=UTC))
    return invoices_services.invoice_run_for_brand(
        details=replace(NORTHWIND, brand_id=brand.pk, brand_name=brand.name),
        currency="EUR", period_first=date(2026, 11, 1),
        now=datetime(2026, 12, 1, 9, 0, tzinfo=UTC))


def test_usage_counts_this_months_tickets_by_queue_and_channel() -> None:
    brand, other = factories.brand(), factories.brand()
    now = timezone.now()
    bill_ticket(inquiry_id=1, brand_id=brand.pk, now=now, channel="chat")
    bill_ticket(inquiry_id=2, brand_id=brand.pk, now=now, channel="chat")
    bill_ticket(inquiry_id=3, brand_id=other.pk, now=now)

    response = client_of(brand).get("/api/v1/usage")

    assert response.status_code == 200
    (currency,) = response.json()["currencies"]
    assert (currency["currency"], currency["tickets"], currency["amount"]) == ("EUR", 2, "9.00")
    assert currency["lines"] == [{"queue": "Support", "channel": "chat", "tickets": 2,
                                  "unit_price": "4.50", "amount": "9.00"}]


def test_invoices_list_only_the_brands_own() -> None:
    brand, other = factories.brand(), factories.brand()
    mine, theirs = invoiced(brand), invoiced(other)

    listed = client_of(brand).get("/api/v1/invoices").json()
    foreign = client_of(brand).get(f"/api/v1/invoices/{theirs.pk}")

    assert [row["number"] for row in listed["results"]] == [mine.display_number]
    assert foreign.status_code == 404


def test_the_invoice_list_comes_in_pages() -> None:
    brand = factories.brand()
    first = invoiced(brand)
    note = invoices_services.credit_note_issue(invoice=first, inquiry_id=brand.pk * 100,
                                               amount_minor=100, now=timezone.now())
    client = client_of(brand)

    page = client.get("/api/v1/invoices?limit=1").json()
    following = client.get(page["next"]).json()

    assert page["count"] == 2
    assert [row["number"] for row in page["results"]] == [note.display_number]
    assert [row["number"] for row in following["results"]] == [first.display_number]
    assert following["next"] is None


def test_an_invoice_comes_as_json_pdf_or_csv_by_accept() -> None:
    brand = factories.brand()
    invoice = invoiced(brand)
    client = client_of(brand)

    as_json = client.get(f"/api/v1/invoices/{invoice.pk}")
    as_pdf = client.get(f"/api/v1/invoices/{invoice.pk}", HTTP_ACCEPT="application/pdf")
    as_csv = client.get(f"/api/v1/invoices/{invoice.pk}", HTTP_ACCEPT="text/csv")

    assert (as_json.json()["total"], as_json.json()["lines"][0]["quantity"]) == ("5.54", 1)
    assert as_pdf["Content-Type"] == "application/pdf"
    assert as_pdf.content.startswith(b"%PDF-")
    streamed = as_csv.streaming_content  # type: ignore[attr-defined]
    lines = b"".join(streamed).decode().splitlines()
    assert lines[1].startswith(f"{brand.pk * 100},")


def test_a_missing_invoice_answers_json_even_when_a_pdf_was_asked_for() -> None:
    response = client_of(factories.brand()).get("/api/v1/invoices/999999",
                                                HTTP_ACCEPT="application/pdf")

    assert (response.status_code, response["Content-Type"]) == (404, "application/json")


def test_billing_needs_its_scope() -> None:
    brand = factories.brand()

    response = client_of(brand, scopes=(ApiScope.INQUIRIES_READ.value,)).get("/api/v1/usage")

    assert (response.status_code, response.json()["required_scope"]) == (403, "billing:read")


def billed_inquiry(brand: Brand, *, at: datetime) -> int:
    inquiry = factories.inquiry(on=factories.queue(of=brand), now=at)
    bill_ticket(inquiry_id=inquiry.pk, brand_id=brand.pk, now=at)
    return inquiry.pk


def test_a_brand_disputes_its_ticket_by_api() -> None:
    brand = factories.brand()
    inquiry_id = billed_inquiry(brand, at=timezone.now())

    response = client_of(brand).post(f"/api/v1/inquiries/{inquiry_id}/dispute",
                                     {"reason": "wrong_answer", "note": "Misquoted."},
                                     format="json")
    again = client_of(brand).post(f"/api/v1/inquiries/{inquiry_id}/dispute",
                                  {"reason": "wrong_answer"}, format="json")

    assert (response.status_code, response.json()["status"]) == (201, "open")
    assert again.status_code == 409
    assert Dispute.objects.get().brand_id == brand.pk


def test_another_brands_ticket_cannot_be_disputed() -> None:
    brand, other = factories.brand(), factories.brand()
    inquiry_id = billed_inquiry(other, at=timezone.now())

    response = client_of(brand).post(f"/api/v1/inquiries/{inquiry_id}/dispute",
                                     {"reason": "wrong_answer"}, format="json")

    assert response.status_code == 404
    assert not Dispute.objects.exists()


def test_a_late_dispute_is_422_and_a_bad_reason_400() -> None:
    brand = factories.brand()
    inquiry_id = billed_inquiry(brand, at=timezone.now() - timedelta(days=15))

    late = client_of(brand).post(f"/api/v1/inquiries/{inquiry_id}/dispute",
                                 {"reason": "wrong_answer"}, format="json")
    bad = client_of(brand).post(f"/api/v1/inquiries/{inquiry_id}/dispute", {"reason": "meh"},
                                format="json")

    assert (late.status_code, late.json()["code"]) == (422, "dispute_window_closed")
    assert bad.status_code == 400
    assert not Dispute.objects.exists()

"""The monthly run: beat calls it hourly; only on the 1st in the billing zone does it issue the
month before's invoices, for every brand charged in it, once."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from billing.invoices.models import Invoice, VatRate
from marketplace.infra.errors import FieldErrors
from marketplace.invoicing import tasks
from marketplace.onboarding import services as onboarding_services
from tests import factories
from tests.billing.invoices.helpers import bill_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def irish_vat_rate() -> None:
    VatRate.objects.get_or_create(country="IE", valid_from=date(2024, 1, 1),
                                  defaults={"rate_percent": Decimal("23.00")})


def run_at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> int:
    monkeypatch.setattr(tasks.timezone, "now", lambda: moment)
    return tasks.invoice_brands_monthly()


def test_the_run_acts_on_the_first_in_the_billing_zone_only(
        monkeypatch: pytest.MonkeyPatch, settings: object) -> None:
    brand = factories.brand(name="Northwind")
    brand.vat_number = "DE136695976"
    brand.billing_email = "billing@northwind.example"
    brand.save()
    bill_ticket(inquiry_id=1, brand_id=brand.pk, now=datetime(2026, 11, 20, tzinfo=UTC))

    assert run_at(monkeypatch, datetime(2026, 11, 30, 23, 30, tzinfo=UTC)) == 0
    assert run_at(monkeypatch, datetime(2026, 12, 1, 0, 5, tzinfo=UTC)) == 1
    assert run_at(monkeypatch, datetime(2026, 12, 1, 1, 5, tzinfo=UTC)) == 1

    invoice = Invoice.objects.get()
    assert (invoice.brand_name, invoice.period_start, invoice.vat_treatment,
            invoice.billing_country, invoice.billing_email) == (
        "Northwind", date(2026, 11, 1), "reverse_charge", "DE", "billing@northwind.example")


def test_the_billing_pages_country_decides_vat_for_a_brand_without_a_vat_number(
        monkeypatch: pytest.MonkeyPatch) -> None:
    brand = factories.brand(name="Acme Inc")
    onboarding_services.brand_billing_update(
        actor=factories.brand_owner(of=brand), contact_name="Ann", email="", address="NYC",
        vat_number="", country="us")
    bill_ticket(inquiry_id=2, brand_id=brand.pk, now=datetime(2026, 11, 20, tzinfo=UTC))

    run_at(monkeypatch, datetime(2026, 12, 1, 0, 5, tzinfo=UTC))

    invoice = Invoice.objects.get()
    assert (invoice.billing_country, invoice.vat_treatment, invoice.vat_minor) == (
        "US", "outside_eu", 0)


def test_a_country_that_is_not_a_code_is_refused_and_nothing_changes() -> None:
    brand = factories.brand()

    with pytest.raises(FieldErrors):
        onboarding_services.brand_billing_update(
            actor=factories.brand_owner(of=brand), contact_name="Ann", email="", address="",
            vat_number="", country="United States")

    brand.refresh_from_db()
    assert (brand.billing_country, brand.billing_contact_name) == ("", "")

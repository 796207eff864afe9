"""The brand side of invoices and disputes: billing knows brands only by id, so this package
reads a brand's billing page and hands the details to billing, runs the month's invoices for
every brand (the beat task and the ops button), and lets a brand's people or its API key
dispute a ticket under the brand's own policy."""

from datetime import date, datetime

from billing.disputes import services as disputes_services
from billing.disputes.models import Dispute
from billing.invoices import selectors as invoices_selectors
from billing.invoices import services as invoices_services
from billing.invoices.models import Invoice
from marketplace.infra.errors import NotFound
from marketplace.onboarding.models import Brand, BrandMembership
from marketplace.onboarding.policy import require_brand_can_configure


def brand_billing_details(brand: Brand) -> invoices_services.BillingDetails:
    """The billing page's details. The country is the one the brand gave, else its VAT
    number's; with neither, the brand is invoiced as domestic."""
    return invoices_services.BillingDetails(
        brand_id=brand.pk, brand_name=brand.name, contact_name=brand.billing_contact_name,
        email=brand.billing_email, address=brand.billing_address, vat_number=brand.vat_number,
        country=brand.billing_country
        or invoices_services.brand_country_from_vat_number(brand.vat_number))


def brands_invoice_month(*, period_first: date, now: datetime) -> list[Invoice]:
    """Issues the month's invoice of every brand and currency charged in it; safe to rerun
    (an issued invoice is returned, not issued again)."""
    period = invoices_selectors.month_period(period_first)
    brands = Brand.objects.in_bulk({brand_id for brand_id, _ in
                                    invoices_selectors.brands_with_charges(period=period)})
    invoices = []
    for brand_id, currency in invoices_selectors.brands_with_charges(period=period):
        brand = brands.get(brand_id)
        if brand is None:
            continue
        invoices.append(invoices_services.invoice_run_for_brand(
            details=brand_billing_details(brand), currency=currency, period_first=period.first,
            now=now))
    return invoices


def invoice_issue_for_brand(*, invoice_id: int, now: datetime) -> Invoice:
    """Issues one draft (the ops page's button) with its brand's current details."""
    invoice = invoices_selectors.invoice_get(invoice_id=invoice_id)
    brand = Brand.objects.filter(pk=invoice.brand_id).first() if invoice else None
    if invoice is None or brand is None:
        raise NotFound("No such invoice.")
    return invoices_services.invoice_issue(invoice_id=invoice.pk,
                                           details=brand_billing_details(brand), now=now)


def brand_dispute_open(*, brand: Brand, actor: BrandMembership | None, actor_label: str,
                       inquiry_id: int, reason: str, note: str, now: datetime) -> Dispute:
    """A person must be allowed to configure the brand; an API key with the disputes scope
    (`actor` None) speaks for the brand already."""
    if actor is not None:
        require_brand_can_configure(actor, brand, action="dispute tickets")
    return disputes_services.dispute_open(brand_id=brand.pk, inquiry_id=inquiry_id,
                                          reason=reason, note=note, actor=actor_label, now=now)

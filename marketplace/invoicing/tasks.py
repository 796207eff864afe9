"""The monthly invoice run: hourly from beat, acting only on the 1st in the billing zone."""

from celery import shared_task
from django.utils import timezone

from billing.invoices import selectors as invoices_selectors
from marketplace.invoicing import services


@shared_task(name="marketplace.invoice_brands_monthly")
def invoice_brands_monthly() -> int:
    now = timezone.now()
    if now.astimezone(invoices_selectors.billing_zone()).day != 1:
        return 0
    return len(services.brands_invoice_month(
        period_first=invoices_selectors.previous_month(now).first, now=now))

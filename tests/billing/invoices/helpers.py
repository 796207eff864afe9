"""Billed tickets for invoice and dispute tests, through the same services production uses."""

from datetime import datetime
from decimal import Decimal

from billing.invoices import services as invoices_services
from billing.models import LedgerTransaction
from billing.money import Money
from billing.pricing import services as pricing_services

NORTHWIND = invoices_services.BillingDetails(
    brand_id=10, brand_name="Northwind", contact_name="Nora Finance",
    email="billing@northwind.example", address="1 Harbour Road\nDublin", vat_number="",
    country="IE")


def bill_ticket(*, inquiry_id: int, now: datetime, brand_id: int = 10, price: int = 450,
                rate: int = 300, currency: str = "EUR", queue_id: int = 1,
                queue_name: str = "Support", channel: str = "email",
                expert_id: int = 20) -> LedgerTransaction:
    invoices_services.billed_ticket_record(inquiry_id=inquiry_id, brand_id=brand_id,
                                           queue_id=queue_id, queue_name=queue_name,
                                           channel=channel)
    return pricing_services.ticket_resolution_bill(
        inquiry_id=inquiry_id, brand_id=brand_id, brand_name=f"Brand {brand_id}",
        expert_id=expert_id, expert_name="Ada", price=Money(minor=price, currency=currency),
        expert_base_rate=Money(minor=rate, currency=currency), premium_multiplier=Decimal("1"),
        now=now)

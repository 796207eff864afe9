"""Billed tickets for invoice and dispute tests, through the same services production uses."""

from datetime import datetime
from decimal import Decimal

from billing.invoices import services as invoices_services
from billing.models import LedgerTransaction
from billing.money import currency_exponent
from billing.pricing import services as pricing_services
from billing.terms import selectors as terms_selectors
from billing.terms import services as terms_services
from billing.terms.models import PremiumTier

NORTHWIND = invoices_services.BillingDetails(
    brand_id=10, brand_name="Northwind", contact_name="Nora Finance",
    email="billing@northwind.example", address="1 Harbour Road\nDublin", vat_number="",
    country="IE")


def bill_ticket(*, inquiry_id: int, now: datetime, brand_id: int = 10, price: int = 450,
                rate: int = 300, currency: str = "EUR", queue_id: int = 1,
                queue_name: str = "Support", channel: str = "email",
                expert_id: int = 20, reopened_at: datetime | None = None) -> LedgerTransaction:
    invoices_services.billed_ticket_record(inquiry_id=inquiry_id, brand_id=brand_id,
                                           queue_id=queue_id, queue_name=queue_name,
                                           channel=channel)
    contract_and_rate_card(brand_id=brand_id, price=price, rate=rate, currency=currency,
                           channel=channel, now=now)
    return pricing_services.ticket_resolution_bill(
        inquiry_id=inquiry_id, brand_id=brand_id, brand_name=f"Brand {brand_id}",
        expert_id=expert_id, expert_name="Ada", currency=currency, channel=channel,
        tier=PremiumTier.STANDARD, csat=pricing_services.ExpertCsat(percent=None, reviews=0),
        now=now, reopened_at=reopened_at)


def contract_and_rate_card(*, brand_id: int, price: int, rate: int, currency: str, channel: str,
                           now: datetime) -> None:
    """The brand's contract charges `price` and the rate card pays `rate` (minor units) for
    the channel, as ops would set them, so each test bills what it says."""
    exponent = currency_exponent(currency)

    def major(minor: int) -> str:
        return str(Decimal(minor).scaleb(-exponent))

    card = terms_selectors.rate_card_find(currency=currency)
    if card is None or card.base_rate_minor(channel) != rate:
        terms_services.rate_card_save(currency=currency, actor_id=None, actor_name="test",
                                      now=now, data={
            "email_rate": major(rate), "chat_rate": major(rate), "social_rate": major(rate),
            "list_price": major(price), "after_hours_multiplier": "1.25",
            "weekend_multiplier": "1.50", "holiday_multiplier": "2.00",
            "surge_multiplier": "1.75", "quality_bonus": "0", "quality_csat_threshold": "90",
            "quality_min_reviews": "10"})
    contract = terms_selectors.contract_find(brand_id=brand_id, currency=currency)
    if contract is None or contract.price_minor(channel) != price:
        terms_services.contract_save(brand_id=brand_id, brand_name=f"Brand {brand_id}",
                                     currency=currency, actor_id=None, actor_name="test",
                                     now=now, data={
            "email_price": major(price), "chat_price": major(price),
            "social_price": major(price)})

"""Pricing: what a resolved ticket costs the brand and earns the expert is decided here, and
only here, and posted through the ledger."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from billing.ledger.models import AccountKind, LedgerTransaction, TransactionKind
from billing.ledger.services import Posting, account_get_or_create, ledger_post
from billing.money import Money

DESCRIPTION_LOCALE = "en"


@dataclass(frozen=True)
class TicketPrice:
    """How one resolved ticket's price divides: the brand is charged `brand_charge`, the
    expert earns `expert_earning` (their base rate times the shift premium, capped at the
    price) and the platform keeps `platform_share`, the rest, never below zero."""

    brand_charge: Money
    expert_earning: Money
    platform_share: Money
    expert_base_rate: Money
    premium_multiplier: Decimal
    with_premium: Money

    @property
    def capped(self) -> bool:
        return self.with_premium > self.brand_charge


def ticket_price(*, price: Money, expert_base_rate: Money,
                 premium_multiplier: Decimal) -> TicketPrice:
    """Divides the brand's price per ticket. The premium is multiplied in once, rounded half
    up (`Money.__mul__`); the cap keeps the platform's share from going negative when a premium
    lifts the expert's pay above what the brand pays. Raises `CurrencyMismatch` when the price
    and the rate are in different currencies, ValueError on a negative amount or a premium
    below 1.00 (a premium never lowers pay)."""
    if price.minor < 0 or expert_base_rate.minor < 0:
        raise ValueError("a ticket's price and the expert's rate are zero or more")
    if premium_multiplier < 1:
        raise ValueError(f"a premium multiplier is 1.00 or more, not {premium_multiplier}")
    with_premium = expert_base_rate * premium_multiplier
    expert_earning = min(with_premium, price)
    return TicketPrice(
        brand_charge=price, expert_earning=expert_earning,
        platform_share=price - expert_earning, expert_base_rate=expert_base_rate,
        premium_multiplier=premium_multiplier, with_premium=with_premium,
    )


def ticket_resolution_bill(
    *,
    inquiry_id: int,
    brand_id: int,
    brand_name: str,
    expert_id: int,
    expert_name: str,
    price: Money,
    expert_base_rate: Money,
    premium_multiplier: Decimal,
    now: datetime,
) -> LedgerTransaction:
    """Prices a resolved ticket and posts it, exactly once per inquiry: the brand's receivable
    is charged the price, the expert's payable earns the base rate times the premium (never
    above the price), the platform's revenue keeps the rest. Each posting says which part it
    is, so the ledger explains itself. A second call (a retried task, a double click) returns
    the transaction already written under the inquiry's idempotency key and writes nothing."""
    split = ticket_price(price=price, expert_base_rate=expert_base_rate,
                         premium_multiplier=premium_multiplier)
    currency = price.currency
    brand_account = account_get_or_create(
        kind=AccountKind.BRAND_RECEIVABLE, owner_id=brand_id, currency=currency,
        name=f"{brand_name} receivable",
    )
    expert_account = account_get_or_create(
        kind=AccountKind.EXPERT_PAYABLE, owner_id=expert_id, currency=currency,
        name=f"{expert_name} payable",
    )
    platform_account = account_get_or_create(
        kind=AccountKind.PLATFORM_REVENUE, owner_id=None, currency=currency,
        name="Shiftline revenue",
    )
    ledger_transaction, _ = ledger_post(
        idempotency_key=f"ticket-resolved:{inquiry_id}",
        kind=TransactionKind.TICKET_RESOLVED,
        currency=currency,
        description=f"Inquiry #{inquiry_id} resolved",
        reference_inquiry_id=inquiry_id,
        postings=[
            Posting(brand_account, split.brand_charge.minor,
                    _brand_charge_description(split, brand_name, inquiry_id)),
            Posting(expert_account, -split.expert_earning.minor,
                    _expert_earning_description(split, expert_name)),
            Posting(platform_account, -split.platform_share.minor,
                    _platform_share_description(split)),
        ],
        now=now,
    )
    return ledger_transaction


def _shown(amount: Money) -> str:
    return amount.display(locale=DESCRIPTION_LOCALE)


def _brand_charge_description(split: TicketPrice, brand_name: str, inquiry_id: int) -> str:
    return f"{brand_name} charged {_shown(split.brand_charge)} for inquiry #{inquiry_id}"


def _expert_earning_description(split: TicketPrice, expert_name: str) -> str:
    text = (f"{expert_name} earns {_shown(split.expert_base_rate)} × premium "
            f"{split.premium_multiplier} = {_shown(split.with_premium)}")
    if split.capped:
        text += f", capped at the price {_shown(split.brand_charge)}"
    return text


def _platform_share_description(split: TicketPrice) -> str:
    return f"Shiftline keeps the rest: {_shown(split.platform_share)}"

"""Pricing: what a resolved ticket costs the brand and earns the expert is decided here, and
only here, from the brand's contract and the rate card (billing/terms/), and posted through
the ledger. The rules of billing a ticket live here too: an escalated ticket is neither billed
nor paid unless the contract has a confirmed-escalation fee; a ticket reopened within its
reopen window and resolved again is billed once; a disputed ticket accepted by ops is
reversed, never edited.

Billing knows no other app: the caller (routing/assignments) passes the ticket's channel, the
tier of the slot the expert worked and the expert's CSAT."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from billing.invoices import selectors as invoices_selectors
from billing.invoices import services as invoices_services
from billing.invoices.models import InvoiceStatus
from billing.ledger.models import (
    Account,
    AccountKind,
    LedgerTransaction,
    TransactionKind,
)
from billing.ledger.services import Posting, account_get_or_create, ledger_post
from billing.ledger.services import transaction_reverse as ledger_transaction_reverse
from billing.money import Money
from billing.terms import services as terms
from billing.terms.models import BrandContract, PremiumTier, RateCard
from marketplace.infra.push import brand_billing_group, push_to_group_on_commit

DESCRIPTION_LOCALE = "en"


BILLED_KINDS = (TransactionKind.TICKET_RESOLVED, TransactionKind.ESCALATION_CONFIRMED)


@dataclass(frozen=True)
class ExpertCsat:
    """The expert's CSAT over their last 50 counted ratings (experts/quality), as the
    caller read it: `percent` None when they have no such review."""

    percent: int | None
    reviews: int


@dataclass(frozen=True)
class TicketPrice:
    """How one resolved ticket divides: the brand is charged `brand_charge`; the expert
    earns `base` (the rate card's rate for the channel), `premium` (what the tier's
    multiplier adds to it) and `bonus` (the quality bonus, when earned); the platform keeps
    the rest, which is negative when the platform pays more than it charges."""

    brand_charge: Money
    base: Money
    premium: Money
    bonus: Money
    channel: str
    tier: str
    multiplier: Decimal
    brand_multiplier: Decimal
    csat: ExpertCsat
    csat_threshold: int

    @property
    def expert_earning(self) -> Money:
        return self.base + self.premium + self.bonus

    @property
    def platform_share(self) -> Money:
        return self.brand_charge - self.expert_earning


def quality_bonus_earned(*, rate_card: RateCard, csat: ExpertCsat) -> bool:
    """At or above the threshold, over at least the card's minimum number of reviews."""
    return (rate_card.quality_bonus_minor > 0 and csat.percent is not None
            and csat.reviews >= rate_card.quality_min_reviews
            and csat.percent >= rate_card.quality_csat_threshold)


def ticket_price(*, contract: BrandContract, rate_card: RateCard, channel: str, tier: str,
                 csat: ExpertCsat) -> TicketPrice:
    """Pay = base rate times the tier's multiplier (rounded half up once) + the quality bonus
    when earned; the brand's price is multiplied by the tier only when its contract says so.
    Raises ValueError on an unknown channel or tier, or a contract and card in different
    currencies."""
    if contract.currency != rate_card.currency:
        raise ValueError("the contract and the rate card are in different currencies")
    currency = contract.currency
    multiplier = rate_card.multiplier(tier)
    base = Money(minor=rate_card.base_rate_minor(channel), currency=currency)
    brand_multiplier = multiplier if contract.price_rises_with_tier else Decimal("1.00")
    bonus = (Money(minor=rate_card.quality_bonus_minor, currency=currency)
             if quality_bonus_earned(rate_card=rate_card, csat=csat) else Money.zero(currency))
    return TicketPrice(
        brand_charge=Money(minor=contract.price_minor(channel), currency=currency)
        * brand_multiplier,
        base=base, premium=base * multiplier - base, bonus=bonus, channel=channel, tier=tier,
        multiplier=multiplier, brand_multiplier=brand_multiplier, csat=csat,
        csat_threshold=rate_card.quality_csat_threshold,
    )


@dataclass(frozen=True)
class _Accounts:
    brand: Account
    expert: Account
    platform: Account


def _accounts(*, brand_id: int, brand_name: str, expert_id: int, expert_name: str,
              currency: str) -> _Accounts:
    return _Accounts(
        brand=account_get_or_create(kind=AccountKind.BRAND_RECEIVABLE, owner_id=brand_id,
                                    currency=currency, name=f"{brand_name} receivable"),
        expert=account_get_or_create(kind=AccountKind.EXPERT_PAYABLE, owner_id=expert_id,
                                     currency=currency, name=f"{expert_name} payable"),
        platform=account_get_or_create(kind=AccountKind.PLATFORM_REVENUE, owner_id=None,
                                       currency=currency, name="Shiftline revenue"),
    )


def _reopen_window(window: timedelta | None) -> timedelta:
    return window if window is not None else timedelta(
        hours=settings.BILLING_REOPEN_WINDOW_HOURS)


def _latest_bill(inquiry_id: int) -> LedgerTransaction | None:
    return (LedgerTransaction.objects
            .filter(reference_inquiry_id=inquiry_id, kind=TransactionKind.TICKET_RESOLVED)
            .order_by("-created_at", "-id").first())


def ticket_resolution_bill(
    *,
    inquiry_id: int,
    brand_id: int,
    brand_name: str,
    expert_id: int,
    expert_name: str,
    currency: str,
    channel: str,
    tier: str,
    csat: ExpertCsat,
    now: datetime,
    reopened_at: datetime | None = None,
    reopen_window: timedelta | None = None,
) -> LedgerTransaction:
    """Prices a resolved ticket and posts it, once: the brand's receivable is charged, the
    expert's payable earns the base rate, the premium and the bonus (three postings), the
    platform's revenue keeps the rest; each posting says which part it is.

    Billed once: a retried call (a double click, the auto-resolve sweep after a manual
    resolution) returns the transaction already written. A ticket resolved again after the
    customer reopened it (`reopened_at`, the latest reopening) within `reopen_window` of its
    bill is the same ticket: nothing new is posted. Reopened later than that, it is a new
    ticket, billed under a key of its own reopening, so that too is billed once."""
    previous = _latest_bill(inquiry_id)
    key = f"ticket-resolved:{inquiry_id}"
    if previous is not None:
        window = _reopen_window(reopen_window)
        if reopened_at is None or reopened_at <= previous.created_at + window:
            return previous
        key = f"ticket-resolved:{inquiry_id}:reopened:{reopened_at.isoformat()}"
    contract = terms.contract_get(brand_id=brand_id, brand_name=brand_name, currency=currency,
                                  now=now)
    rate_card = terms.rate_card_get(currency=currency, now=now)
    price = ticket_price(contract=contract, rate_card=rate_card, channel=channel, tier=tier,
                         csat=csat)
    accounts = _accounts(brand_id=brand_id, brand_name=brand_name, expert_id=expert_id,
                         expert_name=expert_name, currency=currency)
    ledger_transaction, created = ledger_post(
        idempotency_key=key, kind=TransactionKind.TICKET_RESOLVED, currency=currency,
        description=f"Inquiry #{inquiry_id} resolved ({channel}, {_tier_label(tier)})",
        reference_inquiry_id=inquiry_id, now=now,
        postings=[
            Posting(accounts.brand, price.brand_charge.minor,
                    _brand_charge_description(price, brand_name, inquiry_id)),
            Posting(accounts.expert, -price.base.minor,
                    f"{expert_name} earns the {channel} base rate {_shown(price.base)}"),
            Posting(accounts.expert, -price.premium.minor, _premium_description(price)),
            Posting(accounts.expert, -price.bonus.minor, _bonus_description(price)),
            Posting(accounts.platform, -price.platform_share.minor,
                    _platform_share_description(price)),
        ],
    )
    if created:
        _push_usage(brand_id)
    return ledger_transaction


def _push_usage(brand_id: int) -> None:
    """The brand's open billing pages redraw this month's usage, after commit."""
    push_to_group_on_commit(brand_billing_group(brand_id), "usage.changed", brand_id=brand_id)


def ticket_escalated(*, inquiry_id: int, now: datetime,
                     reopen_window: timedelta | None = None) -> LedgerTransaction | None:
    """An escalated ticket is neither billed nor paid. When it was billed at a resolution
    the customer then reopened within its window (the escalation ends the same ticket), that
    bill is reversed; returns the reversal, or None when there was nothing to undo (no bill in
    the window, or its charge already credited by an accepted dispute).

    The bill's month's invoice is locked first (created as a draft when missing, as a
    dispute's decision does), so an invoice run meets the reversal either before it (the
    ticket is not on the invoice) or after it: then the charge taken back is credited by a
    credit note against the issued invoice, once."""
    previous = _latest_bill(inquiry_id)
    if previous is None or now > previous.created_at + _reopen_window(reopen_window):
        return None
    charge = (previous.entries.filter(account__kind=AccountKind.BRAND_RECEIVABLE)
              .select_related("account").first())
    with transaction.atomic():
        invoice = None
        if charge is not None and charge.account.owner_id is not None:
            invoice = invoices_services.invoice_lock_for_month(
                brand_id=charge.account.owner_id, currency=previous.currency,
                period_first=invoices_selectors.month_of(previous.created_at).first,
                details=None, now=now)
        already = LedgerTransaction.objects.filter(reverses=previous).first()
        if already is not None:
            return already
        if _credited_by_dispute(previous):
            return None
        reversal = ledger_transaction_reverse(
            transaction_id=previous.pk, now=now,
            reason=f"Inquiry #{inquiry_id} escalated: not billed, not paid")
        if charge is not None and charge.account.owner_id is not None:
            _push_usage(charge.account.owner_id)
        if charge is not None and invoice is not None and invoice.status in (
                InvoiceStatus.ISSUED, InvoiceStatus.PAID):
            invoices_services.credit_note_issue(
                invoice=invoice, inquiry_id=inquiry_id, amount_minor=charge.amount_minor,
                now=now, cause=f"ticket #{inquiry_id} escalated after it was resolved")
    return reversal


def _credited_by_dispute(bill: LedgerTransaction) -> bool:
    """An accepted dispute takes back a ticket's first resolution (billing/disputes) in a
    transaction of its own, not linked as a reversal."""
    first = (LedgerTransaction.objects
             .filter(reference_inquiry_id=bill.reference_inquiry_id,
                     kind=TransactionKind.TICKET_RESOLVED)
             .order_by("id").values_list("pk", flat=True).first())
    return first == bill.pk and LedgerTransaction.objects.filter(
        reference_inquiry_id=bill.reference_inquiry_id,
        kind=TransactionKind.DISPUTE_ACCEPTED).exists()


def ticket_escalation_confirm_bill(
    *, inquiry_id: int, brand_id: int, brand_name: str, expert_id: int, expert_name: str,
    currency: str, now: datetime,
) -> LedgerTransaction | None:
    """The brand confirmed an escalation: with a confirmed-escalation fee on its contract the
    brand is billed the fee, the expert earns the contract's share of it and the platform
    keeps the rest, once per inquiry. Without a fee nothing is posted (None)."""
    contract = terms.contract_get(brand_id=brand_id, brand_name=brand_name, currency=currency,
                                  now=now)
    if contract.escalation_fee_minor is None:
        return None
    fee = Money(minor=contract.escalation_fee_minor, currency=currency)
    share = Decimal(contract.escalation_expert_share_percent or 0) / 100
    expert_part = fee * share
    accounts = _accounts(brand_id=brand_id, brand_name=brand_name, expert_id=expert_id,
                         expert_name=expert_name, currency=currency)
    ledger_transaction, _ = ledger_post(
        idempotency_key=f"escalation-confirmed:{inquiry_id}",
        kind=TransactionKind.ESCALATION_CONFIRMED, currency=currency,
        description=f"Inquiry #{inquiry_id} escalation confirmed",
        reference_inquiry_id=inquiry_id, now=now,
        postings=[
            Posting(accounts.brand, fee.minor,
                    f"{brand_name} charged the escalation fee {_shown(fee)} for inquiry "
                    f"#{inquiry_id}"),
            Posting(accounts.expert, -expert_part.minor,
                    f"{expert_name} earns {contract.escalation_expert_share_percent}% of the "
                    f"escalation fee: {_shown(expert_part)}"),
            Posting(accounts.platform, -(fee - expert_part).minor,
                    f"Shiftline keeps the rest of the fee: {_shown(fee - expert_part)}"),
        ],
    )
    return ledger_transaction


def ticket_bill_reverse(*, inquiry_id: int, reason: str, now: datetime,
                        kind: TransactionKind = TransactionKind.DISPUTE_ACCEPTED,
                        ) -> list[LedgerTransaction]:
    """Reverses every bill of the ticket not yet reversed (its resolutions and a confirmed
    escalation): the brand's charge and the expert's pay come back, netted against what is
    owed, never edited. Idempotent: a bill is reversed once."""
    bills = (LedgerTransaction.objects
             .filter(reference_inquiry_id=inquiry_id, kind__in=BILLED_KINDS,
                     reversed_by__isnull=True)
             .order_by("created_at", "id").values_list("pk", flat=True))
    return [ledger_transaction_reverse(transaction_id=pk, reason=reason, now=now, kind=kind)
            for pk in list(bills)]


def _shown(amount: Money) -> str:
    return amount.display(locale=DESCRIPTION_LOCALE)


def _tier_label(tier: str) -> str:
    return str(PremiumTier(tier).label).lower()


def _brand_charge_description(price: TicketPrice, brand_name: str, inquiry_id: int) -> str:
    text = f"{brand_name} charged {_shown(price.brand_charge)} for {price.channel} inquiry " \
           f"#{inquiry_id}"
    if price.brand_multiplier != 1:
        text += f" ({_tier_label(price.tier)} × {price.brand_multiplier})"
    return text


def _premium_description(price: TicketPrice) -> str:
    return (f"{PremiumTier(price.tier).label} premium: {_shown(price.base)} × "
            f"{price.multiplier} = {_shown(price.base + price.premium)}, "
            f"{_shown(price.premium)} on top")


def _bonus_description(price: TicketPrice) -> str:
    return (f"Quality bonus {_shown(price.bonus)}: CSAT {price.csat.percent}% over "
            f"{price.csat.reviews} reviews, at or above {price.csat_threshold}%")


def _platform_share_description(price: TicketPrice) -> str:
    if price.platform_share.minor < 0:
        return f"Shiftline pays {_shown(-price.platform_share)} more than it charges"
    return f"Shiftline keeps the rest: {_shown(price.platform_share)}"

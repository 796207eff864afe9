"""Pricing reads: what a shift pays per ticket (the rule `services.expert_pay` applies to a
resolved ticket) and an expert's earnings ticket by ticket, split into the parts pricing
posted (base rate, premium, bonus), with the brand and the weekly payout each is in.

Billing knows no other app: the inquiry's subject comes from the caller (`subjects`)."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef

from billing.ledger.models import (
    AccountKind,
    LedgerEntry,
    LedgerTransaction,
    TransactionKind,
)
from billing.money import Money
from billing.payouts.models import Payout, PayoutStatus
from billing.pricing.services import (
    BASE_RATE_MARKER,
    BONUS_PREFIX,
    PREMIUM_MARKER,
    ExpertPay,
    expert_pay,
)
from billing.terms import services as terms
from billing.terms.models import RateCard
from billing.weeks import payout_week_containing

RECEIVABLE_SUFFIX = " receivable"
REVERSAL_PREFIX = "Reversal of: "
PAYOUT_KINDS = (TransactionKind.PAYOUT_CREATED, TransactionKind.PAYOUT_PAID,
                TransactionKind.PAYOUT_FAILED)


def expert_pay_for(*, combinations: Iterable[tuple[str, str, str]], now: datetime
                   ) -> dict[tuple[str, str, str], ExpertPay]:
    """Per (currency, channel, tier), what an expert earns per resolved ticket before a
    quality bonus, from the currency's rate card (its defaults while none is saved). One
    query, whatever the count of combinations."""
    wanted = set(combinations)
    currencies = {currency for currency, _, _ in wanted}
    cards: dict[str, RateCard] = {card.currency: card for card in
                                  RateCard.objects.filter(currency__in=currencies)}
    for currency in currencies - cards.keys():
        cards[currency] = terms.rate_card_unsaved_default(currency=currency, now=now)
    return {(currency, channel, tier): expert_pay(rate_card=cards[currency], channel=channel,
                                                  tier=tier)
            for currency, channel, tier in wanted}


@dataclass(frozen=True)
class PayoutOfEarning:
    week_start: date
    status: str
    status_label: str


@dataclass(frozen=True)
class EarningRow:
    """One ledger transaction on the expert's payable (a resolved ticket, a confirmed
    escalation, a reversal), as what it did to what they are owed: positive earned."""

    transaction_id: int
    created_at: datetime
    kind: str
    kind_label: str
    inquiry_id: int | None
    subject: str
    brand_name: str
    base: Money | None
    premium: Money | None
    bonus: Money | None
    total: Money
    payout_week_start: date
    payout: PayoutOfEarning | None


def _part(description: str) -> str:
    text = description.removeprefix(REVERSAL_PREFIX)
    if text.startswith(BONUS_PREFIX):
        return "bonus"
    if PREMIUM_MARKER in text:
        return "premium"
    if BASE_RATE_MARKER in text:
        return "base"
    return "other"


def _row(ledger_transaction: LedgerTransaction, entries: Sequence[LedgerEntry], *,
         subjects: Mapping[int, str], payouts: Mapping[tuple[date, str], Payout]
         ) -> EarningRow:
    mine = [entry for entry in entries if entry.account.kind == AccountKind.EXPERT_PAYABLE]
    brands = [entry.account.name.removesuffix(RECEIVABLE_SUFFIX) for entry in entries
              if entry.account.kind == AccountKind.BRAND_RECEIVABLE]
    currency = mine[0].account.currency
    parts: dict[str, Money] = {}
    for entry in mine:
        part = _part(entry.description)
        parts[part] = parts.get(part, Money.zero(currency)) + Money(
            minor=-entry.amount_minor, currency=currency)
    total = sum((amount for amount in parts.values()), Money.zero(currency))
    priced = "base" in parts
    week = payout_week_containing(ledger_transaction.created_at)
    payout = payouts.get((week.start, currency))
    inquiry_id = ledger_transaction.reference_inquiry_id
    return EarningRow(
        transaction_id=ledger_transaction.pk, created_at=ledger_transaction.created_at,
        kind=ledger_transaction.kind, kind_label=ledger_transaction.get_kind_display(),
        inquiry_id=inquiry_id,
        subject=subjects.get(inquiry_id, "") if inquiry_id is not None else "",
        brand_name=brands[0] if brands else "",
        base=parts.get("base") if priced else None,
        premium=parts.get("premium", Money.zero(currency)) if priced else None,
        bonus=parts.get("bonus", Money.zero(currency)) if priced else None,
        total=total, payout_week_start=week.start,
        payout=PayoutOfEarning(week_start=week.start, status=payout.status,
                               status_label=payout.get_status_display())
        if payout is not None else None,
    )


def expert_earning_page(*, expert_id: int, page_number: int | str | None, per_page: int,
                        subjects: Callable[[list[int]], Mapping[int, str]]) -> Page:
    """One page of the expert's earnings, newest first, as `EarningRow`s: every transaction
    on their payable but the payouts themselves. Four queries whatever the page's length
    (count, the page's transactions, their entries, the payouts of their weeks) plus one
    `subjects` call with the page's inquiry ids."""
    on_my_payable = LedgerEntry.objects.filter(
        transaction=OuterRef("pk"), account__kind=AccountKind.EXPERT_PAYABLE,
        account__owner_id=expert_id)
    transactions = (LedgerTransaction.objects.filter(Exists(on_my_payable))
                    .exclude(kind__in=PAYOUT_KINDS).order_by("-created_at", "-id"))
    page = Paginator(transactions, per_page).get_page(page_number)
    chosen = list(page.object_list)
    entries: dict[int, list[LedgerEntry]] = {}
    for entry in (LedgerEntry.objects.select_related("account")
                  .filter(transaction__in=[row.pk for row in chosen],
                          account__kind__in=[AccountKind.BRAND_RECEIVABLE,
                                             AccountKind.EXPERT_PAYABLE])
                  .order_by("id")):
        if (entry.account.kind == AccountKind.EXPERT_PAYABLE
                and entry.account.owner_id != expert_id):
            continue
        entries.setdefault(entry.transaction_id, []).append(entry)
    weeks = {payout_week_containing(row.created_at).start for row in chosen}
    payouts = {(payout.batch.week_start, payout.currency): payout for payout in
               Payout.objects.select_related("batch").filter(
                   expert_id=expert_id, batch__week_start__in=weeks)
               .exclude(status=PayoutStatus.CARRIED)} if chosen else {}
    inquiry_ids = sorted({row.reference_inquiry_id for row in chosen
                          if row.reference_inquiry_id is not None})
    found = subjects(inquiry_ids) if inquiry_ids else {}
    rows: list[Any] = [_row(row, entries.get(row.pk, []), subjects=found, payouts=payouts)
                       for row in chosen]
    page.object_list = rows
    return page

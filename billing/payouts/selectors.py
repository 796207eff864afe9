"""Payout reads: balances owed at an instant, a batch's totals and progress, an expert's
statement for a week, and the bank files ops upload."""

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.module_loading import import_string
from sepaxml import SepaTransfer
from sepaxml.validation import ValidationError as SepaValidationError

from billing.ledger.models import AccountKind, LedgerEntry, TransactionKind
from billing.money import Money
from billing.payouts.models import (
    BatchStatus,
    Payout,
    PayoutBatch,
    PayoutDetails,
    PayoutMethod,
    PayoutStatus,
)
from billing.weeks import PayoutWeek, payout_week_containing, payout_week_starting
from marketplace.infra.errors import Conflict, NotFound, RuleViolation

PAYABLE_SUFFIX = " payable"


@dataclass(frozen=True)
class Owed:
    expert_id: int
    currency: str
    amount_minor: int
    expert_name: str


PAYOUT_KINDS = [TransactionKind.PAYOUT_CREATED, TransactionKind.PAYOUT_FAILED]
SENDING = [PayoutStatus.PENDING, PayoutStatus.SENT, PayoutStatus.PAID]


def payable_owed_before(instant: datetime, *, expert_id: int | None = None
                        ) -> dict[tuple[int, str], Owed]:
    """What the platform owed each expert, per currency, at `instant`: what their payable earned
    before it (tickets, premiums, bonuses, adjustments, reversals) less every payout of a batch
    of an earlier week that was not a failure. Counting payouts by batch rather than by their
    ledger posting makes the figure independent of when a batch was executed. Two grouped
    queries, whatever the count of experts."""
    entries = LedgerEntry.objects.filter(account__kind=AccountKind.EXPERT_PAYABLE,
                                         transaction__created_at__lt=instant)
    payouts = Payout.objects.filter(status__in=SENDING, batch__period_end__lte=instant)
    if expert_id is not None:
        entries = entries.filter(account__owner_id=expert_id)
        payouts = payouts.filter(expert_id=expert_id)
    earned = (entries.exclude(transaction__kind__in=PAYOUT_KINDS)
              .values_list("account__owner_id", "account__currency", "account__name")
              .annotate(total=Sum("amount_minor")))
    paid = dict(((expert, currency), total) for expert, currency, total in
                payouts.values_list("expert_id", "currency").annotate(total=Sum("amount_minor")))
    return {
        (owner_id, currency): Owed(
            expert_id=owner_id, currency=currency,
            amount_minor=-total - paid.get((owner_id, currency), 0),
            expert_name=name.removesuffix(PAYABLE_SUFFIX),
        )
        for owner_id, currency, name, total in earned
    }


def payout_details_for(*, expert_ids: Iterable[int]) -> dict[int, PayoutDetails]:
    return {details.expert_id: details
            for details in PayoutDetails.objects.filter(expert_id__in=list(expert_ids))}


def payout_details_get(*, expert_id: int) -> PayoutDetails | None:
    return PayoutDetails.objects.filter(expert_id=expert_id).first()


def payout_batch_list() -> QuerySet[PayoutBatch]:
    return PayoutBatch.objects.annotate(payout_count=Count("payouts")).order_by("-week_start")


def payout_batch_get(*, batch_id: int) -> PayoutBatch:
    batch = PayoutBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        raise NotFound(f"No payout batch {batch_id}.")
    return batch


def payout_list_for_batch(*, batch: PayoutBatch) -> QuerySet[Payout]:
    return batch.payouts.order_by("status", "expert_name", "expert_id", "currency")


def payout_get(*, payout_id: int, batch_id: int | None = None) -> Payout:
    payouts = Payout.objects.select_related("batch")
    if batch_id is not None:
        payouts = payouts.filter(batch_id=batch_id)
    payout = payouts.filter(pk=payout_id).first()
    if payout is None:
        raise NotFound(f"No payout {payout_id}.")
    return payout


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    to_pay: Money
    held: Money
    carried: Money
    payouts: int


def payout_batch_totals(*, batch: PayoutBatch) -> list[CurrencyTotal]:
    """Per currency: what the batch pays (pending, sent, paid), holds and carries over."""
    to_pay = Q(status__in=[PayoutStatus.PENDING, PayoutStatus.SENT, PayoutStatus.PAID])
    rows = (
        batch.payouts.values("currency")
        .annotate(
            to_pay=Sum("amount_minor", filter=to_pay, default=0),
            held=Sum("amount_minor", filter=Q(status=PayoutStatus.HELD), default=0),
            carried=Sum("amount_minor", filter=Q(status=PayoutStatus.CARRIED), default=0),
            payouts=Count("id", filter=to_pay),
        )
        .order_by("currency")
    )
    return [CurrencyTotal(currency=row["currency"],
                          to_pay=Money(minor=row["to_pay"], currency=row["currency"]),
                          held=Money(minor=row["held"], currency=row["currency"]),
                          carried=Money(minor=row["carried"], currency=row["currency"]),
                          payouts=row["payouts"]) for row in rows]


@dataclass(frozen=True)
class Progress:
    total: int
    done: int
    sent: int
    paid: int
    failed: int
    status: str

    @property
    def percent(self) -> int:
        return 100 if self.total == 0 else self.done * 100 // self.total

    @property
    def running(self) -> bool:
        return self.status == BatchStatus.EXECUTING


def payout_batch_progress(*, batch_id: int) -> Progress:
    """How far execution has gone: of the payouts to send, how many have left (sent, paid or
    failed). One query."""
    batch = payout_batch_get(batch_id=batch_id)
    counts = batch.payouts.aggregate(
        total=Count("id", filter=~Q(status__in=[PayoutStatus.HELD, PayoutStatus.CARRIED])),
        pending=Count("id", filter=Q(status=PayoutStatus.PENDING)),
        sent=Count("id", filter=Q(status=PayoutStatus.SENT)),
        paid=Count("id", filter=Q(status=PayoutStatus.PAID)),
        failed=Count("id", filter=Q(status=PayoutStatus.FAILED)),
    )
    return Progress(total=counts["total"], done=counts["total"] - counts["pending"],
                    sent=counts["sent"], paid=counts["paid"], failed=counts["failed"],
                    status=batch.status)


@dataclass(frozen=True)
class StatementLine:
    created_at: datetime
    kind: str
    kind_label: str
    inquiry_id: int | None
    description: str
    amount: Money


@dataclass(frozen=True)
class Statement:
    expert_id: int
    currency: str
    week: PayoutWeek
    brought_forward: Money
    lines: list[StatementLine]

    @property
    def closing(self) -> Money:
        total = self.brought_forward
        for line in self.lines:
            total = total + line.amount
        return total

    @property
    def earned(self) -> Money:
        total = Money.zero(self.currency)
        for line in self.lines:
            total = total + line.amount
        return total


def expert_statements(*, expert_id: int, week_start: date) -> list[Statement]:
    """Every movement of the expert's payable in the week, per currency, as money owed to them
    (an earning is positive, a payout or a reversal negative), after what was owed at the week's
    start. Two queries."""
    week = payout_week_starting(week_start)
    entries = (
        LedgerEntry.objects.filter(account__kind=AccountKind.EXPERT_PAYABLE,
                                   account__owner_id=expert_id,
                                   transaction__created_at__gte=week.period_start,
                                   transaction__created_at__lt=week.period_end)
        .select_related("transaction", "account")
        .order_by("transaction__created_at", "id")
    )
    opening = (
        LedgerEntry.objects.filter(account__kind=AccountKind.EXPERT_PAYABLE,
                                   account__owner_id=expert_id,
                                   transaction__created_at__lt=week.period_start)
        .values_list("account__currency").annotate(total=Sum("amount_minor"))
    )
    brought_forward = {currency: -total for currency, total in opening}
    lines: dict[str, list[StatementLine]] = {}
    for entry in entries:
        currency = entry.account.currency
        lines.setdefault(currency, []).append(StatementLine(
            created_at=entry.transaction.created_at, kind=entry.transaction.kind,
            kind_label=entry.transaction.get_kind_display(),
            inquiry_id=entry.transaction.reference_inquiry_id,
            description=entry.description or entry.transaction.description,
            amount=Money(minor=-entry.amount_minor, currency=currency),
        ))
    currencies = sorted(set(lines) | {c for c, total in brought_forward.items() if total})
    return [Statement(expert_id=expert_id, currency=currency, week=week,
                      brought_forward=Money(minor=brought_forward.get(currency, 0),
                                            currency=currency),
                      lines=lines.get(currency, [])) for currency in currencies]


def expert_statement_weeks(*, expert_id: int, now: datetime, count: int = 12) -> list[PayoutWeek]:
    """The expert's latest weeks, the current one first."""
    current = payout_week_containing(now)
    return [payout_week_starting(date.fromordinal(current.start.toordinal() - 7 * weeks_back))
            for weeks_back in range(count)]


def expert_payouts(*, expert_id: int, limit: int = 20) -> QuerySet[Payout]:
    return (Payout.objects.filter(expert_id=expert_id).select_related("batch")
            .order_by("-batch__week_start", "currency")[:limit])


@dataclass(frozen=True)
class NextPayout:
    week: PayoutWeek
    amount: Money
    minimum: Money

    @property
    def below_minimum(self) -> bool:
        return self.amount < self.minimum


def payout_minimum(currency: str) -> Money:
    return Money.parse(settings.PAYOUT_MINIMUM_AMOUNT, currency=currency)


def expert_next_payouts(*, expert_id: int, now: datetime) -> list[NextPayout]:
    """Per currency: the week now running, paid after its cut-off, and what the expert is owed
    so far (earned until now, less every payout already drafted)."""
    week = payout_week_containing(now)
    owed = payable_owed_before(now, expert_id=expert_id)
    return [NextPayout(week=week, amount=Money(minor=item.amount_minor, currency=currency),
                       minimum=payout_minimum(currency))
            for (_, currency), item in sorted(owed.items())]


def _bank_payouts(batch: PayoutBatch) -> QuerySet[Payout]:
    return batch.payouts.filter(method=PayoutMethod.BANK_FILE,
                                status__in=[PayoutStatus.SENT, PayoutStatus.PAID])


def bank_file_csv(*, batch: PayoutBatch) -> str:
    """One row per bank-file payout sent in the batch: what ops upload to a bank that takes CSV."""
    payouts = list(_bank_payouts(batch))
    details = payout_details_for(expert_ids=[payout.expert_id for payout in payouts])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["payout_id", "expert_id", "account_holder", "iban", "bic", "amount",
                     "currency", "reference"])
    for payout in payouts:
        payee = details.get(payout.expert_id)
        writer.writerow([
            payout.pk, payout.expert_id, payee.account_holder if payee else "",
            payee.iban if payee else "", payee.bic if payee else "",
            Money(minor=payout.amount_minor, currency=payout.currency).amount,
            payout.currency, _remittance(payout),
        ])
    return out.getvalue()


def _remittance(payout: Payout) -> str:
    return f"Shiftline payout {payout.pk} week {payout.batch.week_start.isoformat()}"


def bank_file_sepa_xml(*, batch: PayoutBatch, execution_date: date) -> bytes:
    """A SEPA credit transfer (pain.001.001.03) of the batch's euro bank-file payouts, drawn by
    sepaxml and checked against its schema."""
    transfer = SepaTransfer({
        "name": settings.PAYOUT_BANK_ACCOUNT_NAME, "IBAN": settings.PAYOUT_BANK_IBAN,
        "BIC": settings.PAYOUT_BANK_BIC, "batch": True, "currency": "EUR",
    }, clean=True)
    payouts = [payout for payout in _bank_payouts(batch).select_related("batch")
               if payout.currency == "EUR"]
    if not payouts:
        raise Conflict("No euro bank transfers have been sent in this batch yet.")
    details = payout_details_for(expert_ids=[payout.expert_id for payout in payouts])
    for payout in payouts:
        payee = details[payout.expert_id]
        payment = {
            "name": payee.account_holder, "IBAN": payee.iban, "amount": payout.amount_minor,
            "execution_date": execution_date, "description": _remittance(payout),
            "endtoend_id": payout.idempotency_key,
        }
        if payee.bic:
            payment["BIC"] = payee.bic
        transfer.add_payment(payment)
    try:
        xml: bytes = transfer.export(validate=True)
    except SepaValidationError as error:
        raise RuleViolation(f"The SEPA file would not be valid: {error}") from error
    return xml


# Why an expert is held from a payout, from the apps that know: billing imports no other app, so
# each source is named by its dotted path in settings.PAYOUT_HOLD_SOURCES (the experts app's
# suspended experts; the disputes' experts with open disputes when they exist) and called with
# `now`; each returns {expert id: reason}. Experts without payout details are held by the batch.
HoldSource = Callable[..., Mapping[int, str]]


def payout_holds_collect(*, now: datetime) -> dict[int, str]:
    """Every hold source's experts and reasons, merged."""
    holds: dict[int, str] = {}
    for path in settings.PAYOUT_HOLD_SOURCES:
        source: HoldSource = import_string(path)
        for expert_id, reason in source(now=now).items():
            holds[expert_id] = f"{holds[expert_id]}; {reason}" if expert_id in holds else reason
    return holds

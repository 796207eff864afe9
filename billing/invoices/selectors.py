"""Invoice reads: what a brand used in a period (from the ledger, labelled by the billed-ticket
record), its invoices, the VAT rate in force, and the streamed per-ticket detail."""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from billing.invoices.models import BilledTicket, Invoice, InvoiceStatus, VatRate
from billing.ledger.models import AccountKind, LedgerEntry, TransactionKind
from billing.money import Money

UNKNOWN_QUEUE = "Other queues"
UNKNOWN_CHANNEL = "unknown"


@dataclass(frozen=True)
class Period:
    """A calendar month in the billing zone: `first` to `last` inclusive, as UTC bounds."""

    first: date
    last: date
    starts_at: datetime
    ends_at: datetime


def billing_zone() -> ZoneInfo:
    return ZoneInfo(settings.SHIFTLINE_BILLING_ZONE)


def month_period(first: date) -> Period:
    zone = billing_zone()
    first = first.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period(first=first, last=following - timedelta(days=1),
                  starts_at=datetime.combine(first, time(), tzinfo=zone),
                  ends_at=datetime.combine(following, time(), tzinfo=zone))


def month_of(moment: datetime) -> Period:
    return month_period(moment.astimezone(billing_zone()).date())


def previous_month(moment: datetime) -> Period:
    return month_period(month_of(moment).first - timedelta(days=1))


@dataclass(frozen=True)
class UsageLine:
    queue_name: str
    channel: str
    unit: Money
    quantity: int

    @property
    def amount(self) -> Money:
        return Money(minor=self.unit.minor * self.quantity, currency=self.unit.currency)


def _brand_entries(*, brand_id: int, currency: str | None = None) -> QuerySet[LedgerEntry]:
    entries = LedgerEntry.objects.filter(account__kind=AccountKind.BRAND_RECEIVABLE,
                                         account__owner_id=brand_id)
    if currency is not None:
        entries = entries.filter(account__currency=currency)
    return entries


def _ticket_entries(*, brand_id: int, period: Period,
                    currency: str | None = None) -> QuerySet[Any]:
    """The brand-receivable entries of tickets resolved in the period, each annotated with
    its queue and channel (`queue_label`, `channel_label`) from the billed-ticket record."""
    billed = BilledTicket.objects.filter(inquiry_id=OuterRef("transaction__reference_inquiry_id"))
    return (
        _brand_entries(brand_id=brand_id, currency=currency)
        .filter(transaction__kind=TransactionKind.TICKET_RESOLVED,
                transaction__created_at__gte=period.starts_at,
                transaction__created_at__lt=period.ends_at)
        # A resolution the escalation of its reopened ticket took back was not billed.
        .exclude(transaction__reversed_by__kind=TransactionKind.REVERSAL)
        .annotate(
            queue_label=Coalesce(Subquery(billed.values("queue_name")[:1]), Value(UNKNOWN_QUEUE)),
            channel_label=Coalesce(Subquery(billed.values("channel")[:1]),
                                   Value(UNKNOWN_CHANNEL)),
        )
    )


def usage_lines(*, brand_id: int, period: Period) -> dict[str, list[UsageLine]]:
    """Resolved tickets per currency, queue, channel and price: one grouped query."""
    rows = (
        _ticket_entries(brand_id=brand_id, period=period)
        .values("account__currency", "queue_label", "channel_label", "amount_minor")
        .annotate(quantity=Count("id"))
        .order_by("account__currency", "queue_label", "channel_label", "amount_minor")
    )
    usage: dict[str, list[UsageLine]] = {}
    for row in rows:
        currency = row["account__currency"]
        usage.setdefault(currency, []).append(UsageLine(
            queue_name=row["queue_label"], channel=row["channel_label"],
            unit=Money(minor=row["amount_minor"], currency=currency), quantity=row["quantity"],
        ))
    return usage


def usage_totals(lines: dict[str, list[UsageLine]]) -> dict[str, tuple[int, Money]]:
    """Per currency: tickets and amount."""
    return {
        currency: (sum(line.quantity for line in rows),
                   Money(minor=sum(line.amount.minor for line in rows), currency=currency))
        for currency, rows in lines.items()
    }


def escalation_fees(*, brand_id: int, currency: str, period: Period) -> list[tuple[int, int]]:
    """(unit, count) of the confirmed-escalation fees charged in the period."""
    rows = (
        _brand_entries(brand_id=brand_id, currency=currency)
        .filter(transaction__kind=TransactionKind.ESCALATION_CONFIRMED,
                transaction__created_at__gte=period.starts_at,
                transaction__created_at__lt=period.ends_at)
        .values("amount_minor").annotate(quantity=Count("id")).order_by("amount_minor")
    )
    return [(row["amount_minor"], row["quantity"]) for row in rows]


def accepted_dispute_credits(*, brand_id: int, currency: str,
                             period: Period) -> list[tuple[int, int]]:
    """(inquiry id, credited amount as a negative) for accepted disputes of tickets first
    billed in the period; they are credited on the period's invoice when accepted before it
    is issued. A dispute takes back a ticket's first charge (billing/disputes), so a ticket
    billed again in a later month after a late reopening is credited on its first month's
    invoice only."""
    resolutions = _brand_entries(brand_id=brand_id, currency=currency).filter(
        transaction__kind=TransactionKind.TICKET_RESOLVED)
    billed_in_period = (
        resolutions.filter(transaction__created_at__gte=period.starts_at,
                           transaction__created_at__lt=period.ends_at)
        .exclude(transaction__reference_inquiry_id__in=resolutions.filter(
            transaction__created_at__lt=period.starts_at)
            .values("transaction__reference_inquiry_id"))
        .values("transaction__reference_inquiry_id")
    )
    rows = (
        _brand_entries(brand_id=brand_id, currency=currency)
        .filter(transaction__kind=TransactionKind.DISPUTE_ACCEPTED,
                transaction__reference_inquiry_id__in=billed_in_period)
        .values("transaction__reference_inquiry_id")
        .annotate(amount=Sum("amount_minor"))
        .order_by("transaction__reference_inquiry_id")
    )
    return [(row["transaction__reference_inquiry_id"], row["amount"]) for row in rows]


def brands_with_charges(*, period: Period) -> list[tuple[int, str]]:
    """(brand id, currency) of every brand charged anything in the period."""
    rows = (
        LedgerEntry.objects.filter(
            account__kind=AccountKind.BRAND_RECEIVABLE,
            transaction__kind__in=[TransactionKind.TICKET_RESOLVED,
                                   TransactionKind.ESCALATION_CONFIRMED],
            transaction__created_at__gte=period.starts_at,
            transaction__created_at__lt=period.ends_at)
        .values_list("account__owner_id", "account__currency").distinct()
        .order_by("account__owner_id", "account__currency")
    )
    return [(owner_id, currency) for owner_id, currency in rows if owner_id is not None]


def ticket_detail_rows(*, invoice: Invoice) -> Iterator[list[str]]:
    """Every ticket of an invoice's period, for its CSV: streamed from the database in chunks,
    so a month of 100,000 tickets never sits in memory."""
    period = month_period(invoice.period_start)
    zone = billing_zone()
    yield ["inquiry_id", "resolved_at", "queue", "channel", "amount", "currency"]
    entries = (
        _ticket_entries(brand_id=invoice.brand_id, period=period, currency=invoice.currency)
        .order_by("transaction__created_at", "transaction_id")
        .values_list("transaction__reference_inquiry_id", "transaction__created_at",
                     "queue_label", "channel_label", "amount_minor")
    )
    for inquiry_id, created_at, queue_name, channel, amount_minor in entries.iterator(
            chunk_size=2000):
        yield [str(inquiry_id), created_at.astimezone(zone).isoformat(), queue_name, channel,
               str(Money(minor=amount_minor, currency=invoice.currency).amount), invoice.currency]


class _Echo:
    def write(self, value: str) -> str:
        return value


def ticket_detail_csv_lines(*, invoice: Invoice) -> Iterator[str]:
    """`ticket_detail_rows` as CSV text, a line at a time, for a streamed response."""
    writer = csv.writer(_Echo())
    for row in ticket_detail_rows(invoice=invoice):
        yield writer.writerow(row)


def vat_rate_in_force(*, country: str, on: date) -> Decimal | None:
    rate = (VatRate.objects.filter(country=country.upper(), valid_from__lte=on)
            .order_by("-valid_from").first())
    return rate.rate_percent if rate else None


def vat_rate_list() -> QuerySet[VatRate]:
    return VatRate.objects.all()


def invoice_list_for_brand(*, brand_id: int) -> QuerySet[Invoice]:
    """What the brand sees: issued documents, never drafts."""
    return Invoice.objects.filter(brand_id=brand_id).exclude(
        status=InvoiceStatus.DRAFT).order_by("-issue_date", "-id")


def invoice_get_for_brand(*, brand_id: int, invoice_id: int) -> Invoice | None:
    return (invoice_list_for_brand(brand_id=brand_id).prefetch_related("lines")
            .filter(pk=invoice_id).first())


def invoice_list_for_ops(*, limit: int = 200) -> QuerySet[Invoice]:
    return Invoice.objects.order_by("-created_at", "-id")[:limit]


def invoice_get(*, invoice_id: int) -> Invoice | None:
    return Invoice.objects.prefetch_related("lines").filter(pk=invoice_id).first()


def invoice_paid_minor(*, invoice: Invoice) -> int:
    return int(invoice.payments.aggregate(total=Coalesce(Sum("amount_minor"), 0))["total"])


def billed_ticket_charge(*, inquiry_id: int) -> LedgerEntry | None:
    """The brand-receivable entry of a ticket's resolution, with its transaction."""
    return (LedgerEntry.objects.filter(
        account__kind=AccountKind.BRAND_RECEIVABLE,
        transaction__kind=TransactionKind.TICKET_RESOLVED,
        transaction__reference_inquiry_id=inquiry_id,
    ).select_related("transaction", "account").order_by("id").first())

"""An invoice run for one brand with 100,000 tickets in a month (issue with its lines and VAT,
the PDF summary, the streamed CSV of every ticket): time, peak Python memory and queries,
beside the same run for 1,000 tickets (the query count must not grow with the tickets).

The month's tickets are written straight into the ledger in bulk (the same rows
`ticket_resolution_bill` writes), under a brand id no factory uses."""

import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from billing.invoices import selectors, services
from billing.invoices.models import BilledTicket, Invoice, VatRate
from billing.ledger.models import (
    AccountKind,
    LedgerEntry,
    LedgerTransaction,
    TransactionKind,
)
from billing.ledger.services import account_get_or_create

SIZES = (1_000, 100_000)
BATCH = 5_000
MONTH = date(2026, 11, 1)
RUN_AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CHANNELS = ("email", "chat", "social")


def _seed(brand_id: int, tickets: int) -> None:
    brand = account_get_or_create(kind=AccountKind.BRAND_RECEIVABLE, owner_id=brand_id,
                                  currency="EUR", name=f"Bench brand {brand_id} receivable")
    revenue = account_get_or_create(kind=AccountKind.PLATFORM_REVENUE, owner_id=None,
                                    currency="EUR", name="Shiftline revenue")
    first_inquiry = brand_id * 1_000_000
    start = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    step = timedelta(days=28) / tickets
    for offset in range(0, tickets, BATCH):
        with transaction.atomic():
            numbers = range(offset, min(offset + BATCH, tickets))
            posted = LedgerTransaction.objects.bulk_create(
                LedgerTransaction(idempotency_key=f"bench-ticket:{first_inquiry + number}",
                                  kind=TransactionKind.TICKET_RESOLVED, currency="EUR",
                                  description="bench", created_at=start + step * number,
                                  reference_inquiry_id=first_inquiry + number)
                for number in numbers)
            LedgerEntry.objects.bulk_create(
                entry for ledger_transaction in posted for entry in (
                    LedgerEntry(transaction=ledger_transaction, account=brand, amount_minor=450),
                    LedgerEntry(transaction=ledger_transaction, account=revenue,
                                amount_minor=-450)))
            BilledTicket.objects.bulk_create(
                BilledTicket(inquiry_id=first_inquiry + number, brand_id=brand_id,
                             queue_id=number % 4, queue_name=f"Queue {number % 4}",
                             channel=CHANNELS[number % 3])
                for number in numbers)


def _measure(tickets: int) -> dict[str, object]:
    brand_id = 900_000 + tickets
    if not Invoice.objects.filter(brand_id=brand_id).exists():
        _seed(brand_id, tickets)
    Invoice.objects.filter(brand_id=brand_id).delete()
    details = services.BillingDetails(brand_id=brand_id, brand_name="Bench brand",
                                      email="", country="IE")
    tracemalloc.start()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        invoice = services.invoice_run_for_brand(details=details, currency="EUR",
                                                 period_first=MONTH, now=RUN_AT)
        issued = time.perf_counter()
        pdf = services.invoice_pdf(invoice=invoice)
        rendered = time.perf_counter()
        csv_bytes = sum(len(line) for line in
                        selectors.ticket_detail_csv_lines(invoice=invoice))
    streamed = time.perf_counter()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"tickets": tickets, "issue_seconds": round(issued - started, 2),
            "pdf_seconds": round(rendered - issued, 2),
            "csv_seconds": round(streamed - rendered, 2),
            "total_seconds": round(streamed - started, 2),
            "peak_mib": round(peak / 2**20, 1), "queries": len(queries),
            "pdf_bytes": len(pdf), "csv_bytes": csv_bytes}


def run() -> dict[str, object]:
    """Invoices are never deleted in production; the bench removes its own to measure again
    (the ledger rows stay, append-only)."""
    VatRate.objects.get_or_create(country="IE", valid_from=date(2024, 1, 1),
                                  defaults={"rate_percent": 23})
    figures = [_measure(tickets) for tickets in SIZES]
    return {"runs": figures,
            "query_growth": f"{figures[0]['queries']} -> {figures[-1]['queries']}"}

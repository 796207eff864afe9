"""Billing's models, for Django and the migrations. Each model lives in its capability's
package (ledger, invoices, disputes); import it from there."""

from billing.disputes.models import Dispute, DisputeEvent
from billing.invoices.models import (
    BilledTicket,
    Invoice,
    InvoiceLine,
    InvoicePayment,
    InvoiceSeries,
    VatRate,
)
from billing.ledger.models import (
    Account,
    AccountKind,
    LedgerEntry,
    LedgerTransaction,
    TransactionKind,
)

__all__ = [
    "Account", "AccountKind", "BilledTicket", "Dispute", "DisputeEvent", "Invoice", "InvoiceLine",
    "InvoicePayment", "InvoiceSeries", "LedgerEntry", "LedgerTransaction", "TransactionKind",
    "VatRate",
]

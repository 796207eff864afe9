"""Billing's models, for Django and the migrations. Each model lives in its capability's
package (ledger, terms, payouts, invoices, disputes); import it from there."""

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
from billing.payouts.models import (
    BatchStatus,
    Payout,
    PayoutBatch,
    PayoutDetails,
    PayoutMethod,
    PayoutStatus,
)
from billing.terms.models import BrandContract, PremiumTier, PricingChange, RateCard

__all__ = [
    "Account", "AccountKind", "BatchStatus", "BilledTicket", "BrandContract", "Dispute",
    "DisputeEvent", "Invoice", "InvoiceLine", "InvoicePayment", "InvoiceSeries", "LedgerEntry",
    "LedgerTransaction", "Payout", "PayoutBatch", "PayoutDetails", "PayoutMethod",
    "PayoutStatus", "PremiumTier", "PricingChange", "RateCard", "TransactionKind", "VatRate",
]

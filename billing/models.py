"""Billing's models, for Django and the migrations. Each model lives in its capability's
package (ledger, terms); import it from there."""

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
    "Account", "AccountKind", "BatchStatus", "BrandContract", "LedgerEntry",
    "LedgerTransaction", "Payout", "PayoutBatch", "PayoutDetails", "PayoutMethod",
    "PayoutStatus", "PremiumTier", "PricingChange", "RateCard", "TransactionKind",
]

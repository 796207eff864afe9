"""Billing's models, for Django and the migrations. Each model lives in its capability's
package (ledger); import it from there."""

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

__all__ = [
    "Account", "AccountKind", "BatchStatus", "LedgerEntry", "LedgerTransaction", "Payout",
    "PayoutBatch", "PayoutDetails", "PayoutMethod", "PayoutStatus", "TransactionKind",
]

"""Billing's models, for Django and the migrations. Each model lives in its capability's
package (ledger); import it from there."""

from billing.ledger.models import (
    Account,
    AccountKind,
    LedgerEntry,
    LedgerTransaction,
    TransactionKind,
)

__all__ = ["Account", "AccountKind", "LedgerEntry", "LedgerTransaction", "TransactionKind"]

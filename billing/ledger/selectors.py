"""Ledger reads. Balances are sums of entries, never stored."""

from dataclasses import dataclass

from django.db.models import QuerySet, Sum

from billing.ledger.models import AccountKind, LedgerEntry


@dataclass(frozen=True)
class Earning:
    inquiry_id: int | None
    amount_minor: int
    currency: str
    description: str
    created_at_iso: str


def expert_earnings_total(*, expert_id: int) -> dict[str, int]:
    """What the platform owes the expert, per currency, as positive minor units."""
    rows = (
        LedgerEntry.objects.filter(
            account__kind=AccountKind.EXPERT_PAYABLE, account__owner_id=expert_id
        )
        .values_list("account__currency")
        .annotate(total=Sum("amount_minor"))
    )
    return {currency: -total for currency, total in rows}


def expert_earning_entries(*, expert_id: int, limit: int = 20) -> QuerySet[LedgerEntry]:
    return (
        LedgerEntry.objects.filter(
            account__kind=AccountKind.EXPERT_PAYABLE, account__owner_id=expert_id
        )
        .select_related("transaction", "account")
        .order_by("-transaction__created_at", "-id")[:limit]
    )


def ledger_totals_by_account_kind() -> list[dict[str, object]]:
    return list(
        LedgerEntry.objects.values("account__kind", "account__currency")
        .annotate(total=Sum("amount_minor"))
        .order_by("account__kind", "account__currency")
    )


def brand_charges_total(*, brand_id: int) -> dict[str, int]:
    rows = (
        LedgerEntry.objects.filter(
            account__kind=AccountKind.BRAND_RECEIVABLE, account__owner_id=brand_id
        )
        .values_list("account__currency")
        .annotate(total=Sum("amount_minor"))
    )
    return dict(rows)

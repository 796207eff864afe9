"""The books, read the way a bookkeeper reads them: a trial balance (every account, its debits
and credits, which sum to zero per currency) and a statement per account with a running
balance. Amounts are shown on the account's normal side, with words saying who owes whom: an
expert's payable in credit is money owed to the expert, never "-EUR 3.00"."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce

from billing.ledger.models import Account, AccountKind, LedgerEntry, TransactionKind

if TYPE_CHECKING:  # the stubs' helper types are not installed in production
    from django_stubs_ext import WithAnnotations

DEBIT_NORMAL = frozenset({AccountKind.BRAND_RECEIVABLE, AccountKind.PAYOUT_PROVIDER_CASH,
                          AccountKind.BANK})


# What a balance on each side of an account means: (on its normal side, on the other side).
BALANCE_WORDS: dict[str, tuple[str, str]] = {
    AccountKind.BRAND_RECEIVABLE: ("owed by {owner}", "owed to {owner} (in credit)"),
    AccountKind.EXPERT_PAYABLE: ("owed to {owner}", "owed by {owner} (overpaid)"),
    AccountKind.PLATFORM_REVENUE: ("earned", "lost"),
    AccountKind.VAT_PAYABLE: ("owed to the tax authorities", "reclaimable"),
    AccountKind.PAYOUTS_IN_TRANSIT: ("on its way to experts", "returned, not yet re-owed"),
    AccountKind.PAYOUT_PROVIDER_CASH: ("held at the payout provider",
                                       "overdrawn at the payout provider"),
    AccountKind.BANK: ("held at the bank", "overdrawn at the bank"),
}


def normal_sign(kind: str) -> int:
    """+1 for an account whose balance normally is a debit (what is owed to the platform,
    cash), -1 for one normally in credit (what the platform owes, what it earned)."""
    return 1 if kind in DEBIT_NORMAL else -1


@dataclass(frozen=True)
class ShownBalance:
    """A balance as a positive amount in minor units and the words that say its direction."""

    amount_minor: int
    words: str


def balance_shown(*, kind: str, owner: str, balance_minor: int) -> ShownBalance:
    """`balance_minor` in the ledger's sign (debit positive) as people read it."""
    on_normal_side = balance_minor * normal_sign(kind)
    normal, other = BALANCE_WORDS[kind]
    if on_normal_side == 0:
        return ShownBalance(0, "settled")
    words = normal if on_normal_side > 0 else other
    return ShownBalance(abs(on_normal_side), words.format(owner=owner))


def account_owner(account: Account) -> str:
    """Who the account is about, from its name ("Ada payable" → "Ada")."""
    for suffix in (" payable", " receivable"):
        if account.name.endswith(suffix):
            return account.name.removesuffix(suffix)
    return account.name


_DEBITS = Sum(Case(When(entries__amount_minor__gt=0, then=F("entries__amount_minor")),
                   default=Value(0), output_field=IntegerField()))
_CREDITS = Sum(Case(When(entries__amount_minor__lt=0, then=-F("entries__amount_minor")),
                    default=Value(0), output_field=IntegerField()))


class _Totals(TypedDict):
    debits: int
    credits: int
    balance: int


def trial_balance_accounts() -> "QuerySet[WithAnnotations[Account, _Totals]]":
    """Every account with entries, with `debits` and `credits` (both positive minor units)
    and `balance` (debits minus credits), by currency, kind and name."""
    return (Account.objects.filter(entries__isnull=False)
            .annotate(debits=Coalesce(_DEBITS, 0), credits=Coalesce(_CREDITS, 0))
            .annotate(balance=F("debits") - F("credits"))
            .order_by("currency", "kind", "name", "id"))


@dataclass(frozen=True)
class CurrencyTotals:
    currency: str
    debits_minor: int
    credits_minor: int

    @property
    def balances(self) -> bool:
        return self.debits_minor == self.credits_minor


def trial_balance_totals() -> list[CurrencyTotals]:
    """Per currency, all debits and all credits of the ledger; equal when the books balance."""
    rows = (LedgerEntry.objects.values("account__currency")
            .annotate(
                debits=Coalesce(Sum(Case(When(amount_minor__gt=0, then=F("amount_minor")),
                                         default=Value(0), output_field=IntegerField())), 0),
                credits=Coalesce(Sum(Case(When(amount_minor__lt=0, then=-F("amount_minor")),
                                          default=Value(0), output_field=IntegerField())), 0))
            .order_by("account__currency"))
    return [CurrencyTotals(row["account__currency"], row["debits"], row["credits"])
            for row in rows]


def trial_balance_page(*, page: int | str | None, per_page: int = 50) -> Page:
    return Paginator(trial_balance_accounts(), per_page).get_page(page)


def account_find(*, account_id: int) -> Account | None:
    return Account.objects.filter(pk=account_id).first()


def account_statement_entries(*, account_id: int) -> QuerySet[LedgerEntry]:
    """The account's entries, oldest first, each with `running` (the ledger-signed balance
    after it, computed by the database over every entry, so a page starts where the previous
    one ended)."""
    return (LedgerEntry.objects.filter(account_id=account_id)
            .select_related("transaction")
            .annotate(running=Window(Sum("amount_minor"),
                                     order_by=[F("transaction__created_at").asc(),
                                               F("id").asc()]))
            .order_by("transaction__created_at", "id"))


def account_statement_page(*, account_id: int, page: int | str | None,
                           per_page: int = 50) -> Page:
    return Paginator(account_statement_entries(account_id=account_id), per_page).get_page(page)


def account_balance_minor(*, account_id: int) -> int:
    return LedgerEntry.objects.filter(account_id=account_id).aggregate(
        total=Coalesce(Sum("amount_minor"), 0))["total"]


@dataclass(frozen=True)
class PayableBreakdown:
    """An expert's payable in one currency, as positive minor units: what they earned
    (tickets, premiums, bonuses, escalation shares), what reversals took back, what payouts
    moved out (net of payouts that failed and came back), and what is owed now."""

    currency: str
    earned_minor: int
    reversed_minor: int
    paid_minor: int
    owed_minor: int


PAID_KINDS = (TransactionKind.PAYOUT_CREATED, TransactionKind.PAYOUT_PAID,
              TransactionKind.PAYOUT_FAILED)


def expert_payable_breakdown(*, expert_id: int) -> list[PayableBreakdown]:
    def part(condition: dict[str, object]) -> Coalesce:
        return Coalesce(Sum("amount_minor", filter=Q(**condition)), 0)

    rows = (LedgerEntry.objects
            .filter(account__kind=AccountKind.EXPERT_PAYABLE, account__owner_id=expert_id)
            .values("account__currency")
            .annotate(
                earned=part({"transaction__kind__in": (TransactionKind.TICKET_RESOLVED,
                                                       TransactionKind.ESCALATION_CONFIRMED),
                             "transaction__reverses__isnull": True}),
                reversed=Coalesce(Sum("amount_minor", filter=(
                    Q(transaction__reverses__isnull=False)
                    | Q(transaction__kind=TransactionKind.DISPUTE_ACCEPTED))
                    & ~Q(transaction__kind__in=PAID_KINDS)), 0),
                paid=part({"transaction__kind__in": PAID_KINDS}),
                total=Coalesce(Sum("amount_minor"), 0))
            .order_by("account__currency"))
    return [PayableBreakdown(row["account__currency"], -row["earned"], row["reversed"],
                             row["paid"], -row["total"]) for row in rows]


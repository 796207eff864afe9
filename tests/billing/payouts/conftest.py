from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from billing.ledger import services as ledger_services
from billing.ledger.models import Account, AccountKind, LedgerTransaction, TransactionKind
from billing.ledger.services import Posting
from billing.payouts.models import PayoutDetails, PayoutMethod
from tests.billing.payouts.fake_stripe import WEBHOOK_SECRET, FakeStripeHttpClient

# The payout week of 21 to 27 November 2026 (Saturday to Friday, Europe/Dublin is on UTC then).
WEEK_START = date(2026, 11, 21)
IN_THE_WEEK = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)
BEFORE_THE_WEEK = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
AFTER_CUTOFF = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
NEXT_WEEK = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def use_payout_settings(settings: Any) -> None:
    settings.PAYOUT_TIME_ZONE = "Europe/Dublin"
    settings.PAYOUT_WEEK_START_WEEKDAY = 5
    settings.PAYOUT_DAY_OFFSET_DAYS = 2
    settings.PAYOUT_MINIMUM_AMOUNT = "10.00"
    settings.PAYOUT_HOLD_SOURCES = ["experts.profiles.selectors.expert_payout_holds"]


@pytest.fixture(autouse=True)
def payout_settings(settings: Any) -> None:
    use_payout_settings(settings)


def use_fake_stripe(settings: Any) -> Iterator[type[FakeStripeHttpClient]]:
    settings.STRIPE_SECRET_KEY = "sk_test_shiftline"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_HTTP_CLIENT = "tests.billing.payouts.fake_stripe.FakeStripeHttpClient"
    FakeStripeHttpClient.reset()
    yield FakeStripeHttpClient
    FakeStripeHttpClient.reset()


@pytest.fixture
def stripe_fake(settings: Any) -> Iterator[type[FakeStripeHttpClient]]:
    yield from use_fake_stripe(settings)


def earn(*, expert_id: int, inquiry_id: int, at: datetime, rate_minor: int = 600,
         currency: str = "EUR", name: str = "Ada") -> LedgerTransaction:
    """One resolved ticket paying the expert `rate_minor` (the brand pays 1.5 times that),
    posted as pricing posts it (billing/pricing), with the amounts given here rather than a
    rate card's, so each test says what its expert earned."""
    def account(kind: AccountKind, owner_id: int | None, title: str) -> Account:
        return ledger_services.account_get_or_create(kind=kind, owner_id=owner_id,
                                                     currency=currency, name=title)

    charge = rate_minor * 3 // 2
    transaction, _ = ledger_services.ledger_post(
        idempotency_key=f"ticket-resolved:{inquiry_id}", kind=TransactionKind.TICKET_RESOLVED,
        currency=currency, description=f"Inquiry #{inquiry_id} resolved",
        reference_inquiry_id=inquiry_id, now=at,
        postings=[
            Posting(account(AccountKind.BRAND_RECEIVABLE, 1, "Northwind receivable"), charge,
                    f"Northwind charged for inquiry #{inquiry_id}"),
            Posting(account(AccountKind.EXPERT_PAYABLE, expert_id, f"{name} payable"),
                    -rate_minor, f"{name} earns the base rate"),
            Posting(account(AccountKind.PLATFORM_REVENUE, None, "Shiftline revenue"),
                    rate_minor - charge, "Shiftline keeps the rest"),
        ],
    )
    return transaction


def bank_details(expert_id: int, *, iban: str = "DE89370400440532013000") -> PayoutDetails:
    return PayoutDetails.objects.create(
        expert_id=expert_id, method=PayoutMethod.BANK_FILE, account_holder=f"Expert {expert_id}",
        iban=iban, country="DE", tax_id="DE123", updated_at=BEFORE_THE_WEEK,
    )


def stripe_details(expert_id: int) -> PayoutDetails:
    return PayoutDetails.objects.create(
        expert_id=expert_id, method=PayoutMethod.STRIPE,
        stripe_account_id=f"acct_{expert_id:016d}", stripe_onboarded=True, country="IE",
        tax_id="IE1", updated_at=BEFORE_THE_WEEK,
    )

"""A stateful property test of the books on PostgreSQL.

Hypothesis drives random sequences of resolutions (and retried ones), customer reopenings
inside and outside the reopen window, escalations (confirmed or not, on a contract with or
without a confirmed-escalation fee) and accepted disputes through the billing service, with
the clock moving between them, and after every step checks: every transaction balances (also
enforced by PostgreSQL, its deferred check made immediate here so it fires at each step); each
expert's payable equals what they earned minus what was reversed, and what a model of the
rules says they are owed; no ticket is billed or paid twice (each ticket's charge and pay are
what the model says: once per billable resolution, nothing for an escalation, the fee when
confirmed, nothing after a dispute).

Payouts are not part of this run yet; the payouts part adds its runs and failures here.
`SHIFTLINE_BOOKS_EXAMPLES` raises the number of examples (10 by default, a few seconds), e.g.
`SHIFTLINE_BOOKS_EXAMPLES=500` for a longer run."""

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from billing.books import selectors as books
from billing.ledger.models import AccountKind, LedgerEntry, LedgerTransaction
from billing.money import round_half_up
from billing.pricing import services as pricing
from billing.terms import services as terms

pytestmark = pytest.mark.django_db

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
WINDOW = timedelta(days=7)
BRAND = 10
EXPERTS = (20, 21, 22)
PRICE, BASE, FEE, SHARE = 450, 300, 200, 40
MULTIPLIERS = {"standard": Decimal("1.00"), "after_hours": Decimal("1.25"),
               "weekend": Decimal("1.50"), "holiday": Decimal("2.00"),
               "surge": Decimal("1.75")}
NO_CSAT = pricing.ExpertCsat(percent=None, reviews=0)


@dataclass
class Bill:
    """One billed movement of a ticket in the model: what the brand is charged and the expert
    earns, when, and whether it was reversed."""

    charge: int
    pay: int
    at: datetime
    reversed: bool = False


@dataclass
class Ticket:
    inquiry_id: int
    expert_id: int
    tier: str
    status: str = "open"  # open, resolved, reopened, escalated
    reopened_at: datetime | None = None
    resolutions: list[Bill] = field(default_factory=list)
    escalation_fee: Bill | None = None

    def bills(self) -> list[Bill]:
        return self.resolutions + ([self.escalation_fee] if self.escalation_fee else [])


class Books(RuleBasedStateMachine):
    tickets = Bundle("tickets")

    def __init__(self) -> None:
        super().__init__()
        self.savepoint = transaction.atomic()
        self.savepoint.__enter__()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        self.now = START
        self.next_id = 1
        self.model: dict[int, Ticket] = {}

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.savepoint.__exit__(None, None, None)

    @initialize(with_fee=st.booleans())
    def terms_set_by_ops(self, with_fee: bool) -> None:
        terms.rate_card_save(currency="EUR", actor_id=None, actor_name="ops", now=self.now, data={
            "email_rate": "3.00", "chat_rate": "3.00", "social_rate": "3.00",
            "list_price": "4.50", "after_hours_multiplier": "1.25",
            "weekend_multiplier": "1.50", "holiday_multiplier": "2.00",
            "surge_multiplier": "1.75", "quality_bonus": "0", "quality_csat_threshold": "90",
            "quality_min_reviews": "10"})
        fee = {"escalation_fee": "2.00", "escalation_expert_share_percent": str(SHARE)} \
            if with_fee else {}
        terms.contract_save(brand_id=BRAND, brand_name="Northwind", currency="EUR",
                            actor_id=None, actor_name="ops", now=self.now,
                            data={"email_price": "4.50", "chat_price": "4.50",
                                  "social_price": "4.50", **fee})
        self.with_fee = with_fee

    @rule(hours=st.sampled_from([0, 1, 30, 100, 200]))
    def time_passes(self, hours: int) -> None:
        self.now += timedelta(hours=hours, seconds=1)

    @rule(target=tickets, expert=st.sampled_from(EXPERTS), tier=st.sampled_from(list(MULTIPLIERS)))
    def ticket_assigned(self, expert: int, tier: str) -> int:
        inquiry_id = self.next_id
        self.next_id += 1
        self.model[inquiry_id] = Ticket(inquiry_id=inquiry_id, expert_id=expert, tier=tier)
        return inquiry_id

    def _resolve(self, ticket: Ticket) -> None:
        pricing.ticket_resolution_bill(
            inquiry_id=ticket.inquiry_id, brand_id=BRAND, brand_name="Northwind",
            expert_id=ticket.expert_id, expert_name=f"Expert {ticket.expert_id}",
            currency="EUR", channel="chat", tier=ticket.tier, csat=NO_CSAT, now=self.now,
            reopened_at=ticket.reopened_at, reopen_window=WINDOW)

    @rule(inquiry_id=tickets)
    def resolve(self, inquiry_id: int) -> None:
        """Resolved by the expert or the sweep, or a retried resolution of a resolved one."""
        ticket = self.model[inquiry_id]
        if ticket.status == "escalated":
            return
        if ticket.status != "resolved":
            latest = ticket.resolutions[-1] if ticket.resolutions else None
            if latest is None or (ticket.reopened_at is not None
                                  and ticket.reopened_at > latest.at + WINDOW):
                pay = round_half_up(BASE * MULTIPLIERS[ticket.tier])
                ticket.resolutions.append(Bill(charge=PRICE, pay=pay, at=self.now))
            ticket.status = "resolved"
        self._resolve(ticket)

    @rule(inquiry_id=tickets)
    def customer_reopens(self, inquiry_id: int) -> None:
        ticket = self.model[inquiry_id]
        if ticket.status == "resolved":
            ticket.status, ticket.reopened_at = "reopened", self.now

    @rule(inquiry_id=tickets)
    def escalate(self, inquiry_id: int) -> None:
        ticket = self.model[inquiry_id]
        if ticket.status not in ("open", "reopened"):
            return
        ticket.status = "escalated"
        latest = ticket.resolutions[-1] if ticket.resolutions else None
        if latest is not None and self.now <= latest.at + WINDOW:
            latest.reversed = True
        pricing.ticket_escalated(inquiry_id=inquiry_id, now=self.now, reopen_window=WINDOW)

    @rule(inquiry_id=tickets)
    def brand_confirms_escalation(self, inquiry_id: int) -> None:
        ticket = self.model[inquiry_id]
        if ticket.status != "escalated":
            return
        if self.with_fee and ticket.escalation_fee is None:
            share = round_half_up(Decimal(FEE) * SHARE / 100)
            ticket.escalation_fee = Bill(charge=FEE, pay=share, at=self.now)
        pricing.ticket_escalation_confirm_bill(
            inquiry_id=inquiry_id, brand_id=BRAND, brand_name="Northwind",
            expert_id=ticket.expert_id, expert_name=f"Expert {ticket.expert_id}",
            currency="EUR", now=self.now)

    @rule(inquiry_id=tickets)
    def dispute_accepted(self, inquiry_id: int) -> None:
        for bill in self.model[inquiry_id].bills():
            bill.reversed = True
        pricing.ticket_bill_reverse(inquiry_id=inquiry_id, reason="Dispute accepted",
                                    now=self.now)

    @invariant()
    def every_transaction_balances(self) -> None:
        unbalanced = (LedgerEntry.objects.values("transaction_id")
                      .annotate(total=Sum("amount_minor")).exclude(total=0))
        assert not unbalanced.exists()

    @invariant()
    def each_payable_is_earnings_minus_reversals_and_what_the_rules_owe(self) -> None:
        for expert_id in EXPERTS:
            owed = sum(bill.pay for ticket in self.model.values()
                       if ticket.expert_id == expert_id
                       for bill in ticket.bills() if not bill.reversed)
            breakdown = books.expert_payable_breakdown(expert_id=expert_id)
            for row in breakdown:
                assert row.owed_minor == row.earned_minor - row.reversed_minor - row.paid_minor
            assert sum(row.owed_minor for row in breakdown) == owed

    @invariant()
    def no_ticket_is_billed_or_paid_twice(self) -> None:
        charged = dict(LedgerEntry.objects.filter(account__kind=AccountKind.BRAND_RECEIVABLE)
                       .values_list("transaction__reference_inquiry_id")
                       .annotate(total=Sum("amount_minor")))
        paid = dict(LedgerEntry.objects.filter(account__kind=AccountKind.EXPERT_PAYABLE)
                    .values_list("transaction__reference_inquiry_id")
                    .annotate(total=Sum("amount_minor")))
        for ticket in self.model.values():
            live = [bill for bill in ticket.bills() if not bill.reversed]
            assert charged.get(ticket.inquiry_id, 0) == sum(bill.charge for bill in live)
            assert -paid.get(ticket.inquiry_id, 0) == sum(bill.pay for bill in live)
        assert not LedgerTransaction.objects.filter(
            reverses__isnull=False).values("reverses_id").annotate(
            times=Sum(1)).filter(times__gt=1).exists()


def test_the_books_keep_their_invariants() -> None:
    run_state_machine_as_test(
        Books,
        settings=settings(max_examples=int(os.environ.get("SHIFTLINE_BOOKS_EXAMPLES", "10")),
                          stateful_step_count=20, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow]),
    )

"""A stateful property test of the books on PostgreSQL.

Hypothesis drives random sequences of resolutions (and retried ones), customer reopenings
inside and outside the reopen window, escalations (confirmed or not, on a contract with or
without a confirmed-escalation fee), disputes (opened by the brand and decided by ops through
billing/disputes, accepted or rejected), weekly payout runs (the last closed week drafted,
approved, executed and each payout sent: bank file or Stripe through the fake Stripe client,
then settled by the bank file being marked paid or Stripe's signed webhook), payout failures
(marked failed by ops or reversed by Stripe: the money returns to the expert's payable) and
monthly invoice runs (the closed month's invoice of the brand, with credit notes for disputes
accepted after it and for resolutions an escalation took back after it), with the clock
moving hours to weeks between them. After every step it
checks: every transaction balances (also enforced by PostgreSQL, its deferred check made
immediate here so it fires at each step) and the trial balance sums to zero; each expert's
payable equals earned - reversed - paid out (net of failed payouts, whose money came back), and
each part equals what a model of the rules says; no ticket is billed or paid twice (each
ticket's charge and pay are what the model says: once per billable resolution, nothing for an
escalation, the fee when confirmed, nothing after an accepted dispute); each payout is what the
expert was owed at its week's cut-off less earlier payouts, sent once (one created posting per
payout, one transfer per payout at Stripe), and payouts never add up to more than the expert
earned less reversals before the latest cut-off; each month's invoice plus its credit notes
equals the month's billed charges less what was credited, and its credit notes are exactly the
model's (amount and line, in order).

`SHIFTLINE_BOOKS_EXAMPLES` raises the number of examples (10 by default, a few seconds), e.g.
`SHIFTLINE_BOOKS_EXAMPLES=500` for a longer run."""

import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Count, Sum
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from billing.books import selectors as books
from billing.disputes import services as disputes
from billing.invoices import selectors as invoices_selectors
from billing.invoices import services as invoices
from billing.invoices.models import Invoice, InvoiceKind, InvoiceStatus, VatRate
from billing.ledger.models import AccountKind, LedgerEntry, LedgerTransaction, TransactionKind
from billing.money import round_half_up
from billing.payouts.models import Payout, PayoutMethod, PayoutStatus
from billing.payouts.services import batches, execution
from billing.payouts.services.webhooks import stripe_webhook_handle
from billing.pricing import services as pricing
from billing.terms import services as terms
from billing.weeks import payout_week_containing, payout_week_last_closed
from marketplace.infra.errors import Conflict, NotFound, RuleViolation
from tests.billing.payouts.conftest import bank_details, stripe_details, use_fake_stripe
from tests.billing.payouts.fake_stripe import FakeStripeHttpClient, signed_event, transfer_json

pytestmark = pytest.mark.django_db

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday, a week before the 1st
WINDOW = timedelta(days=7)
DISPUTE_WINDOW = timedelta(days=14)
BRAND = 10
BANK_EXPERT, STRIPE_EXPERT, NO_DETAILS_EXPERT = 20, 21, 22
EXPERTS = (BANK_EXPERT, STRIPE_EXPERT, NO_DETAILS_EXPERT)
PRICE, BASE, FEE, SHARE = 450, 300, 200, 40
MINIMUM = 300  # settings.PAYOUT_MINIMUM_AMOUNT, EUR 3.00: one ticket is paid, a fee share carried
MULTIPLIERS = {"standard": Decimal("1.00"), "after_hours": Decimal("1.25"),
               "weekend": Decimal("1.50"), "holiday": Decimal("2.00"),
               "surge": Decimal("1.75")}
SEEN: Counter[str] = Counter()


def event(name: str) -> None:
    SEEN[name] += 1


NO_CSAT = pricing.ExpertCsat(percent=None, reviews=0)
NORTHWIND = invoices.BillingDetails(brand_id=BRAND, brand_name="Northwind",
                                    contact_name="Nora Finance",
                                    email="billing@northwind.example",
                                    address="1 Harbour Road\nDublin", country="IE")


@dataclass
class Bill:
    """One billed movement of a ticket in the model: what the brand is charged and the expert
    earns, when, and when it was reversed (escalated within the reopen window, or disputed)."""

    charge: int
    pay: int
    at: datetime
    reversed_at: datetime | None = None

    @property
    def reversed(self) -> bool:
        return self.reversed_at is not None


@dataclass
class Ticket:
    inquiry_id: int
    expert_id: int
    tier: str
    status: str = "open"  # open, resolved, reopened, escalated
    reopened_at: datetime | None = None
    resolutions: list[Bill] = field(default_factory=list)
    escalation_fee: Bill | None = None
    disputed: bool = False

    def bills(self) -> list[Bill]:
        return self.resolutions + ([self.escalation_fee] if self.escalation_fee else [])


@dataclass
class ModelPayout:
    payout_id: int
    expert_id: int
    amount: int
    period_end: datetime
    method: str
    status: str  # sent, paid, failed


@dataclass
class ModelInvoice:
    period_first: date
    net: int
    credits: int = 0  # credit notes after it was issued, negative
    # each credit note against it, in order: (net, what its line says)
    notes: list[tuple[int, str]] = field(default_factory=list)

    def credit(self, amount: int, cause: str) -> None:
        self.credits -= amount
        self.notes.append((-amount, f"Credit: {cause} (invoice INV-{{number}})"))


class Books(RuleBasedStateMachine):
    tickets = Bundle("tickets")

    def __init__(self) -> None:
        super().__init__()
        self.savepoint = transaction.atomic()
        self.savepoint.__enter__()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        FakeStripeHttpClient.reset()
        self.now = START
        self.next_id = 1
        self.model: dict[int, Ticket] = {}
        self.payouts: list[ModelPayout] = []
        self.batch_ends: list[datetime] = []
        self.invoices: dict[date, ModelInvoice] = {}

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
        # the migration's starting rate (a transactional test run before may have flushed it)
        VatRate.objects.get_or_create(country="IE", valid_from=date(2024, 1, 1),
                                      defaults={"rate_percent": Decimal("23.00")})
        bank_details(BANK_EXPERT)
        stripe_details(STRIPE_EXPERT)  # NO_DETAILS_EXPERT has none: held every week

    @rule(hours=st.sampled_from([0, 1, 30, 100, 200, 400, 800]))
    def time_passes(self, hours: int) -> None:
        self.now += timedelta(hours=hours, seconds=1)

    @rule(target=tickets, expert=st.sampled_from(EXPERTS), tier=st.sampled_from(list(MULTIPLIERS)))
    def ticket_assigned(self, expert: int, tier: str) -> int:
        return self._assign(expert, tier)

    def _assign(self, expert: int, tier: str) -> int:
        inquiry_id = self.next_id
        self.next_id += 1
        self.model[inquiry_id] = Ticket(inquiry_id=inquiry_id, expert_id=expert, tier=tier)
        return inquiry_id

    @rule(target=tickets, expert=st.sampled_from(EXPERTS), tier=st.sampled_from(list(MULTIPLIERS)))
    def ticket_assigned_and_resolved(self, expert: int, tier: str) -> int:
        inquiry_id = self._assign(expert, tier)
        self.resolve(inquiry_id=inquiry_id)
        return inquiry_id

    def _resolve(self, ticket: Ticket) -> None:
        invoices.billed_ticket_record(inquiry_id=ticket.inquiry_id, brand_id=BRAND, queue_id=1,
                                      queue_name="Support", channel="chat")
        pricing.ticket_resolution_bill(
            inquiry_id=ticket.inquiry_id, brand_id=BRAND, brand_name="Northwind",
            expert_id=ticket.expert_id, expert_name=f"Expert {ticket.expert_id}",
            currency="EUR", channel="chat", tier=ticket.tier, csat=NO_CSAT, now=self.now,
            reopened_at=ticket.reopened_at, reopen_window=WINDOW)

    @rule(inquiry_id=tickets)
    def resolve(self, inquiry_id: int) -> None:
        """Resolved by the expert or the sweep, or a retried resolution of a resolved one."""
        event("resolve")
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
        if latest is not None and self.now <= latest.at + WINDOW and not latest.reversed:
            latest.reversed_at = self.now
            issued = self.invoices.get(invoices_selectors.month_of(latest.at).first)
            if issued is not None:
                issued.credit(latest.charge,
                              f"ticket #{inquiry_id} escalated after it was resolved")
                event("escalation reversal after the invoice")
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

    @rule(target=tickets, expert=st.sampled_from(EXPERTS),
          tier=st.sampled_from(list(MULTIPLIERS)))
    def ticket_escalated_after_its_month_was_invoiced(self, expert: int, tier: str) -> int:
        """Resolved on the month's last evening, reopened by the customer, invoiced with its
        month on the 1st, then escalated inside its reopen window: the resolution is taken
        back after the invoice, so a credit note credits it."""
        last_evening = invoices_selectors.month_of(self.now).ends_at.astimezone(UTC) \
            - timedelta(hours=2)
        self.now = max(self.now, last_evening)
        inquiry_id = self._assign(expert, tier)
        self.resolve(inquiry_id=inquiry_id)
        self.now += timedelta(minutes=30)
        self.customer_reopens(inquiry_id=inquiry_id)
        self.invoice_run(next_first=True)
        self.now += timedelta(hours=1)
        self.escalate(inquiry_id=inquiry_id)
        return inquiry_id

    def _credit_after_invoice(self, inquiry_id: int, bill: Bill) -> None:
        """A charge disputed after its month was invoiced is credited by a credit note."""
        issued = self.invoices.get(invoices_selectors.month_of(bill.at).first)
        if issued is not None:
            issued.credit(bill.charge, f"disputed ticket #{inquiry_id} accepted")
            event("credit after the invoice")

    @rule(inquiry_id=tickets, accept=st.booleans())
    def brand_disputes_and_ops_decide(self, inquiry_id: int, accept: bool) -> None:
        """Through billing/disputes: the brand opens a dispute of the ticket's charge (its first
        resolution) within the window, ops accept or reject it. A ticket never billed, billed
        too long ago, already disputed or whose charge was already taken back is refused."""
        ticket = self.model[inquiry_id]
        charge = ticket.resolutions[0] if ticket.resolutions else None
        allowed = (charge is not None and not ticket.disputed and not charge.reversed
                   and self.now <= charge.at + DISPUTE_WINDOW)
        if not allowed:
            event("dispute refused")
            with pytest.raises((NotFound, RuleViolation, Conflict)), transaction.atomic():
                disputes.dispute_open(brand_id=BRAND, inquiry_id=inquiry_id, reason="other",
                                      note="Not ours", actor="brand", now=self.now)
            return
        assert charge is not None
        dispute = disputes.dispute_open(brand_id=BRAND, inquiry_id=inquiry_id, reason="other",
                                        note="Not ours", actor="brand", now=self.now)
        ticket.disputed = True
        disputes.dispute_decide(dispute_id=dispute.pk, accept=accept, reason="Checked",
                                actor="ops", now=self.now)
        event(f"dispute {'accepted' if accept else 'rejected'}")
        if accept:
            charge.reversed_at = self.now
            self._credit_after_invoice(inquiry_id, charge)

    def _owed_at(self, expert_id: int, instant: datetime) -> int:
        earned = sum(bill.pay for ticket in self.model.values() if ticket.expert_id == expert_id
                     for bill in ticket.bills() if bill.at < instant)
        reversed_ = sum(bill.pay for ticket in self.model.values()
                        if ticket.expert_id == expert_id for bill in ticket.bills()
                        if bill.reversed_at is not None and bill.reversed_at < instant)
        paid = sum(payout.amount for payout in self.payouts if payout.expert_id == expert_id
                   and payout.status != "failed" and payout.period_end <= instant)
        return earned - reversed_ - paid

    @rule(settle=st.booleans(), next_monday=st.booleans())
    def payout_run(self, settle: bool, next_monday: bool) -> None:
        """Ops draft the last closed week, approve and execute it; each payout is sent by its
        own method, then (maybe) the bank file is marked paid and Stripe's webhook says paid.
        With `next_monday` the clock first moves on to the next week's payout day."""
        if next_monday:
            day = payout_week_containing(self.now).payout_day
            self.now = max(self.now, datetime.combine(day, time(9), tzinfo=UTC))
        week = payout_week_last_closed(self.now)
        if week.period_end in self.batch_ends or (
                self.batch_ends and week.period_end < self.batch_ends[-1]):
            return
        expected = {expert_id: self._owed_at(expert_id, week.period_end)
                    for expert_id in EXPERTS}
        batch, created = batches.payout_batch_draft(now=self.now, holds={},
                                                    disputed_expert_ids=frozenset())
        assert created
        self.batch_ends.append(week.period_end)
        drafted = {payout.expert_id: payout for payout in batch.payouts.all()}
        for expert_id, owed in expected.items():
            payout = drafted.get(expert_id)
            if payout is None:
                assert owed == 0
                continue
            assert payout.amount_minor == owed
            event(f"payout {payout.status}")
            if owed < 0 or expert_id == NO_DETAILS_EXPERT:
                assert payout.status in (PayoutStatus.CARRIED, PayoutStatus.HELD)
            elif owed < MINIMUM:
                assert payout.status == PayoutStatus.CARRIED
            else:
                assert payout.status == PayoutStatus.PENDING
        batches.payout_batch_approve(batch_id=batch.pk, approved_by_id=1, now=self.now)
        execution.payout_batch_execute(batch_id=batch.pk, now=self.now)
        for payout in batch.payouts.filter(status=PayoutStatus.PENDING).order_by("pk"):
            sent = execution.payout_send(payout_id=payout.pk, now=self.now)
            execution.payout_send(payout_id=payout.pk, now=self.now)  # a redelivered task
            assert sent.status == PayoutStatus.SENT
            event(f"payout sent by {payout.method}")
            self.payouts.append(ModelPayout(payout.pk, payout.expert_id, payout.amount_minor,
                                            week.period_end, payout.method, "sent"))
        for expert_id in {payout.expert_id for payout in self.payouts
                          if payout.period_end == week.period_end}:
            # What all the expert's payouts add up to is what they earned less reversals
            # before this cut-off: never more.
            paid = sum(payout.amount for payout in self.payouts
                       if payout.expert_id == expert_id and payout.status != "failed")
            earned_less_reversed = -sum(LedgerEntry.objects.filter(
                account__kind=AccountKind.EXPERT_PAYABLE, account__owner_id=expert_id,
                transaction__created_at__lt=week.period_end,
            ).exclude(transaction__kind__in=(TransactionKind.PAYOUT_CREATED,
                                             TransactionKind.PAYOUT_FAILED))
                .values_list("amount_minor", flat=True))
            assert paid == earned_less_reversed
        if settle:
            execution.payout_batch_mark_bank_paid(batch_id=batch.pk, now=self.now)
            for model in self.payouts:
                if model.status == "sent" and model.period_end == week.period_end:
                    if model.method == PayoutMethod.STRIPE:
                        self._stripe_event(model, "transfer.created")
                    model.status = "paid"

    def _stripe_event(self, model: ModelPayout, event_type: str) -> None:
        payout = Payout.objects.get(pk=model.payout_id)
        body, signature = signed_event(event_type, transfer_json(
            payout.provider_reference, amount=payout.amount_minor, currency="eur",
            destination=f"acct_{payout.expert_id:016d}", payout_id=str(payout.pk),
            reversed_=event_type == "transfer.reversed"))
        stripe_webhook_handle(payload=body, signature=signature, now=self.now)

    @precondition(lambda self: any(p.status in ("sent", "paid") for p in self.payouts))
    @rule(data=st.data())
    def payout_fails(self, data: st.DataObject) -> None:
        """A sent or paid payout fails (the bank returns it, or Stripe reverses the transfer):
        the money is owed to the expert again and joins their next payout."""
        model = data.draw(st.sampled_from(
            [p for p in self.payouts if p.status in ("sent", "paid")]))
        if model.method == PayoutMethod.STRIPE:
            self._stripe_event(model, "transfer.reversed")
        else:
            execution.payout_mark_failed(payout_id=model.payout_id, reason="Account closed",
                                         now=self.now)
        model.status = "failed"
        event("payout failed")

    @rule(next_first=st.booleans())
    def invoice_run(self, next_first: bool) -> None:
        """The month's invoice run on (or after) the 1st: the closed month, issued once. With
        `next_first` the clock first moves on to the next 1st of the month."""
        if next_first:
            following = invoices_selectors.month_of(self.now).ends_at
            self.now = following.astimezone(UTC) + timedelta(hours=6)
        period = invoices_selectors.previous_month(self.now)
        charged = (BRAND, "EUR") in invoices_selectors.brands_with_charges(period=period)
        if period.first in self.invoices or not charged:
            return
        net = sum(bill.charge for ticket in self.model.values() for bill in ticket.bills()
                  if period.starts_at <= bill.at < period.ends_at
                  and not (bill.reversed_at is not None and bill.reversed_at <= self.now))
        invoice = invoices.invoice_run_for_brand(details=NORTHWIND, currency="EUR",
                                                 period_first=period.first, now=self.now)
        assert invoice.status == InvoiceStatus.ISSUED
        assert invoice.net_minor == net
        self.invoices[period.first] = ModelInvoice(period.first, net)
        event("invoice issued")

    @invariant()
    def every_transaction_balances_and_the_trial_balance_sums_to_zero(self) -> None:
        unbalanced = (LedgerEntry.objects.values("transaction_id")
                      .annotate(total=Sum("amount_minor")).exclude(total=0))
        assert not unbalanced.exists()
        assert all(totals.balances for totals in books.trial_balance_totals())

    @invariant()
    def each_payable_is_earned_minus_reversed_minus_paid_as_the_rules_say(self) -> None:
        for expert_id in EXPERTS:
            bills = [bill for ticket in self.model.values() if ticket.expert_id == expert_id
                     for bill in ticket.bills()]
            earned = sum(bill.pay for bill in bills)
            reversed_ = sum(bill.pay for bill in bills if bill.reversed)
            paid = sum(payout.amount for payout in self.payouts
                       if payout.expert_id == expert_id and payout.status != "failed")
            breakdown = books.expert_payable_breakdown(expert_id=expert_id)
            row = breakdown[0] if breakdown else books.PayableBreakdown("EUR", 0, 0, 0, 0)
            assert len(breakdown) <= 1
            assert row.owed_minor == row.earned_minor - row.reversed_minor - row.paid_minor
            assert (row.earned_minor, row.reversed_minor, row.paid_minor, row.owed_minor) == \
                (earned, reversed_, paid, earned - reversed_ - paid)

    @invariant()
    def no_ticket_is_billed_or_paid_twice(self) -> None:
        charged = dict(LedgerEntry.objects.filter(account__kind=AccountKind.BRAND_RECEIVABLE)
                       .exclude(transaction__kind__in=(TransactionKind.INVOICE_ISSUED,
                                                       TransactionKind.CREDIT_NOTE))
                       .values_list("transaction__reference_inquiry_id")
                       .annotate(total=Sum("amount_minor")))
        paid = dict(LedgerEntry.objects.filter(account__kind=AccountKind.EXPERT_PAYABLE,
                                               transaction__reference_inquiry_id__isnull=False)
                    .values_list("transaction__reference_inquiry_id")
                    .annotate(total=Sum("amount_minor")))
        for ticket in self.model.values():
            live = [bill for bill in ticket.bills() if not bill.reversed]
            assert charged.get(ticket.inquiry_id, 0) == sum(bill.charge for bill in live)
            assert -paid.get(ticket.inquiry_id, 0) == sum(bill.pay for bill in live)
        assert not LedgerTransaction.objects.filter(
            reverses__isnull=False).values("reverses_id").annotate(
            times=Count("id")).filter(times__gt=1).exists()

    @invariant()
    def each_payout_is_sent_once_and_never_more_than_was_earned(self) -> None:
        created = dict(LedgerTransaction.objects.filter(kind=TransactionKind.PAYOUT_CREATED)
                       .values_list("idempotency_key").annotate(times=Count("id")))
        assert all(times == 1 for times in created.values())
        assert len(created) == len(self.payouts)
        transfers = [request.idempotency_key
                     for request in FakeStripeHttpClient.post_requests("/v1/transfers")]
        assert len(transfers) == len(set(transfers)) == sum(
            1 for payout in self.payouts if payout.method == PayoutMethod.STRIPE)

    @invariant()
    def invoiced_totals_are_the_months_charges_less_credits(self) -> None:
        issued = Invoice.objects.filter(status__in=(InvoiceStatus.ISSUED, InvoiceStatus.PAID))
        assert issued.filter(kind=InvoiceKind.INVOICE).count() == len(self.invoices)
        for model in self.invoices.values():
            invoice = issued.get(kind=InvoiceKind.INVOICE, period_start=model.period_first)
            credit_notes = issued.filter(credited_invoice=invoice).order_by("id")
            notes = sum(credit_notes.values_list("net_minor", flat=True))
            assert invoice.net_minor == model.net
            assert notes == model.credits
            assert [(note.net_minor, note.lines.get().description) for note in credit_notes] \
                == [(net, text.replace("INV-{number}", invoice.display_number))
                    for net, text in model.notes]
            period = invoices_selectors.month_period(model.period_first)
            billed = sum(bill.charge for ticket in self.model.values()
                         for bill in ticket.bills() if period.starts_at <= bill.at < period.ends_at)
            credited = sum(bill.charge for ticket in self.model.values()
                           for bill in ticket.bills()
                           if period.starts_at <= bill.at < period.ends_at and bill.reversed)
            assert invoice.net_minor + notes == billed - credited


@pytest.fixture
def stripe_fake(settings: Any) -> Iterator[type[FakeStripeHttpClient]]:
    yield from use_fake_stripe(settings)


def test_the_books_keep_their_invariants(stripe_fake: type[FakeStripeHttpClient],
                                         settings: Any) -> None:
    settings.PAYOUT_MINIMUM_AMOUNT = "3.00"
    settings.SHIFTLINE_DISPUTE_WINDOW_DAYS = DISPUTE_WINDOW.days
    run_state_machine_as_test(
        Books,
        settings=hypothesis_settings(
                          max_examples=int(os.environ.get("SHIFTLINE_BOOKS_EXAMPLES", "10")),
                          stateful_step_count=30, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow],
                          # SHIFTLINE_BOOKS_SHRINK=0 reports the first failure unshrunk (fast)
                          phases=[phase for phase in Phase if phase != Phase.shrink
                                  or os.environ.get("SHIFTLINE_BOOKS_SHRINK", "1") != "0"]),
    )
    print(dict(SEEN))

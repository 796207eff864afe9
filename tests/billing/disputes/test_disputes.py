"""Disputes: within the window, one per ticket, only the brand's own; accepted disputes reverse
the ticket (credit for the brand, the expert's pay netted) with a credit note once invoiced;
the expert appeals once, before the payout cut-off; the trail is append-only."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import DatabaseError, transaction

from billing.disputes import selectors, services
from billing.disputes.models import Dispute, DisputeEvent
from billing.invoices import services as invoices_services
from billing.models import AccountKind, LedgerEntry, LedgerTransaction
from billing.pricing import services as pricing_services
from marketplace.infra.errors import Conflict, FieldErrors, NotFound, RuleViolation
from tests.billing.invoices.helpers import NORTHWIND, bill_ticket

pytestmark = pytest.mark.django_db(transaction=True)

RUN_AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def balance(kind: str, owner_id: int | None = None) -> int:
    return sum(LedgerEntry.objects.filter(account__kind=kind, account__owner_id=owner_id)
               .values_list("amount_minor", flat=True))


def open_dispute(now: datetime, *, inquiry_id: int = 1, brand_id: int = 10) -> Dispute:
    return services.dispute_open(brand_id=brand_id, inquiry_id=inquiry_id,
                                 reason="wrong_answer", note="The refund policy was misquoted.",
                                 actor="owner@northwind.example", now=now)


def test_a_brand_disputes_its_billed_ticket_within_the_window(now: datetime) -> None:
    bill_ticket(inquiry_id=1, now=now)

    dispute = open_dispute(now + timedelta(days=14))

    assert (dispute.status, dispute.amount_minor, dispute.expert_id,
            dispute.expert_pay_minor) == ("open", 450, 20, 300)
    assert [event.kind for event in dispute.events.all()] == ["opened"]


def test_after_the_window_a_dispute_is_refused_and_nothing_is_recorded(now: datetime) -> None:
    bill_ticket(inquiry_id=1, now=now)

    with pytest.raises(RuleViolation):
        open_dispute(now + timedelta(days=14, seconds=1))

    assert not Dispute.objects.exists()


def test_the_window_follows_the_setting(now: datetime, settings) -> None:
    settings.SHIFTLINE_DISPUTE_WINDOW_DAYS = 3
    bill_ticket(inquiry_id=1, now=now)

    with pytest.raises(RuleViolation):
        open_dispute(now + timedelta(days=4))


def test_another_brands_ticket_is_not_found(now: datetime) -> None:
    bill_ticket(inquiry_id=1, now=now, brand_id=11)

    with pytest.raises(NotFound):
        open_dispute(now)

    assert not Dispute.objects.exists()


def test_a_ticket_is_disputed_once(now: datetime) -> None:
    bill_ticket(inquiry_id=1, now=now)
    open_dispute(now)

    with pytest.raises(Conflict):
        open_dispute(now)

    assert Dispute.objects.count() == 1


def test_an_unknown_reason_is_refused(now: datetime) -> None:
    bill_ticket(inquiry_id=1, now=now)

    with pytest.raises(FieldErrors):
        services.dispute_open(brand_id=10, inquiry_id=1, reason="meh", note="", actor="x",
                              now=now)


def test_accepting_before_the_invoice_reverses_the_ticket_and_credits_the_invoice(
        now: datetime) -> None:
    bill_ticket(inquiry_id=1, now=now)
    bill_ticket(inquiry_id=2, now=now)
    dispute = open_dispute(now)

    services.dispute_decide(dispute_id=dispute.pk, accept=True, reason="Misquoted policy.",
                            actor="ops@shiftline.example", now=now + timedelta(hours=1))
    invoice = invoices_services.invoice_run_for_brand(details=NORTHWIND, currency="EUR",
                                                      period_first=date(2026, 11, 1),
                                                      now=RUN_AT)

    assert balance(AccountKind.EXPERT_PAYABLE, 20) == -300
    assert balance(AccountKind.PLATFORM_REVENUE) == -150
    assert [(line.kind, line.amount_minor) for line in invoice.lines.all()] == [
        ("tickets", 900), ("credit", -450)]
    assert (invoice.net_minor, invoice.vat_minor) == (450, 104)
    assert Dispute.objects.get().credit_note is None


def test_accepting_after_the_invoice_issues_a_credit_note_with_its_vat(now: datetime) -> None:
    bill_ticket(inquiry_id=1, now=now)
    invoice = invoices_services.invoice_run_for_brand(details=NORTHWIND, currency="EUR",
                                                      period_first=date(2026, 11, 1),
                                                      now=RUN_AT)
    dispute = open_dispute(RUN_AT)

    services.dispute_decide(dispute_id=dispute.pk, accept=True, reason="Misquoted policy.",
                            actor="ops", now=RUN_AT)

    note = Dispute.objects.get().credit_note
    assert note is not None
    assert (note.display_number, note.credited_invoice_id, note.net_minor, note.vat_minor,
            note.total_minor) == ("CN-000001", invoice.pk, -450, -104, -554)
    assert balance(AccountKind.BRAND_RECEIVABLE, 10) == 0
    assert balance(AccountKind.VAT_PAYABLE) == 0


def test_rejecting_keeps_the_ticket_billed_and_tells_the_brand_why(now: datetime) -> None:
    bill_ticket(inquiry_id=1, now=now)
    dispute = open_dispute(now)

    services.dispute_decide(dispute_id=dispute.pk, accept=False,
                            reason="The answer matched your guidelines.", actor="ops", now=now)

    (shown,) = selectors.dispute_list_for_brand(brand_id=10)
    assert (shown.status, shown.decision_reason) == ("rejected",
                                                     "The answer matched your guidelines.")
    assert not LedgerTransaction.objects.filter(kind="dispute_accepted").exists()
    assert balance(AccountKind.BRAND_RECEIVABLE, 10) == 450


def test_a_decision_needs_a_reason_and_is_made_once(now: datetime) -> None:
    bill_ticket(inquiry_id=1, now=now)
    dispute = open_dispute(now)
    with pytest.raises(FieldErrors):
        services.dispute_decide(dispute_id=dispute.pk, accept=True, reason=" ", actor="ops",
                                now=now)
    services.dispute_decide(dispute_id=dispute.pk, accept=True, reason="Yes.", actor="ops",
                            now=now)

    with pytest.raises(Conflict):
        services.dispute_decide(dispute_id=dispute.pk, accept=False, reason="No.", actor="ops",
                                now=now)

    assert LedgerTransaction.objects.filter(kind="dispute_accepted").count() == 1


def accepted(now: datetime) -> Dispute:
    bill_ticket(inquiry_id=1, now=now)
    dispute = open_dispute(now)
    return services.dispute_decide(dispute_id=dispute.pk, accept=True, reason="Misquoted.",
                                   actor="ops", now=now)


def test_the_expert_appeals_once(now: datetime) -> None:
    dispute = accepted(now)
    services.dispute_appeal(dispute_id=dispute.pk, expert_id=20, note="I quoted the macro.",
                            actor="Ada", now=now)

    with pytest.raises(Conflict):
        services.dispute_appeal(dispute_id=dispute.pk, expert_id=20, note="Again.", actor="Ada",
                                now=now)

    assert Dispute.objects.get().appeal_note == "I quoted the macro."
    assert DisputeEvent.objects.filter(kind="appealed").count() == 1


def test_the_appeal_closes_at_the_payout_cut_off(now: datetime) -> None:
    dispute = accepted(now)  # Sunday 22 November; the week's cut-off is Friday 27, 23:59:59

    assert dispute.appeal_deadline == datetime(2026, 11, 27, 23, 59, 59, tzinfo=UTC)
    with pytest.raises(RuleViolation):
        services.dispute_appeal(dispute_id=dispute.pk, expert_id=20, note="Late.", actor="Ada",
                                now=datetime(2026, 11, 28, 0, 0, tzinfo=UTC))
    assert Dispute.objects.get().appeal_status == "none"


def test_only_the_ticket_s_expert_may_appeal(now: datetime) -> None:
    dispute = accepted(now)

    with pytest.raises(NotFound):
        services.dispute_appeal(dispute_id=dispute.pk, expert_id=21, note="Me?", actor="Bo",
                                now=now)


def test_a_granted_appeal_restores_the_pay_and_the_brand_keeps_its_credit(now: datetime) -> None:
    dispute = accepted(now)
    services.dispute_appeal(dispute_id=dispute.pk, expert_id=20, note="I quoted the macro.",
                            actor="Ada", now=now)

    services.dispute_appeal_decide(dispute_id=dispute.pk, grant=True,
                                   reason="The macro was the brand's.", actor="ops", now=now)

    assert balance(AccountKind.EXPERT_PAYABLE, 20) == -300
    assert balance(AccountKind.BRAND_RECEIVABLE, 10) == 0
    assert balance(AccountKind.PLATFORM_REVENUE) == 300
    assert [event.kind for event in Dispute.objects.get().events.all()] == [
        "opened", "accepted", "appealed", "appeal_granted"]


def test_the_trail_is_append_only(now: datetime) -> None:
    dispute = accepted(now)

    with pytest.raises(DatabaseError), transaction.atomic():
        DisputeEvent.objects.filter(dispute=dispute).update(note="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        DisputeEvent.objects.filter(dispute=dispute).delete()

    assert DisputeEvent.objects.filter(note="rewritten").count() == 0


def test_an_invoice_with_a_credit_note_cannot_be_voided(now: datetime) -> None:
    bill_ticket(inquiry_id=1, now=now)
    invoice = invoices_services.invoice_run_for_brand(details=NORTHWIND, currency="EUR",
                                                      period_first=date(2026, 11, 1),
                                                      now=RUN_AT)
    dispute = open_dispute(RUN_AT)
    services.dispute_decide(dispute_id=dispute.pk, accept=True, reason="Yes.", actor="ops",
                            now=RUN_AT)

    with pytest.raises(Conflict):
        invoices_services.invoice_void(invoice_id=invoice.pk, now=RUN_AT)

    invoice.refresh_from_db()
    assert invoice.status == "issued"


def test_a_dispute_is_credited_only_on_the_invoice_of_the_month_the_ticket_was_first_billed(
) -> None:
    first_billed = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    bill_ticket(inquiry_id=1, now=first_billed)
    november = invoices_services.invoice_run_for_brand(details=NORTHWIND, currency="EUR",
                                                       period_first=date(2026, 11, 1),
                                                       now=RUN_AT)
    # reopened after its window: billed again in December, a new ticket
    reopened = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    bill_ticket(inquiry_id=1, now=reopened + timedelta(hours=1), reopened_at=reopened)
    dispute = open_dispute(datetime(2026, 12, 8, 9, 0, tzinfo=UTC))
    services.dispute_decide(dispute_id=dispute.pk, accept=True, reason="Misquoted policy.",
                            actor="ops", now=datetime(2026, 12, 8, 10, 0, tzinfo=UTC))

    december = invoices_services.invoice_run_for_brand(
        details=NORTHWIND, currency="EUR", period_first=date(2026, 12, 1),
        now=datetime(2027, 1, 1, 9, 0, tzinfo=UTC))

    note = Dispute.objects.get().credit_note
    assert note is not None and note.credited_invoice_id == november.pk
    assert note.net_minor == -450
    assert [(line.kind, line.amount_minor) for line in december.lines.all()] == [
        ("tickets", 450)]


def test_a_disputed_ticket_escalated_after_a_reopening_is_not_taken_back_twice(
        now: datetime) -> None:
    bill_ticket(inquiry_id=1, now=now)
    dispute = open_dispute(now + timedelta(hours=1))
    services.dispute_decide(dispute_id=dispute.pk, accept=True, reason="Misquoted policy.",
                            actor="ops", now=now + timedelta(hours=2))

    reversal = pricing_services.ticket_escalated(inquiry_id=1, now=now + timedelta(hours=3))

    assert reversal is None
    assert balance(AccountKind.BRAND_RECEIVABLE, 10) == 0
    assert balance(AccountKind.EXPERT_PAYABLE, 20) == 0

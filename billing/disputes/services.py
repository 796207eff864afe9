"""Disputes: a brand contests a billed ticket, ops decide, the expert may appeal once.

Accepting reverses the ticket's whole resolution transaction in one `DISPUTE_ACCEPTED`
transaction: the brand's receivable is credited, the expert's payable debited (netted against
their next payout, never a transfer reversal) and the platform's share returned. If the
ticket's month is already invoiced, a credit note follows; otherwise the month's invoice shows
the credit. Granting the expert's appeal gives them their pay back at the platform's cost; the
brand keeps its credit."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from billing.disputes.models import (
    AppealStatus,
    Dispute,
    DisputeEvent,
    DisputeEventKind,
    DisputeReason,
    DisputeStatus,
)
from billing.invoices import selectors as invoices_selectors
from billing.invoices import services as invoices_services
from billing.invoices.models import InvoiceStatus
from billing.ledger.models import AccountKind, LedgerEntry, LedgerTransaction, TransactionKind
from billing.ledger.services import Posting, account_get_or_create, ledger_post
from billing.weeks import payout_week_containing
from marketplace.infra.errors import Conflict, FieldErrors, NotFound, RuleViolation

NOTE_MAX_LENGTH = 2000


def dispute_window() -> timedelta:
    return timedelta(days=settings.SHIFTLINE_DISPUTE_WINDOW_DAYS)


def next_payout_cutoff(*, after: datetime) -> datetime:
    """The cut-off of the payout week `after` falls in (billing/weeks.py: the week's last
    second, Friday 23:59:59 in the payout zone by default)."""
    return payout_week_containing(after).period_end - timedelta(seconds=1)


def _record(dispute: Dispute, kind: DisputeEventKind, actor: str, note: str,
            now: datetime) -> None:
    try:
        with transaction.atomic():
            DisputeEvent.objects.create(dispute=dispute, kind=kind, actor=actor[:200], note=note,
                                        created_at=now)
    except IntegrityError as error:
        raise Conflict("That step of this dispute has already been taken.",
                       code="dispute_step_taken") from error


def _clean_note(note: str, field: str, *, required: bool) -> str:
    note = note.strip()
    if required and not note:
        raise FieldErrors({field: ["Say why, in a sentence or two."]})
    if len(note) > NOTE_MAX_LENGTH or "\x00" in note:
        raise FieldErrors({field: [f"Keep it to {NOTE_MAX_LENGTH:,} characters of text."]})
    return note


def dispute_open(*, brand_id: int, inquiry_id: int, reason: str, note: str, actor: str,
                 now: datetime) -> Dispute:
    """Opens a dispute of a ticket billed to this brand, within the window after it was billed.
    A ticket billed to another brand is not found (no brand learns of another's tickets)."""
    if reason not in DisputeReason.values:
        raise FieldErrors({"reason": ["Choose a reason: " + ", ".join(DisputeReason.values)]})
    note = _clean_note(note, "note", required=reason == DisputeReason.OTHER)
    charge = invoices_selectors.billed_ticket_charge(inquiry_id=inquiry_id)
    if charge is None or charge.account.owner_id != brand_id:
        raise NotFound(f"No billed ticket #{inquiry_id} for your brand.",
                       code="ticket_not_billed")
    if LedgerTransaction.objects.filter(reverses=charge.transaction).exists():
        raise RuleViolation(f"Ticket #{inquiry_id}'s charge was already taken back.",
                            code="charge_reversed")
    billed_at = charge.transaction.created_at
    if now > billed_at + dispute_window():
        raise RuleViolation(
            f"Ticket #{inquiry_id} was billed on {billed_at:%Y-%m-%d}; disputes are open for "
            f"{settings.SHIFTLINE_DISPUTE_WINDOW_DAYS} days after billing.",
            code="dispute_window_closed")
    expert_entry = (LedgerEntry.objects.filter(transaction=charge.transaction,
                                               account__kind=AccountKind.EXPERT_PAYABLE)
                    .select_related("account").first())
    expert_pay = -sum(LedgerEntry.objects.filter(
        transaction=charge.transaction, account__kind=AccountKind.EXPERT_PAYABLE,
    ).values_list("amount_minor", flat=True))
    try:
        with transaction.atomic():
            dispute = Dispute.objects.create(
                inquiry_id=inquiry_id, brand_id=brand_id, currency=charge.account.currency,
                expert_id=expert_entry.account.owner_id if expert_entry else None,
                amount_minor=charge.amount_minor, expert_pay_minor=expert_pay,
                reason=reason, note=note, opened_at=now)
            _record(dispute, DisputeEventKind.OPENED, actor, note, now)
    except IntegrityError as error:
        raise Conflict(f"Ticket #{inquiry_id} is already disputed.",
                       code="already_disputed") from error
    return dispute


def _lock(dispute_id: int) -> Dispute:
    dispute = Dispute.objects.select_for_update().filter(pk=dispute_id).first()
    if dispute is None:
        raise NotFound("No such dispute.")
    return dispute


def dispute_decide(*, dispute_id: int, accept: bool, reason: str, actor: str,
                   now: datetime) -> Dispute:
    """Ops' decision, with the reason the brand (and, if accepted, the expert) will read."""
    reason = _clean_note(reason, "reason", required=True)
    with transaction.atomic():
        dispute = _lock(dispute_id)
        if dispute.status != DisputeStatus.OPEN:
            raise Conflict("This dispute has already been decided.", code="dispute_decided")
        dispute.decision_reason = reason
        dispute.decided_at = now
        if not accept:
            dispute.status = DisputeStatus.REJECTED
            dispute.save(update_fields=["status", "decision_reason", "decided_at"])
            _record(dispute, DisputeEventKind.REJECTED, actor, reason, now)
            return dispute
        charge = invoices_selectors.billed_ticket_charge(inquiry_id=dispute.inquiry_id)
        if charge is None:
            raise NotFound("The disputed ticket's charge is gone.")
        invoice = invoices_services.invoice_lock_for_month(
            brand_id=dispute.brand_id, currency=dispute.currency,
            period_first=invoices_selectors.month_of(charge.transaction.created_at).first,
            details=None, now=now)
        ledger_post(
            idempotency_key=f"dispute-accepted:{dispute.pk}",
            kind=TransactionKind.DISPUTE_ACCEPTED, currency=dispute.currency, now=now,
            reference_inquiry_id=dispute.inquiry_id,
            description=f"Dispute of inquiry #{dispute.inquiry_id} accepted",
            postings=[Posting(entry.account, -entry.amount_minor,
                              f"Reversed: {entry.description}"[:300])
                      for entry in LedgerEntry.objects.filter(transaction=charge.transaction)
                      .select_related("account")])
        if invoice.status in (InvoiceStatus.ISSUED, InvoiceStatus.PAID):
            dispute.credit_note = invoices_services.credit_note_issue(
                invoice=invoice, inquiry_id=dispute.inquiry_id,
                amount_minor=dispute.amount_minor, now=now)
        dispute.status = DisputeStatus.ACCEPTED
        dispute.appeal_deadline = next_payout_cutoff(after=now) if dispute.expert_id else None
        dispute.save(update_fields=["status", "decision_reason", "decided_at", "credit_note",
                                    "appeal_deadline"])
        _record(dispute, DisputeEventKind.ACCEPTED, actor, reason, now)
    return dispute


def dispute_appeal(*, dispute_id: int, expert_id: int, note: str, actor: str,
                   now: datetime) -> Dispute:
    """The expert's one appeal of an accepted dispute, before the payout cut-off."""
    with transaction.atomic():
        dispute = _lock(dispute_id)
        if dispute.expert_id != expert_id or dispute.status != DisputeStatus.ACCEPTED:
            raise NotFound("No reversed ticket of yours to appeal.")
        note = _clean_note(note, "note", required=True)
        if dispute.appeal_status != AppealStatus.NONE:
            raise Conflict("You have already appealed this decision; an appeal is made once.",
                           code="already_appealed")
        if dispute.appeal_deadline is None or now > dispute.appeal_deadline:
            raise RuleViolation("The payout cut-off has passed; this decision can no longer be "
                                "appealed.", code="appeal_window_closed")
        dispute.appeal_status = AppealStatus.PENDING
        dispute.appeal_note = note
        dispute.save(update_fields=["appeal_status", "appeal_note"])
        _record(dispute, DisputeEventKind.APPEALED, actor, note, now)
    return dispute


def dispute_appeal_decide(*, dispute_id: int, grant: bool, reason: str, actor: str,
                          now: datetime) -> Dispute:
    """Granting gives the expert their pay for the ticket back (debit platform revenue,
    credit their payable); the brand keeps its credit either way."""
    reason = _clean_note(reason, "reason", required=True)
    with transaction.atomic():
        dispute = _lock(dispute_id)
        if dispute.appeal_status != AppealStatus.PENDING:
            raise Conflict("There is no pending appeal on this dispute.", code="no_pending_appeal")
        dispute.appeal_status = AppealStatus.GRANTED if grant else AppealStatus.DENIED
        dispute.appeal_decision_reason = reason
        dispute.save(update_fields=["appeal_status", "appeal_decision_reason"])
        if grant and dispute.expert_id is not None and dispute.expert_pay_minor:
            expert = account_get_or_create(kind=AccountKind.EXPERT_PAYABLE,
                                           owner_id=dispute.expert_id, currency=dispute.currency,
                                           name=f"Expert {dispute.expert_id} payable")
            revenue = account_get_or_create(kind=AccountKind.PLATFORM_REVENUE, owner_id=None,
                                            currency=dispute.currency, name="Shiftline revenue")
            ledger_post(
                idempotency_key=f"dispute-appeal-granted:{dispute.pk}",
                kind=TransactionKind.REVERSAL, currency=dispute.currency, now=now,
                reference_inquiry_id=dispute.inquiry_id,
                description=f"Appeal granted: pay for inquiry #{dispute.inquiry_id} restored",
                postings=[Posting(revenue, dispute.expert_pay_minor, "Shiftline bears the credit"),
                          Posting(expert, -dispute.expert_pay_minor, "Pay restored on appeal")])
        _record(dispute, DisputeEventKind.APPEAL_GRANTED if grant
                else DisputeEventKind.APPEAL_DENIED, actor, reason, now)
    return dispute

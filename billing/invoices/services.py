"""Invoice writes: the billed-ticket record, drafting and issuing a month's invoice (gapless
numbers, VAT, the ledger's VAT posting), credit notes, payments and voiding.

Billing knows no brand: callers pass the brand's billing details (`BillingDetails`) in."""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction

from billing.invoices import documents, selectors
from billing.invoices.models import (
    BilledTicket,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceLineKind,
    InvoicePayment,
    InvoiceSeries,
    InvoiceStatus,
    VatRate,
    VatTreatment,
)
from billing.invoices.vat import vat_amount_minor, vat_decide, vat_number_country
from billing.ledger.models import Account, AccountKind, TransactionKind
from billing.ledger.services import Posting, account_get_or_create, ledger_post
from billing.money import Money
from marketplace.infra.errors import Conflict, FieldErrors, NotFound, RuleViolation
from marketplace.infra.tasking import enqueue_on_commit

INVOICE_SERIES = "INV"
CREDIT_NOTE_SERIES = "CN"
INVOICE_NUMBER = re.compile(r"\b(INV|CN)-(\d{6})\b")


@dataclass(frozen=True)
class BillingDetails:
    """The brand's billing page, as the caller read it."""

    brand_id: int
    brand_name: str
    contact_name: str = ""
    email: str = ""
    address: str = ""
    vat_number: str = ""
    country: str = ""


def invoice_pdf(*, invoice: Invoice) -> bytes:
    """The document as a PDF (rendered from the invoice's own copy of every detail)."""
    return documents.invoice_pdf(invoice=invoice)


def invoice_filename(*, invoice: Invoice, extension: str) -> str:
    return documents.invoice_filename(invoice, extension)


def brand_country_from_vat_number(vat_number: str) -> str:
    return vat_number_country(vat_number)


def platform_details() -> dict[str, str]:
    return dict(settings.SHIFTLINE_PLATFORM)


def billed_ticket_record(*, inquiry_id: int, brand_id: int, queue_id: int, queue_name: str,
                         channel: str) -> None:
    """Records which queue and channel a billed ticket belongs to, once (the caller resolving
    the ticket calls this beside the ledger posting; a retry changes nothing)."""
    BilledTicket.objects.get_or_create(inquiry_id=inquiry_id, defaults={
        "brand_id": brand_id, "queue_id": queue_id, "queue_name": queue_name[:200],
        "channel": channel[:32]})


def _copy_details(invoice: Invoice, details: BillingDetails) -> None:
    invoice.brand_name = details.brand_name[:200]
    invoice.billing_contact_name = details.contact_name[:200]
    invoice.billing_email = details.email
    invoice.billing_address = details.address
    invoice.vat_number = details.vat_number[:20]
    invoice.billing_country = (details.country or details.vat_number[:2]).upper()[:2]
    invoice.platform_details = platform_details()


def invoice_lock_for_month(*, brand_id: int, currency: str, period_first: date,
                           details: BillingDetails | None, now: datetime) -> Invoice:
    """The month's invoice (not void) for the brand and currency, created as a draft when
    missing, locked FOR UPDATE. The unique constraint makes two creators meet on one row."""
    period = selectors.month_period(period_first)
    for attempt in range(3):
        invoice = (Invoice.objects.select_for_update()
                   .filter(brand_id=brand_id, currency=currency, period_start=period.first,
                           kind=InvoiceKind.INVOICE)
                   .exclude(status=InvoiceStatus.VOID).first())
        if invoice is not None:
            return invoice
        invoice = Invoice(kind=InvoiceKind.INVOICE, series=INVOICE_SERIES, brand_id=brand_id,
                          currency=currency, period_start=period.first, period_end=period.last,
                          vat_treatment=VatTreatment.DOMESTIC, created_at=now,
                          brand_name=details.brand_name if details else f"Brand {brand_id}")
        if details is not None:
            _copy_details(invoice, details)
        try:
            with transaction.atomic():
                invoice.save()
        except IntegrityError:
            if attempt == 2:
                raise
            continue
        return invoice
    raise AssertionError("unreachable")


def _lines_for(invoice: Invoice) -> list[InvoiceLine]:
    period = selectors.month_period(invoice.period_start)
    lines: list[InvoiceLine] = []
    usage = selectors.usage_lines(brand_id=invoice.brand_id, period=period)
    for usage_line in usage.get(invoice.currency, []):
        lines.append(InvoiceLine(
            kind=InvoiceLineKind.TICKETS,
            description=f"Resolved tickets · {usage_line.queue_name} · {usage_line.channel}",
            queue_name=usage_line.queue_name, channel=usage_line.channel,
            quantity=usage_line.quantity, unit_minor=usage_line.unit.minor,
            amount_minor=usage_line.amount.minor))
    for unit, quantity in selectors.escalation_fees(brand_id=invoice.brand_id,
                                                    currency=invoice.currency, period=period):
        lines.append(InvoiceLine(kind=InvoiceLineKind.ESCALATION_FEES,
                                 description="Confirmed escalation fees", quantity=quantity,
                                 unit_minor=unit, amount_minor=unit * quantity))
    for inquiry_id, amount in selectors.accepted_dispute_credits(
            brand_id=invoice.brand_id, currency=invoice.currency, period=period):
        lines.append(InvoiceLine(kind=InvoiceLineKind.CREDIT,
                                 description=f"Credit: disputed ticket #{inquiry_id} accepted",
                                 quantity=1, unit_minor=amount, amount_minor=amount))
    for position, line in enumerate(lines, start=1):
        line.invoice = invoice
        line.position = position
    return lines


def _apply_vat(invoice: Invoice, on: date) -> None:
    platform_country = platform_details()["country"]
    domestic_rate = selectors.vat_rate_in_force(country=platform_country, on=on)
    if domestic_rate is None:
        raise RuleViolation(f"No VAT rate for {platform_country} on {on}: add one on the VAT "
                            "rates page first.", code="vat_rate_missing")
    decision = vat_decide(brand_country=invoice.billing_country, vat_number=invoice.vat_number,
                          platform_country=platform_country, domestic_rate_percent=domestic_rate)
    invoice.vat_treatment = decision.treatment
    invoice.vat_rate_percent = decision.rate_percent
    invoice.vat_minor = vat_amount_minor(net_minor=invoice.net_minor,
                                         rate_percent=decision.rate_percent)
    invoice.total_minor = invoice.net_minor + invoice.vat_minor


def _next_number(series: str) -> int:
    """Caller holds the transaction; the counter row stays locked until it commits, so a
    second issuer waits and takes the next number, and a rolled-back issue frees its number."""
    InvoiceSeries.objects.get_or_create(prefix=series)
    counter = InvoiceSeries.objects.select_for_update().get(prefix=series)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def _receivable(invoice: Invoice) -> Account:
    return account_get_or_create(
        kind=AccountKind.BRAND_RECEIVABLE, owner_id=invoice.brand_id, currency=invoice.currency,
        name=f"{invoice.brand_name} receivable")


def _vat_payable(currency: str) -> Account:
    return account_get_or_create(kind=AccountKind.VAT_PAYABLE, owner_id=None,
                                 currency=currency, name="VAT payable")


def invoice_issue(*, invoice_id: int, details: BillingDetails, now: datetime) -> Invoice:
    """Issues a draft: refreshes its lines and the brand's details, decides VAT, takes the
    next number of its series, and posts the VAT (debit the brand's receivable, credit VAT
    payable). Issuing an issued invoice changes nothing. The email goes after commit."""
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().filter(pk=invoice_id).first()
        if invoice is None or invoice.brand_id != details.brand_id:
            raise NotFound("No such invoice.")
        if invoice.status != InvoiceStatus.DRAFT:
            return invoice
        _copy_details(invoice, details)
        issue_date = now.astimezone(selectors.billing_zone()).date()
        InvoiceLine.objects.filter(invoice=invoice).delete()
        lines = _lines_for(invoice)
        if not lines:
            raise RuleViolation("Nothing to invoice for this month.", code="nothing_to_invoice")
        InvoiceLine.objects.bulk_create(lines)
        invoice.net_minor = sum(line.amount_minor for line in lines)
        _apply_vat(invoice, issue_date)
        invoice.number = _next_number(invoice.series)
        invoice.issue_date = issue_date
        invoice.due_date = issue_date + timedelta(days=settings.SHIFTLINE_INVOICE_DUE_DAYS)
        invoice.status = InvoiceStatus.ISSUED
        invoice.issued_at = now
        invoice.save()
        if invoice.vat_minor:
            receivable, vat = _receivable(invoice), _vat_payable(invoice.currency)
            ledger_post(
                idempotency_key=f"invoice-issued:{invoice.pk}", kind=TransactionKind.INVOICE_ISSUED,
                currency=invoice.currency, now=now,
                description=f"Invoice {invoice.display_number}: VAT",
                postings=[Posting(receivable, invoice.vat_minor, "VAT invoiced"),
                          Posting(vat, -invoice.vat_minor, "VAT payable")])
        _email_on_commit(invoice)
    return invoice


def _email_on_commit(invoice: Invoice) -> None:
    enqueue_on_commit("billing.email_invoice", invoice.pk)


def invoice_run_for_brand(*, details: BillingDetails, currency: str, period_first: date,
                          now: datetime) -> Invoice:
    """Drafts and issues one brand's invoice for a month and currency; safe to run twice."""
    with transaction.atomic():
        invoice = invoice_lock_for_month(brand_id=details.brand_id, currency=currency,
                                         period_first=period_first, details=details, now=now)
        return invoice_issue(invoice_id=invoice.pk, details=details, now=now)


def credit_note_issue(*, invoice: Invoice, inquiry_id: int, amount_minor: int,
                      now: datetime, cause: str = "") -> Invoice:
    """A credit note against an issued invoice for one ticket's charge (`amount_minor`
    positive), at the invoice's VAT rate; posts the VAT back (debit VAT payable, credit the
    receivable). The net was credited by the caller's own ledger transaction (a dispute
    accepted, or an escalation taking a resolution back); `cause` says which on its line
    ("disputed ticket #12 accepted" when empty). Caller holds the invoice's lock."""
    issue_date = now.astimezone(selectors.billing_zone()).date()
    vat_minor = vat_amount_minor(net_minor=amount_minor, rate_percent=invoice.vat_rate_percent)
    note = Invoice(
        kind=InvoiceKind.CREDIT_NOTE, series=CREDIT_NOTE_SERIES, brand_id=invoice.brand_id,
        currency=invoice.currency, period_start=invoice.period_start,
        period_end=invoice.period_end, credited_invoice=invoice, status=InvoiceStatus.ISSUED,
        brand_name=invoice.brand_name, billing_contact_name=invoice.billing_contact_name,
        billing_email=invoice.billing_email, billing_address=invoice.billing_address,
        billing_country=invoice.billing_country, vat_number=invoice.vat_number,
        platform_details=invoice.platform_details, vat_treatment=invoice.vat_treatment,
        vat_rate_percent=invoice.vat_rate_percent, net_minor=-amount_minor,
        vat_minor=-vat_minor, total_minor=-(amount_minor + vat_minor), created_at=now,
        issued_at=now, issue_date=issue_date, due_date=issue_date,
        number=_next_number(CREDIT_NOTE_SERIES),
    )
    note.save()
    InvoiceLine.objects.create(
        invoice=note, position=1, kind=InvoiceLineKind.CREDIT, quantity=1,
        description=f"Credit: {cause or f'disputed ticket #{inquiry_id} accepted'} "
                    f"(invoice {invoice.display_number})",
        unit_minor=-amount_minor, amount_minor=-amount_minor)
    if vat_minor:
        receivable, vat = _receivable(note), _vat_payable(note.currency)
        ledger_post(idempotency_key=f"credit-note:{note.pk}", kind=TransactionKind.CREDIT_NOTE,
                    currency=note.currency, now=now,
                    description=f"Credit note {note.display_number}: VAT",
                    reference_inquiry_id=inquiry_id,
                    postings=[Posting(vat, vat_minor, "VAT credited"),
                              Posting(receivable, -vat_minor, "VAT credited")])
    _email_on_commit(note)
    return note


def invoice_payment_record(*, invoice_id: int, amount: Money, received_on: date,
                           bank_reference: str, now: datetime) -> InvoicePayment:
    """Records a bank transfer against an issued invoice and posts it (debit the bank, credit
    the brand's receivable); the invoice is paid once transfers cover its total. The same bank
    reference twice returns the first payment and posts nothing."""
    bank_reference = bank_reference.strip()[:200]
    if not bank_reference:
        raise FieldErrors({"bank_reference": ["Enter the bank's reference for the transfer."]})
    if amount.minor <= 0:
        raise FieldErrors({"amount": ["Enter the amount received."]})
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().filter(
            pk=invoice_id, kind=InvoiceKind.INVOICE).first()
        if invoice is None:
            raise NotFound("No such invoice.")
        if amount.currency != invoice.currency:
            raise FieldErrors({"amount": [f"This invoice is in {invoice.currency}."]})
        existing = InvoicePayment.objects.filter(invoice=invoice,
                                                 bank_reference=bank_reference).first()
        if existing is not None:
            return existing
        if invoice.status not in (InvoiceStatus.ISSUED, InvoiceStatus.PAID):
            raise Conflict(f"Invoice {invoice.display_number} is {invoice.get_status_display()}"
                           "; only issued invoices take payments.", code="invoice_not_issued")
        payment = InvoicePayment.objects.create(
            invoice=invoice, amount_minor=amount.minor, received_on=received_on,
            bank_reference=bank_reference, recorded_at=now)
        bank = account_get_or_create(kind=AccountKind.BANK, owner_id=None,
                                     currency=invoice.currency, name="Cash at the bank")
        receivable = _receivable(invoice)
        ledger_post(idempotency_key=f"invoice-paid:{payment.pk}",
                    kind=TransactionKind.INVOICE_PAID, currency=invoice.currency, now=now,
                    description=f"Invoice {invoice.display_number} paid ({bank_reference})",
                    postings=[Posting(bank,
                                      amount.minor, "Bank transfer received"),
                              Posting(receivable, -amount.minor,
                                      f"Paid by {invoice.brand_name}")])
        if (invoice.status == InvoiceStatus.ISSUED
                and selectors.invoice_paid_minor(invoice=invoice) >= invoice.total_minor):
            invoice.status = InvoiceStatus.PAID
            invoice.paid_at = now
            invoice.save(update_fields=["status", "paid_at"])
    return payment


@dataclass(frozen=True)
class StatementImport:
    recorded: list[str]
    unmatched: list[str]


def bank_statement_import(*, csv_text: str, now: datetime) -> StatementImport:
    """A bank statement CSV with `date` (YYYY-MM-DD), `amount` and `reference` columns: each
    credit whose reference names an invoice number (INV-000123) is recorded against it; the
    rest are listed back. Importing the same statement twice records nothing new."""
    reader = csv.DictReader(io.StringIO(csv_text))
    if not reader.fieldnames or not {"date", "amount", "reference"} <= {
            name.strip().lower() for name in reader.fieldnames}:
        raise FieldErrors({"statement": ["The CSV needs date, amount and reference columns."]})
    recorded: list[str] = []
    unmatched: list[str] = []
    for row in reader:
        row = {(key or "").strip().lower(): (value or "").strip() for key, value in row.items()}
        reference = row.get("reference", "")
        match = INVOICE_NUMBER.search(reference.upper())
        invoice = (Invoice.objects.filter(series=match.group(1), number=int(match.group(2)))
                   .first() if match else None)
        try:
            received_on = date.fromisoformat(row.get("date", ""))
            value = Decimal(row.get("amount", ""))
        except (ValueError, InvalidOperation):
            unmatched.append(f"{reference or '(no reference)'}: unreadable date or amount")
            continue
        if invoice is None or invoice.kind != InvoiceKind.INVOICE or value <= 0:
            unmatched.append(f"{reference or '(no reference)'}: no invoice number matched")
            continue
        try:
            amount = Money.parse(format(value, "f"), currency=invoice.currency)
            invoice_payment_record(invoice_id=invoice.pk, amount=amount, received_on=received_on,
                                   bank_reference=reference, now=now)
        except (ValueError, Conflict, FieldErrors) as error:
            unmatched.append(f"{reference}: {error}")
            continue
        recorded.append(invoice.display_number)
    return StatementImport(recorded=recorded, unmatched=unmatched)


def invoice_void(*, invoice_id: int, now: datetime) -> Invoice:
    """Voids an issued, unpaid invoice: its VAT posting is reversed and its number stays used
    (gapless numbering keeps void numbers). The month can then be invoiced afresh."""
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().filter(pk=invoice_id).first()
        if invoice is None:
            raise NotFound("No such invoice.")
        if invoice.status == InvoiceStatus.VOID:
            return invoice
        if (invoice.status != InvoiceStatus.ISSUED or invoice.payments.exists()
                or invoice.credit_notes.exists()):
            raise Conflict("Only an issued invoice without payments or credit notes can be "
                           "voided.", code="invoice_not_voidable")
        if invoice.vat_minor:
            receivable, vat = _receivable(invoice), _vat_payable(invoice.currency)
            sign = 1 if invoice.kind == InvoiceKind.INVOICE else -1
            ledger_post(idempotency_key=f"invoice-void:{invoice.pk}",
                        kind=TransactionKind.REVERSAL, currency=invoice.currency, now=now,
                        description=f"{invoice.display_number} voided: VAT reversed",
                        postings=[Posting(vat, sign * invoice.vat_minor, "VAT reversed"),
                                  Posting(receivable, -sign * invoice.vat_minor,
                                          "VAT reversed")])
        invoice.status = InvoiceStatus.VOID
        invoice.voided_at = now
        invoice.save(update_fields=["status", "voided_at"])
    return invoice


# The standard rates a new installation starts from (migration billing 0008 added the same);
# ops keep the table current on the VAT rates page.
STARTING_VAT_RATES = {"IE": "23.00", "DE": "19.00", "FR": "20.00", "NL": "21.00", "ES": "21.00",
                      "IT": "22.00", "AT": "20.00", "BE": "21.00"}


def vat_rates_starting_ensure() -> int:
    """Adds each starting rate a country has none of (the demo relies on them; a database
    emptied by a flush has lost the migration's). Returns how many were added."""
    have = set(VatRate.objects.values_list("country", flat=True).distinct())
    missing = [VatRate(country=country, valid_from=date(2024, 1, 1),
                       rate_percent=Decimal(rate))
               for country, rate in STARTING_VAT_RATES.items() if country not in have]
    VatRate.objects.bulk_create(missing)
    return len(missing)


def vat_rate_save(*, country: str, rate_percent: str, valid_from: str) -> VatRate:
    errors: dict[str, list[str]] = {}
    country = country.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        errors["country"] = ["Enter a two-letter country code such as IE."]
    try:
        rate = Decimal(rate_percent.strip())
        if not Decimal(0) <= rate < Decimal(100) or rate != rate.quantize(Decimal("0.01")):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["rate_percent"] = ["Enter a rate from 0 to 99.99 with at most two decimals."]
    try:
        starts = date.fromisoformat(valid_from.strip())
    except ValueError:
        errors["valid_from"] = ["Enter the first day as YYYY-MM-DD."]
    if errors:
        raise FieldErrors(errors)
    vat_rate, _ = VatRate.objects.update_or_create(country=country, valid_from=starts,
                                                   defaults={"rate_percent": rate})
    return vat_rate

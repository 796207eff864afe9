"""Monthly invoices: lines per queue and channel from the ledger, VAT posted at issue, gapless
numbers per series (also under concurrency), PDF and CSV, payments and voiding."""

import threading
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.db import connection

from billing.invoices import documents, selectors, services, tasks
from billing.invoices.models import Invoice, InvoiceSeries
from billing.models import AccountKind, LedgerEntry, LedgerTransaction
from billing.money import Money
from billing.pricing import services as pricing_services
from marketplace.infra.errors import Conflict, RuleViolation
from tests.billing.invoices.helpers import NORTHWIND, bill_ticket

pytestmark = pytest.mark.django_db(transaction=True)

RUN_AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
NOVEMBER = date(2026, 11, 1)


def balance(kind: str, owner_id: int | None = None) -> int:
    return sum(LedgerEntry.objects.filter(account__kind=kind, account__owner_id=owner_id)
               .values_list("amount_minor", flat=True))


def three_tickets(now: datetime) -> None:
    bill_ticket(inquiry_id=1, now=now, channel="email")
    bill_ticket(inquiry_id=2, now=now, channel="email")
    bill_ticket(inquiry_id=3, now=now, channel="chat", price=300, queue_name="Returns",
                queue_id=2)


def test_an_invoice_has_a_line_per_queue_and_channel_and_domestic_vat_posted(
        now: datetime) -> None:
    three_tickets(now)
    bill_ticket(inquiry_id=4, now=datetime(2026, 10, 31, 23, 30, tzinfo=UTC))

    invoice = services.invoice_run_for_brand(details=NORTHWIND, currency="EUR",
                                             period_first=NOVEMBER, now=RUN_AT)

    lines = [(line.description, line.quantity, line.unit_minor, line.amount_minor)
             for line in invoice.lines.all()]
    assert lines == [
        ("Resolved tickets · Returns · chat", 1, 300, 300),
        ("Resolved tickets · Support · email", 2, 450, 900),
    ]
    assert (invoice.display_number, invoice.status, invoice.issue_date, invoice.due_date,
            invoice.vat_treatment, invoice.net_minor, invoice.vat_minor, invoice.total_minor) == (
        "INV-000001", "issued", date(2026, 12, 1), date(2026, 12, 15), "domestic", 1200, 276,
        1476)
    assert (invoice.brand_name, invoice.billing_email, invoice.platform_details["iban"]) == (
        "Northwind", "billing@northwind.example", "IE29AIBK93115212345678")
    assert balance(AccountKind.VAT_PAYABLE) == -276
    assert balance(AccountKind.BRAND_RECEIVABLE, 10) == 1200 + 450 + 276


def test_the_month_is_the_billing_zones_month(now: datetime, settings) -> None:
    settings.SHIFTLINE_BILLING_ZONE = "Europe/Berlin"
    bill_ticket(inquiry_id=1, now=datetime(2026, 10, 31, 23, 30, tzinfo=UTC))  # 1 Nov in Berlin
    bill_ticket(inquiry_id=2, now=datetime(2026, 11, 30, 23, 30, tzinfo=UTC))  # 1 Dec in Berlin

    invoice = services.invoice_run_for_brand(details=NORTHWIND, currency="EUR",
                                             period_first=NOVEMBER, now=RUN_AT)

    assert [row[0] for row in selectors.ticket_detail_rows(invoice=invoice)][1:] == ["1"]


def test_a_eu_brand_with_a_vat_number_is_reverse_charged_and_the_pdf_says_so(
        now: datetime) -> None:
    three_tickets(now)
    german = replace(NORTHWIND, country="DE", vat_number="DE136695976")

    invoice = services.invoice_run_for_brand(details=german, currency="EUR",
                                             period_first=NOVEMBER, now=RUN_AT)

    assert (invoice.vat_treatment, invoice.vat_minor, invoice.total_minor) == (
        "reverse_charge", 0, 1200)
    assert "Reverse charge" in documents.invoice_html(invoice=invoice)
    assert documents.invoice_pdf(invoice=invoice).startswith(b"%PDF-")
    assert not LedgerTransaction.objects.filter(kind="invoice_issued").exists()


def test_a_brand_outside_the_eu_pays_no_vat(now: datetime) -> None:
    three_tickets(now)

    invoice = services.invoice_run_for_brand(details=replace(NORTHWIND, country="US"),
                                             currency="EUR", period_first=NOVEMBER, now=RUN_AT)

    assert (invoice.vat_treatment, invoice.vat_minor) == ("outside_eu", 0)
    assert "Outside the scope of EU VAT" in documents.invoice_html(invoice=invoice)


def test_running_the_month_twice_issues_one_invoice_and_one_number(now: datetime) -> None:
    three_tickets(now)

    first = services.invoice_run_for_brand(details=NORTHWIND, currency="EUR",
                                           period_first=NOVEMBER, now=RUN_AT)
    second = services.invoice_run_for_brand(details=NORTHWIND, currency="EUR",
                                            period_first=NOVEMBER, now=RUN_AT)

    assert first.pk == second.pk
    assert Invoice.objects.count() == 1
    assert InvoiceSeries.objects.get(prefix="INV").last_number == 1
    assert LedgerTransaction.objects.filter(kind="invoice_issued").count() == 1


def test_no_vat_rate_refuses_to_issue_and_takes_no_number(now: datetime, settings) -> None:
    three_tickets(now)
    settings.SHIFTLINE_PLATFORM = {**settings.SHIFTLINE_PLATFORM, "country": "PT"}

    with pytest.raises(RuleViolation):
        services.invoice_run_for_brand(details=NORTHWIND, currency="EUR",
                                       period_first=NOVEMBER, now=RUN_AT)

    assert not Invoice.objects.exclude(status="draft").exists()
    assert not InvoiceSeries.objects.filter(last_number__gt=0).exists()


def test_numbers_are_gapless_and_unique_when_brands_are_invoiced_at_once(now: datetime) -> None:
    brands = range(100, 108)
    for brand_id in brands:
        bill_ticket(inquiry_id=brand_id, brand_id=brand_id, now=now)
    barrier = threading.Barrier(len(brands))
    errors: list[BaseException] = []

    def issue(brand_id: int) -> None:
        try:
            barrier.wait()
            services.invoice_run_for_brand(
                details=replace(NORTHWIND, brand_id=brand_id, brand_name=f"Brand {brand_id}"),
                currency="EUR", period_first=NOVEMBER, now=RUN_AT)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(brand_id,)) for brand_id in brands]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    numbers = Invoice.objects.values_list("number", flat=True)
    assert sorted(number or 0 for number in numbers) == list(range(1, 9))


def test_the_csv_lists_every_ticket_of_the_month(now: datetime) -> None:
    three_tickets(now)
    invoice = services.invoice_run_for_brand(details=NORTHWIND, currency="EUR",
                                             period_first=NOVEMBER, now=RUN_AT)

    rows = list(selectors.ticket_detail_rows(invoice=invoice))

    assert rows[0] == ["inquiry_id", "resolved_at", "queue", "channel", "amount", "currency"]
    assert [row[0] for row in rows[1:]] == ["1", "2", "3"]
    assert rows[3][2:] == ["Returns", "chat", "3.00", "EUR"]


def test_issuing_emails_the_pdf_to_the_billing_contact(now: datetime,
                                                       captured_tasks: list) -> None:
    three_tickets(now)
    invoice = services.invoice_run_for_brand(details=NORTHWIND, currency="EUR",
                                             period_first=NOVEMBER, now=RUN_AT)
    assert captured_tasks == [("billing.email_invoice", [invoice.pk])]

    assert tasks.email_invoice(invoice.pk) is True

    (message,) = mail.outbox
    assert message.to == ["billing@northwind.example"]
    assert message.attachments[0][0] == "shiftline-INV-000001.pdf"
    assert message.attachments[0][1].startswith(b"%PDF-")


def test_a_payment_posts_to_the_bank_and_settles_the_invoice_once(now: datetime) -> None:
    three_tickets(now)
    invoice = services.invoice_run_for_brand(details=NORTHWIND, currency="EUR",
                                             period_first=NOVEMBER, now=RUN_AT)
    receivable_before = balance(AccountKind.BRAND_RECEIVABLE, 10)

    for _ in range(2):
        services.invoice_payment_record(invoice_id=invoice.pk,
                                        amount=Money(minor=1476, currency="EUR"),
                                        received_on=date(2026, 12, 10), bank_reference="TRX-1",
                                        now=RUN_AT + timedelta(days=9))

    invoice.refresh_from_db()
    assert invoice.status == "paid"
    assert balance(AccountKind.BANK) == 1476
    assert balance(AccountKind.BRAND_RECEIVABLE, 10) == receivable_before - 1476


def test_a_bank_statement_is_matched_by_invoice_number(now: datetime) -> None:
    three_tickets(now)
    invoice = services.invoice_run_for_brand(details=NORTHWIND, currency="EUR",
                                             period_first=NOVEMBER, now=RUN_AT)
    statement = ("date,amount,reference\n2026-12-09,14.76,Northwind INV-000001\n"
                 "2026-12-09,5.00,unknown payer\n")

    imported = services.bank_statement_import(csv_text=statement, now=RUN_AT)
    again = services.bank_statement_import(csv_text=statement, now=RUN_AT)

    assert imported.recorded == ["INV-000001"] and again.recorded == ["INV-000001"]
    assert imported.unmatched == ["unknown payer: no invoice number matched"]
    invoice.refresh_from_db()
    assert (invoice.status, invoice.payments.count()) == ("paid", 1)


def test_voiding_reverses_the_vat_and_keeps_the_number(now: datetime) -> None:
    three_tickets(now)
    invoice = services.invoice_run_for_brand(details=NORTHWIND, currency="EUR",
                                             period_first=NOVEMBER, now=RUN_AT)

    services.invoice_void(invoice_id=invoice.pk, now=RUN_AT)
    fresh = services.invoice_run_for_brand(details=NORTHWIND, currency="EUR",
                                           period_first=NOVEMBER, now=RUN_AT)

    assert balance(AccountKind.VAT_PAYABLE) == -276
    assert (fresh.display_number, Invoice.objects.get(pk=invoice.pk).status) == (
        "INV-000002", "void")


def test_a_paid_invoice_cannot_be_voided(now: datetime) -> None:
    three_tickets(now)
    invoice = services.invoice_run_for_brand(details=NORTHWIND, currency="EUR",
                                             period_first=NOVEMBER, now=RUN_AT)
    services.invoice_payment_record(invoice_id=invoice.pk, amount=Money(minor=100, currency="EUR"),
                                    received_on=date(2026, 12, 3), bank_reference="T",
                                    now=RUN_AT)

    with pytest.raises(Conflict):
        services.invoice_void(invoice_id=invoice.pk, now=RUN_AT)

    assert Invoice.objects.get(pk=invoice.pk).status == "issued"


def test_an_escalation_after_the_invoice_takes_the_resolution_back_by_a_credit_note() -> None:
    bill_ticket(inquiry_id=1, now=datetime(2026, 11, 29, 12, 0, tzinfo=UTC))
    bill_ticket(inquiry_id=2, now=datetime(2026, 11, 30, 22, 0, tzinfo=UTC))
    invoice = services.invoice_run_for_brand(details=NORTHWIND, currency="EUR",
                                             period_first=NOVEMBER, now=RUN_AT)

    # the customer reopened #2 on the 1st and the expert escalated it, inside its window
    reversal = pricing_services.ticket_escalated(inquiry_id=2, now=RUN_AT + timedelta(hours=1))
    again = pricing_services.ticket_escalated(inquiry_id=2, now=RUN_AT + timedelta(hours=2))

    assert reversal is not None and again is not None and again.pk == reversal.pk
    notes = Invoice.objects.filter(credited_invoice=invoice)
    assert [(note.display_number, note.status, note.net_minor, note.vat_minor,
             note.total_minor, [line.description for line in note.lines.all()])
            for note in notes] == [
        ("CN-000001", "issued", -450, -104, -554,
         [f"Credit: ticket #2 escalated after it was resolved (invoice {invoice.display_number})"]),
    ]
    assert (invoice.net_minor, invoice.vat_minor, invoice.total_minor) == (900, 207, 1107)
    assert balance(AccountKind.BRAND_RECEIVABLE, 10) == 1107 - 554
    assert balance(AccountKind.VAT_PAYABLE) == -207 + 104
    assert balance(AccountKind.EXPERT_PAYABLE, 20) == -300


def test_an_escalation_before_the_invoice_keeps_the_ticket_off_it_without_a_credit_note(
) -> None:
    bill_ticket(inquiry_id=1, now=datetime(2026, 11, 29, 12, 0, tzinfo=UTC))
    bill_ticket(inquiry_id=2, now=datetime(2026, 11, 30, 22, 0, tzinfo=UTC))
    pricing_services.ticket_escalated(inquiry_id=2, now=datetime(2026, 11, 30, 23, 0, tzinfo=UTC))

    invoice = services.invoice_run_for_brand(details=NORTHWIND, currency="EUR",
                                             period_first=NOVEMBER, now=RUN_AT)

    assert invoice.net_minor == 450
    assert not Invoice.objects.filter(credited_invoice=invoice).exists()

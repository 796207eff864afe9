"""An invoice or credit note as a PDF (WeasyPrint, from an HTML template) and as the email to
the brand's billing contact. The document is rendered from the copy the invoice keeps, so an
issued invoice renders the same every time."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from billing.invoices.models import Invoice, InvoiceKind
from billing.invoices.vat import OUTSIDE_EU_WORDS, REVERSE_CHARGE_WORDS
from billing.money import Money


def _shown(invoice: Invoice, minor: int) -> str:
    return Money(minor=minor, currency=invoice.currency).display()


def invoice_html(*, invoice: Invoice) -> str:
    lines = [
        {"description": line.description, "quantity": line.quantity,
         "unit": _shown(invoice, line.unit_minor), "amount": _shown(invoice, line.amount_minor)}
        for line in invoice.lines.all()
    ]
    return render_to_string("billing/invoice.html", {
        "invoice": invoice,
        "title": "Credit note" if invoice.kind == InvoiceKind.CREDIT_NOTE else "Invoice",
        "lines": lines,
        "net": _shown(invoice, invoice.net_minor),
        "vat": _shown(invoice, invoice.vat_minor),
        "total": _shown(invoice, invoice.total_minor),
        "platform": invoice.platform_details,
        "vat_words": (REVERSE_CHARGE_WORDS if invoice.vat_treatment == "reverse_charge"
                      else OUTSIDE_EU_WORDS if invoice.vat_treatment == "outside_eu" else ""),
    })


def invoice_pdf(*, invoice: Invoice) -> bytes:
    # WeasyPrint loads Pango when imported; only the processes that render pay for it.
    from weasyprint import HTML

    pdf: bytes = HTML(string=invoice_html(invoice=invoice)).write_pdf()
    return pdf


def invoice_filename(invoice: Invoice, extension: str) -> str:
    return f"shiftline-{invoice.display_number}.{extension}"


def invoice_email(*, invoice: Invoice) -> bool:
    """Emails the PDF to the billing contact; False when the brand has no billing email."""
    if not invoice.billing_email:
        return False
    title = "Credit note" if invoice.kind == InvoiceKind.CREDIT_NOTE else "Invoice"
    body = (f"Hello {invoice.billing_contact_name or invoice.brand_name},\n\n"
            f"{title} {invoice.display_number} from {invoice.platform_details.get('name', '')} "
            f"for {invoice.period_start:%B %Y} is attached: "
            f"{_shown(invoice, invoice.total_minor)}")
    if invoice.kind == InvoiceKind.INVOICE:
        body += (f", due on {invoice.due_date:%d %B %Y}, by bank transfer to "
                 f"{invoice.platform_details.get('iban', '')} with the reference "
                 f"{invoice.display_number}")
    body += (".\n\nThe detail of every ticket is on your billing page in Shiftline, "
             "as a CSV.\n")
    message = EmailMessage(subject=f"Shiftline {title.lower()} {invoice.display_number}",
                           body=body, from_email=settings.DEFAULT_FROM_EMAIL,
                           to=[invoice.billing_email])
    message.attach(invoice_filename(invoice, "pdf"), invoice_pdf(invoice=invoice),
                   "application/pdf")
    message.send()
    return True

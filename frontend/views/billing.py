"""Invoices and disputes in the browser: the brand's billing page (usage so far this month,
polled by htmx; invoices with PDF and CSV; disputes), the expert's appeal, and ops' invoices,
payments, VAT rates and dispute decisions. Every write is a billing service."""

from datetime import date
from typing import cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from billing.disputes import selectors as disputes_selectors
from billing.disputes import services as disputes_services
from billing.disputes.models import DisputeReason
from billing.invoices import selectors as invoices_selectors
from billing.invoices import services as invoices_services
from billing.invoices.models import Invoice
from billing.money import Money
from experts.models import ExpertProfile
from frontend.access import brand_member_required, expert_required, ops_required, signed_in_user
from frontend.responses import navigate
from marketplace.infra.errors import FieldErrors
from marketplace.invoicing import services as invoicing_services
from marketplace.onboarding.models import BrandMembership

STATEMENT_MAX_BYTES = 2 * 1024 * 1024


def _pdf_response(invoice: Invoice) -> HttpResponse:
    name = invoices_services.invoice_filename(invoice=invoice, extension="pdf")
    return HttpResponse(invoices_services.invoice_pdf(invoice=invoice),
                        content_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _csv_response(invoice: Invoice) -> StreamingHttpResponse:
    name = invoices_services.invoice_filename(invoice=invoice, extension="csv")
    return StreamingHttpResponse(
        invoices_selectors.ticket_detail_csv_lines(invoice=invoice), content_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'})


INVOICE_PAGE_SIZE = 50


def brand_billing_context(membership: BrandMembership, *,
                          invoice_page: str | None = None) -> dict[str, object]:
    """What the billing page shows beside the details form: the invoices a page of
    `INVOICE_PAGE_SIZE` at a time (`invoice_page`, the `page` query parameter)."""
    brand_id = membership.brand_id
    page = Paginator(invoices_selectors.invoice_list_for_brand(brand_id=brand_id),
                     INVOICE_PAGE_SIZE).get_page(invoice_page)
    return {
        "usage": brand_usage_context(brand_id),
        "invoices": page.object_list,
        "invoice_page": page,
        "disputes": disputes_selectors.dispute_list_for_brand(brand_id=brand_id),
        "dispute_reasons": DisputeReason.choices,
    }


def brand_usage_context(brand_id: int) -> dict[str, object]:
    period = invoices_selectors.month_of(timezone.now())
    lines = invoices_selectors.usage_lines(brand_id=brand_id, period=period)
    return {"period": period, "lines": lines,
            "totals": invoices_selectors.usage_totals(lines)}


@require_GET
@brand_member_required
def brand_usage(request: HttpRequest, membership: BrandMembership) -> HttpResponse:
    """The usage table alone, which the billing page polls; a browser opening it directly is
    sent to the whole page."""
    if request.headers.get("HX-Request") != "true":
        return navigate(request, "brand:billing")
    return render(request, "frontend/brand/_usage.html",
                  {"usage": brand_usage_context(membership.brand_id)})


def _brand_invoice(membership: BrandMembership, invoice_id: int) -> Invoice:
    invoice = invoices_selectors.invoice_get_for_brand(brand_id=membership.brand_id,
                                                       invoice_id=invoice_id)
    if invoice is None:
        raise Http404("No such invoice.")
    return invoice


@require_GET
@brand_member_required
def brand_invoice_pdf(request: HttpRequest, invoice_id: int, membership: BrandMembership
                      ) -> HttpResponse:
    return _pdf_response(_brand_invoice(membership, invoice_id))


@require_GET
@brand_member_required
def brand_invoice_csv(request: HttpRequest, invoice_id: int, membership: BrandMembership
                      ) -> HttpResponse:
    # The access decorators type pages as HttpResponse; a streamed body is one at runtime.
    return cast(HttpResponse, _csv_response(_brand_invoice(membership, invoice_id)))


def _inquiry_id(value: str) -> int:
    try:
        inquiry_id = int(value.strip().lstrip("#"))
    except ValueError:
        inquiry_id = 0
    if inquiry_id <= 0:
        raise FieldErrors({"inquiry_id": ["Enter the ticket's number, such as 48213."]})
    return inquiry_id


@require_POST
@brand_member_required
def brand_dispute_open(request: HttpRequest, membership: BrandMembership) -> HttpResponse:
    dispute = invoicing_services.brand_dispute_open(
        brand=membership.brand, actor=membership, actor_label=membership.user.email,
        inquiry_id=_inquiry_id(request.POST.get("inquiry_id", "")),
        reason=request.POST.get("reason", ""), note=request.POST.get("note", ""),
        now=timezone.now())
    messages.success(request, f"Ticket #{dispute.inquiry_id} disputed; ops will decide.")
    return navigate(request, "brand:billing")


@require_POST
@expert_required
def dispute_appeal(request: HttpRequest, dispute_id: int, expert: ExpertProfile
                   ) -> HttpResponse:
    disputes_services.dispute_appeal(dispute_id=dispute_id, expert_id=expert.pk,
                                     note=request.POST.get("note", ""),
                                     actor=expert.display_name, now=timezone.now())
    messages.success(request, "Appeal sent; ops will decide before the payout cut-off.")
    return navigate(request, "expert:earnings")


def expert_disputes(expert: ExpertProfile) -> object:
    return disputes_selectors.dispute_list_for_expert(expert_id=expert.pk)


@require_GET
@ops_required
def ops_invoices(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/ops/invoices.html", {
        "invoices": invoices_selectors.invoice_list_for_ops(),
        "last_month": invoices_selectors.previous_month(timezone.now()).first,
    })


@require_POST
@ops_required
def ops_invoices_run(request: HttpRequest) -> HttpResponse:
    try:
        first = date.fromisoformat(request.POST.get("month", "") + "-01")
    except ValueError as error:
        raise FieldErrors({"month": ["Choose a month such as 2026-11."]}) from error
    issued = invoicing_services.brands_invoice_month(period_first=first, now=timezone.now())
    messages.success(request, f"{len(issued)} invoices for {first:%B %Y} issued or already "
                     "issued.")
    return navigate(request, "ops:invoices")


@require_POST
@ops_required
def ops_invoice_issue(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = invoicing_services.invoice_issue_for_brand(invoice_id=invoice_id,
                                                         now=timezone.now())
    messages.success(request, f"Issued {invoice.display_number}.")
    return navigate(request, "ops:invoices")


@require_POST
@ops_required
def ops_invoice_void(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = invoices_services.invoice_void(invoice_id=invoice_id, now=timezone.now())
    messages.success(request, f"{invoice.display_number} is void.")
    return navigate(request, "ops:invoices")


@require_GET
@ops_required
def ops_invoice_pdf(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = invoices_selectors.invoice_get(invoice_id=invoice_id)
    if invoice is None:
        raise Http404("No such invoice.")
    return _pdf_response(invoice)


@require_POST
@ops_required
def ops_invoice_payment(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = invoices_selectors.invoice_get(invoice_id=invoice_id)
    if invoice is None:
        raise Http404("No such invoice.")
    try:
        amount = Money.parse(request.POST.get("amount", ""), currency=invoice.currency)
        received_on = date.fromisoformat(request.POST.get("received_on", ""))
    except ValueError as error:
        raise FieldErrors({"amount": [str(error)]}) from error
    invoices_services.invoice_payment_record(
        invoice_id=invoice.pk, amount=amount, received_on=received_on,
        bank_reference=request.POST.get("bank_reference", ""), now=timezone.now())
    messages.success(request, f"Payment recorded on {invoice.display_number}.")
    return navigate(request, "ops:invoices")


@require_POST
@ops_required
def ops_bank_statement(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("statement")
    if upload is None or upload.size is None or upload.size > STATEMENT_MAX_BYTES:
        raise FieldErrors({"statement": ["Choose a bank statement CSV of up to 2 MB."]})
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FieldErrors({"statement": ["The statement is not UTF-8 text."]}) from error
    result = invoices_services.bank_statement_import(csv_text=text, now=timezone.now())
    messages.success(request, f"Recorded payments on {len(result.recorded)} invoices.")
    for line in result.unmatched[:20]:
        messages.warning(request, f"Not matched: {line}")
    return navigate(request, "ops:invoices")


@require_GET
@ops_required
def ops_vat_rates(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/ops/vat_rates.html", {
        "rates": invoices_selectors.vat_rate_list()})


@require_POST
@ops_required
def ops_vat_rate_save(request: HttpRequest) -> HttpResponse:
    rate = invoices_services.vat_rate_save(
        country=request.POST.get("country", ""), rate_percent=request.POST.get("rate", ""),
        valid_from=request.POST.get("valid_from", ""))
    messages.success(request, f"Saved {rate}.")
    return navigate(request, "ops:vat_rates")


@require_GET
@ops_required
def ops_disputes(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/ops/disputes.html", {
        "waiting": disputes_selectors.dispute_list_for_ops(),
        "decided": disputes_selectors.dispute_list_decided(),
    })


def _ops_label(request: HttpRequest) -> str:
    user = signed_in_user(request)
    return user.email or user.get_username()


@require_POST
@ops_required
def ops_dispute_decide(request: HttpRequest, dispute_id: int) -> HttpResponse:
    decision = request.POST.get("decision", "")
    if decision not in ("accept", "reject"):
        raise FieldErrors({"decision": ["Accept or reject the dispute."]})
    dispute = disputes_services.dispute_decide(
        dispute_id=dispute_id, accept=decision == "accept",
        reason=request.POST.get("reason", ""), actor=_ops_label(request), now=timezone.now())
    messages.success(request, f"Dispute of #{dispute.inquiry_id} {dispute.status}.")
    return navigate(request, "ops:disputes")


@require_POST
@ops_required
def ops_appeal_decide(request: HttpRequest, dispute_id: int) -> HttpResponse:
    decision = request.POST.get("decision", "")
    if decision not in ("grant", "deny"):
        raise FieldErrors({"decision": ["Grant or deny the appeal."]})
    dispute = disputes_services.dispute_appeal_decide(
        dispute_id=dispute_id, grant=decision == "grant",
        reason=request.POST.get("reason", ""), actor=_ops_label(request), now=timezone.now())
    messages.success(request, f"Appeal on #{dispute.inquiry_id}: {dispute.appeal_status}.")
    return navigate(request, "ops:disputes")

"""The expert's payouts: where they are paid (a Stripe account connected through an account
link, or bank details), what they are owed and when it is paid next, and their weekly
statements as a page, CSV and PDF. A suspended expert keeps these pages (the expert policy's
`MONEY_PAGES`): their money stays theirs."""

import csv
import io
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from weasyprint import CSS, HTML

from billing.payouts import selectors as payouts_selectors
from billing.payouts.services import details as details_services
from experts.models import ExpertProfile
from frontend.access import expert_required
from frontend.edge import field_errors, form_view
from frontend.responses import navigate
from marketplace.infra.errors import DomainError, NotFound

PRINT_CSS = "frontend/print.css"


def _page(request: HttpRequest, expert: ExpertProfile, *,
          errors: dict[str, list[str]] | None = None, status: int = 200) -> HttpResponse:
    now = timezone.now()
    return render(request, "frontend/expert/payouts.html", {
        "expert": expert,
        "details": payouts_selectors.payout_details_get(expert_id=expert.pk),
        "next_payouts": payouts_selectors.expert_next_payouts(expert_id=expert.pk, now=now),
        "weeks": payouts_selectors.expert_statement_weeks(expert_id=expert.pk, now=now),
        "payouts": payouts_selectors.expert_payouts(expert_id=expert.pk),
        "errors": errors or {},
        "form": request.POST if request.method == "POST" else None,
    }, status=status)


def _bank_refused(request: HttpRequest, error: DomainError, expert: ExpertProfile
                  ) -> HttpResponse:
    return _page(request, expert, errors=field_errors(error), status=error.http_status)


@require_http_methods(["GET", "POST"])
@expert_required
@form_view(render_invalid=_bank_refused)
def payouts(request: HttpRequest, expert: ExpertProfile) -> HttpResponse:
    """GET shows the page; POST saves bank details (the IBAN checked) and makes the bank
    transfer the expert's payout method."""
    if request.method == "POST":
        details_services.payout_details_save_bank(
            expert_id=expert.pk, account_holder=request.POST.get("account_holder", ""),
            iban=request.POST.get("iban", ""), bic=request.POST.get("bic", ""),
            country=request.POST.get("country", ""), tax_id=request.POST.get("tax_id", ""),
            now=timezone.now())
        messages.success(request, "Bank details saved; you are paid by bank transfer.")
        return navigate(request, "expert:payouts")
    return _page(request, expert)


@require_POST
@expert_required
def stripe_connect(request: HttpRequest, expert: ExpertProfile) -> HttpResponse:
    """Sends the expert to Stripe's hosted onboarding for their connected account."""
    url = details_services.payout_details_stripe_link(
        expert_id=expert.pk, email=expert.user.email,
        country=request.POST.get("country", ""),
        return_url=request.build_absolute_uri(reverse("expert:payout_stripe_return")),
        refresh_url=request.build_absolute_uri(reverse("expert:payouts")),
        now=timezone.now())
    return HttpResponseRedirect(url)


@require_GET
@expert_required
def stripe_return(request: HttpRequest, expert: ExpertProfile) -> HttpResponse:
    details = details_services.payout_details_stripe_returned(expert_id=expert.pk,
                                                              now=timezone.now())
    if details.stripe_onboarded:
        messages.success(request, "Stripe account connected; you are paid through Stripe.")
    else:
        messages.warning(request, "Stripe still needs some details; connect again to finish.")
    return navigate(request, "expert:payouts")


def _week_start(raw: str) -> date:
    """A payout week named by its first day; any other date is no week."""
    try:
        start = date.fromisoformat(raw)
    except ValueError as error:
        raise NotFound("No such week.") from error
    if start.weekday() != settings.PAYOUT_WEEK_START_WEEKDAY:
        raise NotFound("No payout week starts on that day.")
    return start


@require_GET
@expert_required
def statement(request: HttpRequest, expert: ExpertProfile, week_start: str) -> HttpResponse:
    return render(request, "frontend/expert/statement.html", _statement_context(expert,
                                                                                week_start))


def _statement_context(expert: ExpertProfile, week_start: str) -> dict[str, object]:
    start = _week_start(week_start)
    return {
        "expert": expert, "week_start": start,
        "statements": payouts_selectors.expert_statements(expert_id=expert.pk,
                                                          week_start=start),
    }


@require_GET
@expert_required
def statement_csv(request: HttpRequest, expert: ExpertProfile, week_start: str) -> HttpResponse:
    context = _statement_context(expert, week_start)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["date", "kind", "inquiry", "description", "amount", "currency"])
    for each in context["statements"]:  # type: ignore[attr-defined]
        writer.writerow([each.week.period_start.isoformat(), "brought_forward", "",
                         "Owed at the start of the week", each.brought_forward.amount,
                         each.currency])
        for line in each.lines:
            writer.writerow([line.created_at.isoformat(), line.kind, line.inquiry_id or "",
                             line.description, line.amount.amount, each.currency])
        writer.writerow([each.week.period_end.isoformat(), "closing", "",
                         "Owed at the end of the week", each.closing.amount, each.currency])
    return HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="statement-{context["week_start"]}.csv"'})


@require_GET
@expert_required
def statement_pdf(request: HttpRequest, expert: ExpertProfile, week_start: str) -> HttpResponse:
    """The same statement drawn by WeasyPrint from its print template."""
    context = _statement_context(expert, week_start)
    html = render_to_string("frontend/expert/statement_print.html", context, request=request)
    pdf = HTML(string=html).write_pdf(stylesheets=[CSS(filename=finders.find(PRINT_CSS))])
    return HttpResponse(pdf, content_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="statement-{context["week_start"]}.pdf"'})

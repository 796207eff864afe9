"""The expert's money: what they earned. A suspended expert keeps these pages (the expert
policy's `MONEY_PAGES`); statements and payout settings will join them here."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from billing.ledger import selectors as billing_selectors
from billing.pricing import selectors as pricing_selectors
from experts.models import ExpertProfile
from frontend.access import expert_required
from frontend.views import billing as billing_pages
from marketplace.inquiries import selectors as inquiries_selectors

EARNINGS_PER_PAGE = 25


@require_GET
@expert_required
def earnings(request: HttpRequest, expert: ExpertProfile) -> HttpResponse:
    return render(request, "frontend/expert/earnings.html", {
        "expert": expert,
        "earnings": billing_selectors.expert_earnings_total(expert_id=expert.pk),
        "page": pricing_selectors.expert_earning_page(
            expert_id=expert.pk, page_number=request.GET.get("page"),
            per_page=EARNINGS_PER_PAGE, subjects=inquiries_selectors.inquiry_subjects),
        "disputes": billing_pages.expert_disputes(expert),
        "now": timezone.now(),
    })

"""The expert's money: what they earned. A suspended expert keeps these pages (the expert
policy's `MONEY_PAGES`); statements and payout settings will join them here."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from billing.ledger import selectors as billing_selectors
from experts.models import ExpertProfile
from frontend.access import expert_required
from frontend.views import billing as billing_pages

EARNINGS_SHOWN = 100


@require_GET
@expert_required
def earnings(request: HttpRequest, expert: ExpertProfile) -> HttpResponse:
    return render(request, "frontend/expert/earnings.html", {
        "expert": expert,
        "earnings": billing_selectors.expert_earnings_total(expert_id=expert.pk),
        "earning_entries": billing_selectors.expert_earning_entries(expert_id=expert.pk,
                                                                    limit=EARNINGS_SHOWN),
        "shown": EARNINGS_SHOWN,
        "disputes": billing_pages.expert_disputes(expert),
        "now": timezone.now(),
    })

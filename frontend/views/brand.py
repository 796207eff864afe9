"""The brand console."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from billing.ledger import selectors as billing_selectors
from experts.quality import selectors as quality_selectors
from experts.quality.models import CONTROLLABLE_REASONS, UNCONTROLLABLE_REASONS
from frontend.access import brand_member_required
from frontend.brand_onboarding import brand_checklist
from frontend.charts import week_chart
from marketplace.inquiries import selectors as inquiries_selectors
from marketplace.models import BrandMembership, Inquiry, InquiryChannel, InquiryStatus
from marketplace.onboarding import policy
from marketplace.queues import fields as queues_fields
from routing.offers import selectors as offers_selectors

PAGE_SIZE = 25
SEARCH_MAX_LENGTH = 200
OPEN, ALL = "open", "all"


@require_GET
@brand_member_required
def console(request: HttpRequest, membership: BrandMembership) -> HttpResponse:
    """The live queue: open inquiries by default, filtered by status and channel, searched by
    subject, customer email or external id. Rows change live over /ws/brand/; new inquiries
    arrive on top of the unfiltered first page."""
    status = request.GET.get("status") or OPEN
    if status not in (OPEN, ALL, *InquiryStatus.values):
        status = OPEN
    channel = request.GET.get("channel") or None
    if channel not in (None, *InquiryChannel.values):
        channel = None
    search = request.GET.get("q", "").replace("\x00", "").strip()[:SEARCH_MAX_LENGTH]
    inquiries = inquiries_selectors.inquiry_list_for_brand(
        brand=membership.brand, status=status if status not in (OPEN, ALL) else None,
        channel=channel, search=search or None, open_only=status == OPEN,
    )
    page = Paginator(inquiries, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    figures = inquiries_selectors.inquiry_daily_figures_for_brand(
        brand=membership.brand, now=now, zone=timezone.get_current_timezone())
    return render(request, "frontend/brand/console.html", {
        "membership": membership,
        "brand": membership.brand,
        "page": page,
        "status": status,
        "channel": channel,
        "search": search,
        "statuses": InquiryStatus.choices,
        "channels": InquiryChannel.choices,
        "is_filtered": status != OPEN or bool(channel) or bool(search),
        "live_target": status == OPEN and not channel and not search and page.number == 1,
        "now": now,
        "chart": week_chart(figures),
        "charges": billing_selectors.brand_charges_total(brand_id=membership.brand_id),
        "checklist": brand_checklist(brand=membership.brand, now=now),
    })


@require_GET
@brand_member_required
def inquiry(request: HttpRequest, inquiry_id: int, membership: BrandMembership) -> HttpResponse:
    current = inquiries_selectors.inquiry_get_for_brand(brand=membership.brand,
                                                        inquiry_id=inquiry_id)
    return render(request, "frontend/brand/inquiry.html", {
        "membership": membership,
        "inquiry": current,
        "conversation": inquiries_selectors.message_list_for_inquiry(inquiry=current),
        "timeline": inquiries_selectors.event_list_for_inquiry(inquiry=current),
        "decisions": offers_selectors.decision_list_for_inquiry(inquiry_id=current.pk),
        "can_retry_delivery": policy.brand_can_configure(membership, membership.brand),
        "can_act_on_escalation": policy.brand_can_configure(membership, membership.brand),
        "escalation_fee": _escalation_fee(current),
        "review": quality_selectors.review_for_inquiry(inquiry_id=current.pk),
        "can_review": (current.status == InquiryStatus.RESOLVED
                       and policy.brand_can_configure(membership, membership.brand)),
        "answer_reasons": [(code, code.label, False) for code in CONTROLLABLE_REASONS],
        "brand_reasons": [(code, code.label, False) for code in UNCONTROLLABLE_REASONS],
    })


def _escalation_fee(inquiry: Inquiry) -> str | None:
    """The confirmed-escalation fee of the brand's contract, as the queue settings show it."""
    prices = queues_fields.queue_prices(queue=inquiry.queue)
    if not prices or prices.get("escalation_fee") is None:
        return None
    return f"{prices['escalation_fee']} {prices['currency']}"

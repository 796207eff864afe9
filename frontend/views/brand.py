"""The brand console."""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from billing import selectors as billing_selectors
from frontend.access import brand_member_required
from marketplace import selectors
from marketplace.errors import NotFound
from marketplace.models import BrandMembership, InquiryStatus
from routing import selectors as routing_selectors


@require_GET
@brand_member_required
def console(request: HttpRequest, membership: BrandMembership) -> HttpResponse:
    status = request.GET.get("status") or None
    if status not in (None, *InquiryStatus.values):
        status = None
    inquiries = selectors.inquiry_list_for_brand(brand=membership.brand, status=status)
    page = Paginator(inquiries, 25).get_page(request.GET.get("page"))
    return render(request, "frontend/brand/console.html", {
        "membership": membership,
        "brand": membership.brand,
        "page": page,
        "status": status,
        "statuses": InquiryStatus.choices,
        "charges": billing_selectors.brand_charges_total(brand_id=membership.brand_id),
    })


@require_GET
@brand_member_required
def inquiry(request: HttpRequest, inquiry_id: int, membership: BrandMembership) -> HttpResponse:
    try:
        current = selectors.inquiry_get_for_brand(brand=membership.brand, inquiry_id=inquiry_id)
    except NotFound as error:
        raise Http404(error.message) from error
    return render(request, "frontend/brand/inquiry.html", {
        "membership": membership,
        "inquiry": current,
        "conversation": selectors.message_list_for_inquiry(inquiry=current),
        "timeline": selectors.event_list_for_inquiry(inquiry=current),
        "decisions": routing_selectors.decision_list_for_inquiry(inquiry_id=current.pk),
    })

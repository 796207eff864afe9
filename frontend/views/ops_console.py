"""The ops console's network-wide pages: every brand's inquiries (searched, filtered, paged),
the brands list, the experts directory and the live board per queue."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from experts.models import ExpertStatus
from experts.quality import selectors as quality_selectors
from frontend.access import ops_required
from frontend.ops_overview import board_rows, brand_rows
from marketplace.inquiries import selectors as inquiries_selectors
from marketplace.models import InquiryChannel, InquiryStatus

PAGE_SIZE = 50
SEARCH_MAX_LENGTH = 200


def _search(request: HttpRequest) -> str:
    return request.GET.get("q", "").replace("\x00", "").strip()[:SEARCH_MAX_LENGTH]


def _choice(request: HttpRequest, name: str, allowed: list[str]) -> str:
    value = request.GET.get(name, "")
    return value if value in allowed else ""


@require_GET
@ops_required
def inquiries(request: HttpRequest) -> HttpResponse:
    search = _search(request)
    status = _choice(request, "status", InquiryStatus.values)
    channel = _choice(request, "channel", InquiryChannel.values)
    at_risk = request.GET.get("at_risk") == "1"
    handed_back = request.GET.get("handed_back") == "1"
    found = inquiries_selectors.inquiry_list_for_ops(
        search=search or None, status=status or None, channel=channel or None,
        at_risk=at_risk, handed_back=handed_back)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "frontend/ops/inquiries.html", {
        "page": page, "search": search, "status": status, "channel": channel,
        "at_risk": at_risk, "handed_back": handed_back,
        "statuses": InquiryStatus.choices, "channels": InquiryChannel.choices,
        "is_filtered": bool(search or status or channel or at_risk or handed_back),
        "now": timezone.now(),
    })


@require_GET
@ops_required
def brands(request: HttpRequest) -> HttpResponse:
    search = _search(request)
    return render(request, "frontend/ops/brands.html", {
        "rows": brand_rows(now=timezone.now(), search=search or None), "search": search,
    })


@require_GET
@ops_required
def experts(request: HttpRequest) -> HttpResponse:
    search = _search(request)
    status = _choice(request, "status", ExpertStatus.values)
    found = quality_selectors.expert_directory(search=search or None, status=status or None)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "frontend/ops/experts.html", {
        "page": page, "search": search, "status": status, "statuses": ExpertStatus.choices,
        "is_filtered": bool(search or status),
    })


@require_GET
@ops_required
def board(request: HttpRequest) -> HttpResponse:
    """The board as it is now; the page's socket (/ws/ops/) replaces it on every change."""
    now = timezone.now()
    return render(request, "frontend/ops/board.html", {"rows": board_rows(now=now), "now": now})

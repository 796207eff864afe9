"""The brand's reviews and the perception gap: every rating of its inquiries (by customers
through the survey, or by the brand), CSAT over all of them beside CSAT as the experts are
judged, the reasons about the brand it can fix; and, per queue and week, what was promised,
what happened and what customers said about speed. The brand's own review of an inquiry is
posted from the inquiry page."""

from datetime import date, timedelta
from itertools import groupby

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from experts.quality import selectors as quality_selectors
from frontend.access import brand_member_required, brand_permission_required
from frontend.charts import perception_chart
from marketplace.models import BrandMembership
from marketplace.onboarding import policy
from marketplace.queues import selectors as queues_selectors
from marketplace.surveys import selectors as surveys_selectors
from marketplace.surveys import services as surveys

REVIEWS_PAGE_SIZE = 25


def _whole(value: str | None, choices: set[int]) -> int | None:
    return int(value) if value and value.isdigit() and int(value) in choices else None


@require_GET
@brand_member_required
def reviews(request: HttpRequest, membership: BrandMembership) -> HttpResponse:
    brand = membership.brand
    queues = list(queues_selectors.queue_list_for_brand(brand=brand))
    queue_id = _whole(request.GET.get("queue"), {queue.pk for queue in queues})
    rating = _whole(request.GET.get("rating"), {1, 2, 3, 4, 5})
    listed = quality_selectors.review_list_for_brand(brand_id=brand.pk, queue_id=queue_id,
                                                     rating=rating)
    page = Paginator(listed, REVIEWS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "frontend/brand/reviews.html", {
        "membership": membership, "brand": brand, "page": page, "queues": queues,
        "queue_id": queue_id, "rating": rating, "ratings": [5, 4, 3, 2, 1],
        "is_filtered": queue_id is not None or rating is not None,
        "summary": quality_selectors.review_summary_for_brand(brand_id=brand.pk,
                                                              queue_id=queue_id),
        "experts": quality_selectors.review_csat_by_expert_for_brand(brand_id=brand.pk,
                                                                     queue_id=queue_id),
    })


def _mondays(today: date, weeks: int) -> list[date]:
    this_monday = today - timedelta(days=today.weekday())
    return [this_monday - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]


@require_GET
@brand_member_required
def perception_gap(request: HttpRequest, membership: BrandMembership) -> HttpResponse:
    now = timezone.now()
    zone = timezone.get_current_timezone()
    rows = surveys_selectors.perception_gap_for_brand(brand_id=membership.brand_id, now=now,
                                                      zone=zone)
    mondays = _mondays(timezone.localdate(now, zone), surveys_selectors.PERCEPTION_WEEKS)
    queues = []
    for (queue_id, queue_name), weeks in groupby(rows, key=lambda row: (row.queue_id,
                                                                         row.queue_name)):
        listed = list(weeks)
        queues.append({"id": queue_id, "name": queue_name, "weeks": listed,
                       "chart": perception_chart(weeks=listed, mondays=mondays)})
    return render(request, "frontend/brand/perception_gap.html", {
        "membership": membership, "brand": membership.brand, "queues": queues,
        "weeks": surveys_selectors.PERCEPTION_WEEKS,
    })


@require_POST
@brand_permission_required(policy.require_brand_can_configure, action="review inquiries")
def inquiry_review(request: HttpRequest, inquiry_id: int,
                   membership: BrandMembership) -> HttpResponse:
    rating = _whole(request.POST.get("rating"), {1, 2, 3, 4, 5})
    surveys.brand_review_record(
        brand=membership.brand, inquiry_id=inquiry_id, rating=rating or 0,
        reasons=request.POST.getlist("reasons"), comment=request.POST.get("comment", ""),
        actor=request.user if request.user.is_authenticated else None, now=timezone.now())
    messages.success(request, "Your review is recorded.")
    return redirect("brand:inquiry", inquiry_id=inquiry_id)

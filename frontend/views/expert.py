"""The expert workspace. Views are thin: read through selectors, write through services."""

import json
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from billing.ledger import selectors as billing_selectors
from experts.models import ExpertProfile
from experts.presence import selectors as presence_selectors
from experts.quality import selectors as quality_selectors
from experts.shifts import selectors as shifts_selectors
from frontend.access import expert_required, signed_in_user
from frontend.responses import navigate
from marketplace.inquiries import selectors as inquiries_selectors
from marketplace.inquiries.models import EscalationReason
from marketplace.queues import selectors as queues_selectors
from marketplace.queues import services as queues_services
from marketplace.widget import services as widget_services
from routing.assignments import selectors as assignments_selectors
from routing.assignments import services as assignments_services
from routing.offers import selectors as offers_selectors
from routing.offers import services as offers_services

PANE = "pane"
"""The workspace's reading pane: an htmx request aimed at it (`HX-Target: pane`) gets the page
from which htmx selects the pane, and the address of what it shows."""


def _aimed_at_pane(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Target") == PANE


def _workspace_context(expert: ExpertProfile, now: datetime) -> dict[str, Any]:
    """The list beside the pane (offers, open inquiries) and the day's overview the pane shows
    when no inquiry is open."""
    return {
        "expert": expert,
        "bookings": shifts_selectors.booking_list_upcoming_for_expert(expert=expert, now=now),
        "presence": presence_selectors.presence_for_expert(expert=expert),
        "quality": quality_selectors.quality_for_expert(expert=expert),
        "offers": offers_selectors.offer_list_pending_for_expert(expert=expert),
        "assignments": assignments_selectors.assignment_list_active_for_expert(expert=expert),
        "earnings": billing_selectors.expert_earnings_total(expert_id=expert.pk),
        "now": now,
    }


@require_GET
@expert_required
def workspace(request: HttpRequest, expert: ExpertProfile) -> HttpResponse:
    return render(request, "frontend/expert/workspace.html",
                  _workspace_context(expert, timezone.now()))


@require_POST
@expert_required
def offer_accept(request: HttpRequest, offer_id: int, expert: ExpertProfile) -> HttpResponse:
    """From the workspace's list the inquiry opens in the pane and the address becomes the
    inquiry's (a reload stays there); from a banner on another page, the browser goes there."""
    assignment = offers_services.offer_accept(offer_id=offer_id, expert=expert,
                                               now=timezone.now())
    if _aimed_at_pane(request):
        location = {"path": reverse("expert:inquiry", args=[assignment.inquiry_id]),
                    "target": f"#{PANE}", "select": f"#{PANE}", "swap": "outerHTML"}
        return HttpResponse(status=200, headers={"HX-Location": json.dumps(location)})
    return navigate(request, "expert:inquiry", inquiry_id=assignment.inquiry_id)


@require_POST
@expert_required
def offer_decline(request: HttpRequest, offer_id: int, expert: ExpertProfile) -> HttpResponse:
    """From the workspace the pane stays as it is (the card leaves the list by itself: the
    socket says the offer closed)."""
    offers_services.offer_decline(
        offer_id=offer_id, expert=expert, reason=request.POST.get("reason", ""),
        note=request.POST.get("note", ""), now=timezone.now(),
    )
    if _aimed_at_pane(request):
        return HttpResponse(status=204)
    messages.info(request, "Offer declined.")
    return navigate(request, "expert:workspace")


def _inquiry_page(request: HttpRequest, expert: ExpertProfile, inquiry_id: int) -> HttpResponse:
    assignment = assignments_selectors.assignment_for_expert(inquiry_id=inquiry_id, expert=expert)
    if assignment is None:
        raise Http404("Inquiry not found.")
    current = assignment.inquiry
    if assignment.status == "active":
        widget_services.widget_mark_read_by_expert(inquiry_id=current.pk, now=timezone.now())
    macro_context = queues_services.MacroContext(
        customer_name=current.customer.name, brand_name=current.brand.name,
        expert_name=expert.display_name, queue_name=current.queue.name)
    response = render(request, "frontend/expert/workspace.html", {
        **_workspace_context(expert, timezone.now()),
        "assignment": assignment,
        "inquiry": current,
        "timers": assignments_selectors.assignment_timers(assignment=assignment),
        "conversation": inquiries_selectors.message_list_for_inquiry(inquiry=current),
        "escalation_reasons": EscalationReason.choices,
        "guidelines_html": mark_safe(  # noqa: S308 (sanitised by nh3 in the selector)
            queues_selectors.guidelines_html(text=current.queue.guidelines)),
        "macros": [(macro, queues_services.macro_render(body=macro.body,
                                                             context=macro_context))
                   for macro in queues_selectors.macro_list_for_queue(queue=current.queue)],
    })
    if _aimed_at_pane(request):
        # A boosted form or link swaps the whole body unless told otherwise: the pane only.
        response["HX-Retarget"] = f"#{PANE}"
        response["HX-Reselect"] = f"#{PANE}"
        response["HX-Reswap"] = "outerHTML"
    return response


@require_GET
@expert_required
def inquiry(request: HttpRequest, inquiry_id: int, expert: ExpertProfile) -> HttpResponse:
    """The workspace with the inquiry in its pane: the same page whether it was loaded whole
    (a reload, a link) or into the pane by htmx."""
    return _inquiry_page(request, expert, inquiry_id)


@require_POST
@expert_required
def reply(request: HttpRequest, inquiry_id: int, expert: ExpertProfile) -> HttpResponse:
    assignments_services.assignment_reply(
        inquiry_id=inquiry_id, expert=expert, author=signed_in_user(request),
        body=request.POST.get("body", ""), now=timezone.now(),
    )
    return redirect("expert:inquiry", inquiry_id=inquiry_id)


@require_POST
@expert_required
def resolve(request: HttpRequest, inquiry_id: int, expert: ExpertProfile) -> HttpResponse:
    assignments_services.assignment_resolve(inquiry_id=inquiry_id, expert=expert,
                                            now=timezone.now())
    messages.success(request, "Resolved. The earning is on your ledger.")
    return redirect("expert:workspace")

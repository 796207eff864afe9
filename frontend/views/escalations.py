"""Escalation on the pages: the expert's escalate form on their inquiry page, and the brand's
send-back form and confirm button on its inquiry page. The rules live in
routing/escalations; a refusal flashes its message and returns to the page (frontend/edge.py)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from experts.models import ExpertProfile
from frontend.access import brand_member_required, expert_required, signed_in_user
from marketplace.models import BrandMembership
from routing.escalations import services as escalations


@require_POST
@expert_required
def escalate(request: HttpRequest, inquiry_id: int, expert: ExpertProfile) -> HttpResponse:
    escalations.assignment_escalate(
        inquiry_id=inquiry_id, expert=expert, reason=request.POST.get("reason", ""),
        note=request.POST.get("note", ""), summary=request.POST.get("summary", ""),
        now=timezone.now())
    messages.success(request, "Escalated to the brand. It is off your desk.")
    return redirect("expert:workspace")


@require_POST
@brand_member_required
def send_back(request: HttpRequest, inquiry_id: int,
              membership: BrandMembership) -> HttpResponse:
    escalations.escalation_send_back(
        brand=membership.brand, inquiry_id=inquiry_id, note=request.POST.get("note", ""),
        actor=signed_in_user(request), now=timezone.now())
    messages.success(request, "Sent back to the network with your note.")
    return redirect("brand:inquiry", inquiry_id=inquiry_id)


@require_POST
@brand_member_required
def confirm(request: HttpRequest, inquiry_id: int, membership: BrandMembership) -> HttpResponse:
    escalations.escalation_confirm(brand=membership.brand, inquiry_id=inquiry_id,
                                   actor=signed_in_user(request), now=timezone.now())
    messages.success(request, "Escalation confirmed: the inquiry stays with you.")
    return redirect("brand:inquiry", inquiry_id=inquiry_id)

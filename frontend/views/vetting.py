"""The ops vetting console: the pipeline board and each application's detail, checklist,
notes, decisions and certifications."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from experts.applications import selectors as applications_selectors
from experts.applications.screening import (
    SAMPLE_INQUIRY_BODY,
    SAMPLE_INQUIRY_SUBJECT,
    SCREENING_QUESTIONS,
)
from experts.applications.services import decisions as applications_decisions
from experts.applications.services import vetting as applications_vetting
from experts.certification import selectors as certification_selectors
from experts.certification import services as certification_services
from experts.models import DecisionKind, ExpertStatus
from experts.profiles import selectors as profiles_selectors
from frontend.access import ops_required, signed_in_user
from marketplace.onboarding import selectors as onboarding_selectors

PAGE_SIZE = 25


@require_GET
@ops_required
def board(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    if status not in (None, *ExpertStatus.values):
        status = None
    search = request.GET.get("q", "").strip()[:100]
    experts = applications_selectors.expert_list_for_vetting(status=status, search=search)
    page = Paginator(experts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "frontend/ops/vetting_board.html", {
        "columns": applications_selectors.expert_pipeline_counts(),
        "page": page,
        "status": status,
        "search": search,
    })


def _decisions_for(status: str) -> list[tuple[str, str]]:
    labels = {ExpertStatus.APPROVED: "Approve", ExpertStatus.REJECTED: "Reject",
              ExpertStatus.NEEDS_INFO: "Ask for more information",
              ExpertStatus.SUSPENDED: "Suspend"}
    allowed = applications_decisions.ALLOWED_DECISIONS.get(status, set())
    choices = []
    for to_status in (ExpertStatus.APPROVED, ExpertStatus.NEEDS_INFO, ExpertStatus.REJECTED,
                      ExpertStatus.SUSPENDED):
        if to_status in allowed:
            label = ("Reinstate" if status == ExpertStatus.SUSPENDED
                     and to_status == ExpertStatus.APPROVED else labels[to_status])
            choices.append((to_status.value, label))
    return choices


@require_GET
@ops_required
def detail(request: HttpRequest, expert_id: int) -> HttpResponse:
    expert = profiles_selectors.expert_get(expert_id=expert_id)
    application = applications_selectors.application_for_expert(expert=expert)
    trail = applications_selectors.decision_list_for_expert(expert=expert)
    answers = application.quiz_answers if application is not None else {}
    return render(request, "frontend/ops/vetting_detail.html", {
        "expert": expert,
        "application": application,
        "checklist": [(item, label, getattr(application, item, False))
                      for item, label in applications_vetting.CHECKLIST_ITEMS.items()],
        "quiz": [(question, answers.get(question.key, ""),
                  str(question.correct_option)) for question in SCREENING_QUESTIONS],
        "sample_subject": SAMPLE_INQUIRY_SUBJECT,
        "sample_body": SAMPLE_INQUIRY_BODY,
        "notes": [entry for entry in trail if entry.kind == DecisionKind.NOTE],
        "trail": trail,
        "decisions": _decisions_for(expert.status),
        "certifications": certification_selectors.certification_list_for_expert(expert=expert),
    })


@require_POST
@ops_required
def checklist(request: HttpRequest, expert_id: int) -> HttpResponse:
    expert = profiles_selectors.expert_get(expert_id=expert_id)
    applications_vetting.application_checklist_set(
        expert=expert, item=request.POST.get("item", ""),
        checked=request.POST.get("checked") == "yes", by=signed_in_user(request),
        now=timezone.now(),
    )
    return redirect("ops:vetting_detail", expert_id=expert.pk)


@require_POST
@ops_required
def note(request: HttpRequest, expert_id: int) -> HttpResponse:
    expert = profiles_selectors.expert_get(expert_id=expert_id)
    applications_vetting.application_note_add(
        expert=expert, body=request.POST.get("body", ""), by=signed_in_user(request),
        now=timezone.now(),
    )
    messages.success(request, "Note added.")
    return redirect("ops:vetting_detail", expert_id=expert.pk)


@require_POST
@ops_required
def decide(request: HttpRequest, expert_id: int) -> HttpResponse:
    expert = profiles_selectors.expert_get(expert_id=expert_id)
    to_status = request.POST.get("status", "")
    if to_status not in ExpertStatus.values:
        messages.error(request, "Choose a decision.")
        return redirect("ops:vetting_detail", expert_id=expert.pk)
    applications_decisions.expert_decide(
        expert=expert, to_status=ExpertStatus(to_status), decided_by=signed_in_user(request),
        reason=request.POST.get("reason", ""), now=timezone.now(),
    )
    messages.success(request, f"{expert.display_name}: {ExpertStatus(to_status).label}. "
                              "The applicant was emailed the reason.")
    return redirect("ops:vetting_detail", expert_id=expert.pk)


@require_POST
@ops_required
def certification_revoke(request: HttpRequest, expert_id: int, brand_id: int) -> HttpResponse:
    expert = profiles_selectors.expert_get(expert_id=expert_id)
    brand = onboarding_selectors.brand_get(brand_id=brand_id)
    if brand is None:
        raise Http404("Brand not found.")
    certification_services.certification_revoke(
        expert=expert, brand=brand, by=signed_in_user(request),
        reason=request.POST.get("reason", ""), now=timezone.now(),
    )
    messages.success(request, f"Certification for {brand.name} revoked.")
    return redirect("ops:vetting_detail", expert_id=expert.pk)

"""Brand training packs: the brand's owners and admins write guidelines and a quiz in the brand
console (viewers read them); approved experts read, take the quiz and get certified."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from experts.certification import selectors as certification_selectors
from experts.certification import services as certification_services
from experts.certification.selectors import BrandTraining
from experts.models import ExpertProfile, ExpertStatus, TrainingPack, TrainingQuestion
from experts.profiles import selectors as profiles_selectors
from frontend.access import (
    brand_member_required,
    brand_permission_required,
    expert_required,
    signed_in_user,
)
from frontend.edge import form_view
from marketplace.infra.errors import DomainError
from marketplace.models import BrandMembership
from marketplace.onboarding import policy

OPTION_ROWS = 4


editor_required = brand_permission_required(policy.require_brand_can_configure,
                                            action=certification_services.TRAINING_PACK)


def _option_rows(options: list[str]) -> list[tuple[int, str]]:
    padded = list(options) + [""] * max(0, OPTION_ROWS - len(options))
    return list(enumerate(padded))


@require_GET
@brand_member_required
def pack(request: HttpRequest, membership: BrandMembership) -> HttpResponse:
    training_pack = certification_selectors.training_pack_for_brand(brand=membership.brand)
    questions = list(training_pack.questions.all()) if training_pack is not None else []
    return render(
        request,
        "frontend/brand/training.html",
        {
            "membership": membership,
            "brand": membership.brand,
            "pack": training_pack,
            "questions": [(question, _option_rows(question.options)) for question in questions],
            "new_option_rows": _option_rows([]),
            "can_edit": policy.brand_can_configure(membership, membership.brand),
            "certifications": certification_selectors.certification_list_for_brand(
                brand=membership.brand
            ),
        },
    )


def _pass_mark(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("pass_mark_percent", ""))
    except ValueError:
        return 0


def _correct_option(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("correct_option", "")) - 1
    except ValueError:
        return -1


def _posted_options(request: HttpRequest) -> list[str]:
    """The options typed into the rows, empty rows dropped; `correct_option` counts the
    non-empty ones, as the form numbers them."""
    return [value for row in range(OPTION_ROWS)
            if (value := request.POST.get(f"option_{row}", "").strip())]


@require_POST
@editor_required
def pack_save(request: HttpRequest, membership: BrandMembership) -> HttpResponse:
    certification_services.training_pack_save(
        brand=membership.brand, editor=signed_in_user(request),
        guidelines=request.POST.get("guidelines", ""), pass_mark_percent=_pass_mark(request),
        now=timezone.now(),
    )
    messages.success(request, "Training pack saved.")
    return redirect("brand:training")


@require_POST
@editor_required
def question_add(request: HttpRequest, membership: BrandMembership) -> HttpResponse:
    certification_services.training_question_add(
        brand=membership.brand, editor=signed_in_user(request),
        prompt=request.POST.get("prompt", ""), options=_posted_options(request),
        correct_option=_correct_option(request), now=timezone.now(),
    )
    messages.success(request, "Question added.")
    return redirect("brand:training")


@require_POST
@editor_required
def question_update(request: HttpRequest, question_id: int,
                    membership: BrandMembership) -> HttpResponse:
    certification_services.training_question_update(
        brand=membership.brand, editor=signed_in_user(request), question_id=question_id,
        prompt=request.POST.get("prompt", ""), options=_posted_options(request),
        correct_option=_correct_option(request), now=timezone.now(),
    )
    messages.success(request, "Question saved.")
    return redirect("brand:training")


@require_POST
@editor_required
def question_delete(request: HttpRequest, question_id: int,
                    membership: BrandMembership) -> HttpResponse:
    certification_services.training_question_delete(
        brand=membership.brand, editor=signed_in_user(request), question_id=question_id,
        now=timezone.now())
    messages.success(request, "Question deleted.")
    return redirect("brand:training")


@require_POST
@editor_required
def certification_revoke(request: HttpRequest, expert_id: int,
                         membership: BrandMembership) -> HttpResponse:
    expert = profiles_selectors.expert_get(expert_id=expert_id)
    certification_services.certification_revoke(
        expert=expert, brand=membership.brand, by=signed_in_user(request),
        reason=request.POST.get("reason", ""), now=timezone.now(),
    )
    messages.success(request, f"{expert.display_name} is no longer certified.")
    return redirect("brand:training")


def _approved(expert: ExpertProfile) -> None:
    if expert.status != ExpertStatus.APPROVED:
        raise PermissionDenied("Only approved experts can take brand quizzes.")


@require_GET
@expert_required
def certifications(request: HttpRequest, expert: ExpertProfile) -> HttpResponse:
    _approved(expert)
    return render(request, "frontend/expert/certifications.html", {
        "expert": expert,
        "rows": certification_selectors.brand_training_list_for_expert(expert=expert,
                                                                now=timezone.now()),
    })


def _brand_training(expert: ExpertProfile, slug: str
                    ) -> tuple[BrandTraining, TrainingPack, list[TrainingQuestion]]:
    rows = certification_selectors.brand_training_list_for_expert(expert=expert, now=timezone.now(),
                                                          brand_slug=slug)
    if not rows:
        raise Http404("This brand has no training pack.")
    training_pack = certification_selectors.training_pack_for_brand(brand=rows[0].brand)
    assert training_pack is not None  # the row exists only for a pack with questions
    return rows[0], training_pack, list(training_pack.questions.all())


def _chosen(request: HttpRequest, questions: list[TrainingQuestion]) -> dict[str, str]:
    return {str(question.pk): request.POST.get(f"question_{question.pk}", "")
            for question in questions}


def _quiz_page(request: HttpRequest, expert: ExpertProfile, slug: str, status: int = 200
               ) -> HttpResponse:
    """The brand's guidelines and quiz, with the answers just posted still ticked."""
    row, training_pack, questions = _brand_training(expert, slug)
    chosen = _chosen(request, questions)
    return render(request, "frontend/expert/brand_quiz.html", {
        "expert": expert, "row": row, "pack": training_pack,
        "questions": [(question, chosen[str(question.pk)]) for question in questions],
    }, status=status)


def _quiz_refused(request: HttpRequest, error: DomainError, slug: str, expert: ExpertProfile
                  ) -> HttpResponse:
    return _quiz_page(request, expert, slug, status=400)


@require_http_methods(["GET", "POST"])
@expert_required
@form_view(render_invalid=_quiz_refused)
def brand_quiz(request: HttpRequest, slug: str, expert: ExpertProfile) -> HttpResponse:
    _approved(expert)
    if request.method == "GET":
        return _quiz_page(request, expert, slug)
    row, training_pack, questions = _brand_training(expert, slug)
    attempt = certification_services.certification_attempt_submit(
        expert=expert, brand=row.brand, answers=_chosen(request, questions), now=timezone.now())
    if attempt.passed:
        messages.success(request, f"Passed: {attempt.score} of {attempt.total}. You are "
                                  f"certified for {row.brand.name}.")
    else:
        messages.error(request, f"Not passed: {attempt.score} of {attempt.total} "
                                f"(pass mark {training_pack.pass_mark_percent} %). "
                                "You can retake the quiz in an hour.")
    return redirect("expert:certifications")

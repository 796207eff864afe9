"""Applying to be an expert: sign-up, email verification, the steps, the status page."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from experts.applications import selectors as applications_selectors
from experts.applications.screening import (
    LANGUAGE_LEVELS,
    SAMPLE_INQUIRY_BODY,
    SAMPLE_INQUIRY_SUBJECT,
    SAMPLE_REPLY_MIN_LENGTH,
    SCREENING_QUESTIONS,
)
from experts.applications.services import applying as applications_services
from experts.models import ExpertApplication, ExpertProfile, ExpertStatus
from frontend.access import applicant_required
from frontend.edge import form_view, page_status
from frontend.throttles import form_throttle_require
from marketplace.infra.errors import DomainError

LANGUAGE_ROWS = 4


def _verify_url_prefix(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("apply:verify", args=["TOKEN"])).removesuffix(
        "TOKEN/")


def _application(expert: ExpertProfile) -> ExpertApplication:
    application = applications_selectors.application_for_expert(expert=expert)
    if application is None:
        application = ExpertApplication(expert=expert)
    return application


def _signup_page(request: HttpRequest, status: int = 200) -> HttpResponse:
    values = {"email": request.POST.get("email", ""), "name": request.POST.get("name", "")}
    return render(request, "frontend/apply/signup.html", {"values": values}, status=status)


def _signup_refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    return _signup_page(request, status=400)


@require_http_methods(["GET", "POST"])
@form_view(render_invalid=_signup_refused)
def signup(request: HttpRequest) -> HttpResponse:
    """The same "check your email" answer whether or not the email has an account; the
    applicant logs in with their password after confirming it."""
    if request.user.is_authenticated:
        return redirect("apply:status")
    if request.method == "POST":
        email = request.POST.get("email", "")
        form_throttle_require(request, scope="signup", email=email)
        applications_services.applicant_sign_up(
            email=email, password=request.POST.get("password", ""),
            display_name=request.POST.get("name", ""),
            verify_url_prefix=_verify_url_prefix(request), now=timezone.now(),
            site_url=request.build_absolute_uri("/")[:-1],
        )
        return render(request, "frontend/apply/signup_sent.html",
                      {"email": email.strip().lower()})
    return _signup_page(request)


@require_GET
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """Confirms the address; it logs nobody in (the applicant logs in with their password)."""
    applications_services.applicant_verify_email(token=token, now=timezone.now())
    if not request.user.is_authenticated:
        messages.success(request, "Your email is verified. Log in to continue your application.")
        return redirect(f"{reverse('login')}?next={reverse('apply:status')}")
    messages.success(request, "Your email is verified. Continue your application.")
    return redirect("apply:status")


@require_POST
@applicant_required
def verify_resend(request: HttpRequest, expert: ExpertProfile) -> HttpResponse:
    applications_services.applicant_resend_verification(
        expert=expert, verify_url_prefix=_verify_url_prefix(request))
    messages.success(request, f"We sent a new link to {expert.user.email}.")
    return redirect("apply:status")


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("apply:signup")
    return redirect("apply:status")


@require_GET
@applicant_required
def status(request: HttpRequest, expert: ExpertProfile) -> HttpResponse:
    application = _application(expert)
    editable = expert.status in (ExpertStatus.APPLIED, ExpertStatus.NEEDS_INFO)
    return render(request, "frontend/apply/status.html", {
        "expert": expert,
        "application": application,
        "missing": applications_services.application_missing_steps(application) if editable else [],
        "editable": editable,
        "verified": application.email_verified_at is not None,
        "quiz_attempts_left": applications_services.quiz_attempts_left(application),
        "decisions": applications_selectors.decision_list_for_expert(expert=expert)
        .filter(kind="status"),
    })


def _closed_step(request: HttpRequest, expert: ExpertProfile) -> HttpResponse | None:
    """A step opens only to a verified applicant whose application may still change."""
    application = _application(expert)
    if application.email_verified_at is None:
        messages.error(request, "Verify your email first: follow the link we sent you.")
        return redirect("apply:status")
    if expert.status not in (ExpertStatus.APPLIED, ExpertStatus.NEEDS_INFO):
        messages.info(request, f"Your application is {expert.get_status_display().lower()}.")
        return redirect("apply:status")
    return None


def _step_page(request: HttpRequest, expert: ExpertProfile, template: str,
               context: dict[str, object], status: int = 200) -> HttpResponse:
    return render(request, f"frontend/apply/{template}", {
        "expert": expert, "application": _application(expert), **context,
    }, status=status)


def _posted_levels(request: HttpRequest) -> dict[str, str]:
    levels = {request.POST.get(f"language_{row}", ""): request.POST.get(f"level_{row}", "")
              for row in range(LANGUAGE_ROWS)}
    levels.pop("", None)
    return levels


def _profile_refused(request: HttpRequest, error: DomainError, expert: ExpertProfile
                     ) -> HttpResponse:
    return _step_page(request, expert, "profile.html", {
        "rows": _language_rows(_posted_levels(request)), "levels": LANGUAGE_LEVELS,
        "posted": request.POST}, status=400)


@require_http_methods(["GET", "POST"])
@applicant_required
@form_view(render_invalid=_profile_refused)
def profile(request: HttpRequest, expert: ExpertProfile) -> HttpResponse:
    if (closed := _closed_step(request, expert)) is not None:
        return closed
    if request.method == "POST":
        applications_services.application_save_profile(
            expert=expert, display_name=request.POST.get("display_name", ""),
            time_zone=request.POST.get("time_zone", ""), language_levels=_posted_levels(request),
            skills=request.POST.get("skills", "").split(","),
            experience=request.POST.get("experience", ""),
            availability=request.POST.get("availability", ""), now=timezone.now(),
        )
        messages.success(request, "Profile saved.")
        return redirect("apply:status")
    return _step_page(request, expert, "profile.html", {
        "rows": _language_rows(_application(expert).language_levels), "levels": LANGUAGE_LEVELS,
        "posted": None,
    })


def _language_rows(levels: dict[str, str]) -> list[tuple[int, str, str]]:
    items = list(levels.items())[:LANGUAGE_ROWS]
    items += [("", "")] * (LANGUAGE_ROWS - len(items))
    return [(row, code, level) for row, (code, level) in enumerate(items)]


@require_POST
@applicant_required
def terms(request: HttpRequest, expert: ExpertProfile) -> HttpResponse:
    if request.POST.get("accept") != "yes":
        messages.error(request, "Tick the box to accept the terms.")
        return redirect("apply:status")
    applications_services.application_accept_terms(expert=expert, now=timezone.now())
    messages.success(request, "Terms accepted.")
    return redirect("apply:status")


def _posted_answers(request: HttpRequest) -> dict[str, str]:
    return {question.key: request.POST.get(question.key, "") for question in SCREENING_QUESTIONS}


def _quiz_page(request: HttpRequest, expert: ExpertProfile, answers: dict[str, str],
               status: int = 200) -> HttpResponse:
    """The quiz with the applicant's answers and the attempts left; never the score, which
    only ops see."""
    return _step_page(request, expert, "quiz.html", {
        "questions": _with_choices(answers),
        "attempts_left": applications_services.quiz_attempts_left(_application(expert)),
    }, status=status)


def _quiz_refused(request: HttpRequest, error: DomainError, expert: ExpertProfile
                  ) -> HttpResponse:
    return _quiz_page(request, expert, _posted_answers(request), status=page_status(error))


@require_http_methods(["GET", "POST"])
@applicant_required
@form_view(render_invalid=_quiz_refused)
def quiz(request: HttpRequest, expert: ExpertProfile) -> HttpResponse:
    if (closed := _closed_step(request, expert)) is not None:
        return closed
    if request.method == "POST":
        application = applications_services.application_submit_quiz(
            expert=expert, answers=_posted_answers(request), now=timezone.now())
        left = applications_services.quiz_attempts_left(application)
        messages.success(request, f"Answers saved. {left} attempt{pluralize(left)} left."
                         if left else "Answers saved. That was your last attempt.")
        return redirect("apply:status")
    return _quiz_page(request, expert, _application(expert).quiz_answers)


def _with_choices(answers: dict[str, str]) -> list[tuple[object, str]]:
    return [(question, str(answers.get(question.key, ""))) for question in SCREENING_QUESTIONS]


def _sample_page(request: HttpRequest, expert: ExpertProfile, reply: str, status: int = 200
                 ) -> HttpResponse:
    return _step_page(request, expert, "sample.html", {
        "subject": SAMPLE_INQUIRY_SUBJECT, "body": SAMPLE_INQUIRY_BODY,
        "min_length": SAMPLE_REPLY_MIN_LENGTH, "reply": reply}, status=status)


def _sample_refused(request: HttpRequest, error: DomainError, expert: ExpertProfile
                    ) -> HttpResponse:
    return _sample_page(request, expert, request.POST.get("reply", ""), status=400)


@require_http_methods(["GET", "POST"])
@applicant_required
@form_view(render_invalid=_sample_refused)
def sample(request: HttpRequest, expert: ExpertProfile) -> HttpResponse:
    if (closed := _closed_step(request, expert)) is not None:
        return closed
    if request.method == "POST":
        applications_services.application_save_sample(
            expert=expert, reply=request.POST.get("reply", ""), now=timezone.now()
        )
        messages.success(request, "Sample reply saved.")
        return redirect("apply:status")
    return _sample_page(request, expert, _application(expert).sample_reply)


@require_POST
@applicant_required
def submit(request: HttpRequest, expert: ExpertProfile) -> HttpResponse:
    applications_services.application_submit(expert=expert, now=timezone.now())
    messages.success(request, "Application submitted. Ops will review it and email you.")
    return redirect("apply:status")

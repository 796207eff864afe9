"""The customer's survey page, `/survey/<token>/`: public, no login, the link is the
credential. Two steps without a script: the rating (one tap), then, on the same page with the
rating in its address, the reasons (below 5), the speed question and a comment; the answer is
posted (CSRF-protected) and redirected to the thank-you page. The page speaks the inquiry's
language. Expired links are a 410 page, answered ones say so; a link that is not ours is the
404 page (frontend/edge.py). The view answers an answered, expired or incomplete answer with
its own pages (not the edge's flash and redirect): the customer has no other page to go back
to."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.views.decorators.http import require_GET, require_http_methods

from experts.quality.models import CONTROLLABLE_REASONS, UNCONTROLLABLE_REASONS
from frontend.edge import field_errors
from marketplace.infra.errors import Conflict, FieldErrors, Gone
from marketplace.surveys import services as surveys
from marketplace.surveys.services import SurveyOpened, SurveyState

RATINGS = (1, 2, 3, 4, 5)
SPEED_ANSWERS = {"yes": True, "no": False, "": None}


def _rating(value: str | None) -> int | None:
    return int(value) if value in ("1", "2", "3", "4", "5") else None


def _page(request: HttpRequest, opened: SurveyOpened, template: str, *, status: int = 200,
          **context: object) -> HttpResponse:
    inquiry = opened.invitation.inquiry
    with translation.override(inquiry.language):
        return render(request, f"frontend/survey/{template}", {
            "inquiry": inquiry, "brand": inquiry.brand, "language": inquiry.language,
            "token": opened.token,
            **context,
        }, status=status)


def _closed(request: HttpRequest, opened: SurveyOpened) -> HttpResponse:
    """The page of a survey that takes no answer: expired, answered, or (the inquiry was
    reopened, or the brand rated it meanwhile) not open to one now."""
    if opened.state == SurveyState.EXPIRED:
        return _page(request, opened, "expired.html", status=410)
    if opened.state == SurveyState.ANSWERED:
        return _page(request, opened, "answered.html")
    return _page(request, opened, "unavailable.html", status=409)


def _form(request: HttpRequest, opened: SurveyOpened, rating: int, *, status: int = 200,
          errors: dict[str, list[str]] | None = None) -> HttpResponse:
    chosen = request.POST.getlist("reasons") if request.method == "POST" else []
    return _page(request, opened, "details.html", status=status, rating=rating,
                 answer_reasons=[(code, code.label, code in chosen)
                                 for code in CONTROLLABLE_REASONS],
                 brand_reasons=[(code, code.label, code in chosen)
                                for code in UNCONTROLLABLE_REASONS],
                 speed=request.POST.get("speed_as_promised", ""),
                 comment=request.POST.get("comment", ""), errors=errors or {})


@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    now = timezone.now()
    opened = surveys.survey_open(token=token, now=now)
    if opened.state != SurveyState.OPEN:
        return _closed(request, opened)
    if request.method == "GET":
        rating = _rating(request.GET.get("rating"))
        if rating is None:
            return _page(request, opened, "rating.html", ratings=RATINGS)
        return _form(request, opened, rating)
    rating = _rating(request.POST.get("rating"))
    if rating is None:
        return _page(request, opened, "rating.html", ratings=RATINGS, status=400)
    speed = request.POST.get("speed_as_promised", "")
    try:
        with translation.override(opened.invitation.inquiry.language):
            surveys.survey_answer(
                token=token, rating=rating, reasons=request.POST.getlist("reasons"),
                speed_as_promised=SPEED_ANSWERS.get(speed),
                comment=request.POST.get("comment", ""), now=now)
    except (Conflict, Gone):
        return _closed(request, surveys.survey_open(token=token, now=now))
    except FieldErrors as error:
        return _form(request, opened, rating, status=400, errors=field_errors(error))
    return redirect("survey_thanks", token=token)


@require_GET
def survey_thanks(request: HttpRequest, token: str) -> HttpResponse:
    opened = surveys.survey_open(token=token, now=timezone.now())
    if opened.state != SurveyState.ANSWERED:
        return redirect("survey", token=token)
    return _page(request, opened, "thanks.html")

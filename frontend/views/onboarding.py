"""Getting a brand onto Shiftline: web sign-up with email verification, invitations (from
ops for a new brand's owner, from owners for members)."""

from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from frontend.access import ops_required, signed_in_user
from frontend.responses import navigate
from marketplace.infra.errors import DomainError, FieldErrors, NotFound
from marketplace.onboarding import services as onboarding_services


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")[:-1]


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            onboarding_services.brand_signup(
                brand_name=request.POST.get("brand_name", ""),
                email=request.POST.get("email", ""),
                password=request.POST.get("password", ""),
                base_url=_base_url(request),
            )
            return render(request, "frontend/onboarding/signup_sent.html",
                          {"email": request.POST.get("email", "").strip().lower()})
        except FieldErrors as error:
            errors = error.errors
    return render(request, "frontend/onboarding/signup.html",
                  {"errors": errors, "form": request.POST if errors else {}},
                  status=400 if errors else 200)


def signup_verify(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = onboarding_services.brand_signup_verify(token=token)
    except NotFound as error:
        raise Http404(error.message) from error
    except DomainError as error:
        return render(request, "frontend/onboarding/link_problem.html",
                      {"message": error.message}, status=400)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, "Email confirmed. Set up your first queue and an API key.")
    return navigate(request, "brand:queues")


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = onboarding_services.brand_invitation_from_token(token=token)
    except NotFound as error:
        raise Http404(error.message) from error
    except DomainError as error:
        return render(request, "frontend/onboarding/link_problem.html",
                      {"message": error.message}, status=400)
    errors: dict[str, list[str]] = {}
    problem = ""
    if request.method == "POST":
        user = request.user if request.user.is_authenticated else None
        try:
            membership = onboarding_services.brand_invitation_accept(
                token=token,
                user=signed_in_user(request) if user else None,
                password=request.POST.get("password", ""),
                now=timezone.now(),
            )
        except FieldErrors as error:
            errors = error.errors
        except DomainError as error:
            problem = error.message
        else:
            if not request.user.is_authenticated:
                login(request, membership.user,
                      backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome to {membership.brand.name}.")
            return navigate(request, "brand:console")
    return render(request, "frontend/onboarding/invitation.html", {
        "invitation": invitation, "errors": errors, "problem": problem,
    }, status=400 if errors or problem else 200)


@require_http_methods(["GET", "POST"])
@ops_required
def ops_brand_invite(request: HttpRequest) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            invitation = onboarding_services.brand_invite_by_ops(
                brand_name=request.POST.get("brand_name", ""),
                owner_email=request.POST.get("owner_email", ""),
                invited_by=signed_in_user(request),
                now=timezone.now(),
                base_url=_base_url(request),
            )
            messages.success(request, f"{invitation.brand.name} created; invitation emailed "
                             f"to {invitation.email}.")
            return navigate(request, "ops:brand_invite")
        except FieldErrors as error:
            errors = error.errors
        except DomainError as error:
            messages.error(request, error.message)
            return navigate(request, "ops:brand_invite")
    return render(request, "frontend/onboarding/ops_invite.html",
                  {"errors": errors, "form": request.POST if errors else {}},
                  status=400 if errors else 200)

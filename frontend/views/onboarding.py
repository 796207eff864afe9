"""Getting a brand onto Shiftline: web sign-up with email verification, invitations (from
ops for a new brand's owner, from owners for members)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from frontend.access import ops_required, signed_in_user
from frontend.edge import field_errors, form_view
from frontend.responses import navigate
from frontend.throttles import form_throttle_require
from marketplace.infra.errors import DomainError, FieldErrors, PermissionDenied
from marketplace.onboarding import services as onboarding_services


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")[:-1]


def _signup_refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(request, "frontend/onboarding/signup.html",
                  {"errors": field_errors(error), "form": request.POST}, status=400)


@require_http_methods(["GET", "POST"])
@form_view(render_invalid=_signup_refused)
def signup(request: HttpRequest) -> HttpResponse:
    """The same "check your email" answer whether or not the email has an account."""
    if request.method == "POST":
        form_throttle_require(request, scope="signup", email=request.POST.get("email", ""))
        onboarding_services.brand_signup(
            brand_name=request.POST.get("brand_name", ""),
            email=request.POST.get("email", ""),
            password=request.POST.get("password", ""), base_url=_base_url(request),
        )
        return render(request, "frontend/onboarding/signup_sent.html",
                      {"email": request.POST.get("email", "").strip().lower()})
    return render(request, "frontend/onboarding/signup.html", {"errors": {}, "form": {}})


@require_GET
def signup_verify(request: HttpRequest, token: str) -> HttpResponse:
    """Confirms the email and sends the owner to log in, then on to their first queue; a used
    or expired link is the error page saying so (frontend/edge.py)."""
    onboarding_services.brand_signup_verify(token=token, now=timezone.now())
    messages.success(request, "Your email is confirmed; log in to set up your first queue "
                              "and an API key.")
    return redirect(f"{resolve_url('login')}?{urlencode({'next': reverse('brand:queues')})}")


def _invitation_refused(request: HttpRequest, error: DomainError, token: str) -> HttpResponse:
    """A refused password or the wrong signed-in account leave the invitation open: it is
    shown again. Any other refusal (an expired or used link) means the link cannot be used."""
    if isinstance(error, FieldErrors | PermissionDenied):
        invitation = onboarding_services.brand_invitation_from_token(token=token)
        return render(request, "frontend/onboarding/invitation.html", {
            "invitation": invitation, "errors": field_errors(error)}, status=400)
    return render(request, "frontend/onboarding/link_problem.html", status=400)


@require_http_methods(["GET", "POST"])
@form_view(render_invalid=_invitation_refused)
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = onboarding_services.brand_invitation_from_token(token=token)
    if request.method == "POST":
        user = request.user if request.user.is_authenticated else None
        membership = onboarding_services.brand_invitation_accept(
            token=token, user=signed_in_user(request) if user else None,
            password=request.POST.get("password", ""), now=timezone.now())
        if not request.user.is_authenticated:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome to {membership.brand.name}.")
        return navigate(request, "brand:console")
    return render(request, "frontend/onboarding/invitation.html",
                  {"invitation": invitation, "errors": {}})


def _ops_invite_page(request: HttpRequest, errors: dict[str, list[str]] | None = None,
                     status: int = 200) -> HttpResponse:
    return render(request, "frontend/onboarding/ops_invite.html",
                  {"errors": errors or {}, "form": request.POST}, status=status)


def _ops_invite_refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    return _ops_invite_page(request, field_errors(error), status=400)


@require_http_methods(["GET", "POST"])
@ops_required
@form_view(render_invalid=_ops_invite_refused)
def ops_brand_invite(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        invitation = onboarding_services.brand_invite_by_ops(
            brand_name=request.POST.get("brand_name", ""),
            owner_email=request.POST.get("owner_email", ""),
            invited_by=signed_in_user(request), now=timezone.now(),
            base_url=_base_url(request))
        messages.success(request, f"{invitation.brand.name} created; invitation emailed "
                         f"to {invitation.email}.")
        return navigate(request, "ops:brand_invite")
    return _ops_invite_page(request)

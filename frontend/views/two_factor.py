"""Two-factor sign-in pages: the second login step, and the Two-factor settings page where a
user adds an authenticator app (QR code and secret, confirmed with a code), gets single-use
recovery codes (shown once) and turns two-factor off (with their password and a code).

The password step stays Django's LoginView (and whatever guards it); only when the user has
an app does it stop short of logging in: it keeps who passed the password in the session, for
a few minutes, and sends them to `verify`, which logs them in and marks the session verified
(`django_otp.login`) once a code matches."""

import time
from base64 import b32encode
from collections.abc import Callable
from functools import wraps
from typing import Any

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from frontend.access import signed_in_user
from marketplace.two_factor.selectors import (
    two_factor_enabled,
    two_factor_offered,
    two_factor_required,
    two_factor_status,
)
from marketplace.two_factor.services import (
    two_factor_check,
    two_factor_disable,
    two_factor_enrolment_confirm,
    two_factor_enrolment_start,
    two_factor_recovery_codes_renew,
)

View = Callable[..., HttpResponse]

# Who passed the password and is asked for a code: {"user_id", "backend", "next", "since"}.
PENDING_KEY = "shiftline_two_factor_pending"
PENDING_SECONDS = 300
# Recovery codes just issued, shown once by the recovery-codes page.
NEW_CODES_KEY = "shiftline_two_factor_new_codes"
WRONG_CODE = ("That code did not match. Enter the current code from your app, or one of your "
              "recovery codes; after a wrong code, wait a few seconds before the next try.")


class LoginView(auth_views.LoginView):
    """Django's login; a user with an authenticator app is not logged in yet but sent on to the
    code step."""

    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if not two_factor_enabled(user=user):
            return super().form_valid(form)
        self.request.session[PENDING_KEY] = {
            "user_id": user.pk, "backend": getattr(user, "backend", None),
            "next": self.get_success_url(), "since": time.time()}
        return redirect("two_factor_verify")


def _user_to_verify(request: HttpRequest) -> tuple[User | None, str, str | None]:
    """The user asked for a code, where to go afterwards, and the backend that checked their
    password: the one who just passed it, or the signed-in user of an unverified session."""
    pending = request.session.get(PENDING_KEY)
    if isinstance(pending, dict) and time.time() - pending["since"] < PENDING_SECONDS:
        user = User.objects.filter(pk=int(pending["user_id"]), is_active=True).first()
        return user, pending["next"] or "", pending["backend"]
    if request.user.is_authenticated:
        return signed_in_user(request), _safe_next(request), None
    return None, "", None


def _safe_next(request: HttpRequest) -> str:
    candidate = request.GET.get("next") or request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return candidate
    return ""


def verify(request: HttpRequest) -> HttpResponse:
    """The second login step: a code from the app, or a recovery code."""
    user, next_url, backend = _user_to_verify(request)
    if user is None:
        messages.info(request, "Log in again: the sign-in took too long.")
        return redirect("login")
    if request.method != "POST":
        return render(request, "frontend/two_factor/verify.html", {"next": next_url})
    device = two_factor_check(user=user, token=request.POST.get("code", ""))
    if device is None:
        return render(request, "frontend/two_factor/verify.html",
                      {"next": next_url, "error": WRONG_CODE}, status=400)
    if not request.user.is_authenticated:
        auth_login(request, user, backend=backend)
    request.session.pop(PENDING_KEY, None)
    django_otp.login(request, device)
    return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))


def two_factor_page(view: View) -> View:
    """Ops staff and brand owners and admins, and anyone who already has an app, may open the
    Two-factor pages."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = signed_in_user(request)
        if not (two_factor_offered(user) or two_factor_enabled(user=user)):
            raise PermissionDenied("Two-factor sign-in is for ops staff and brand owners and "
                                   "admins.")
        return view(request, *args, user=user, **kwargs)

    return wrapper


def _qr_svg(config_url: str) -> str:
    return mark_safe(segno.make(config_url, error="m").svg_inline(  # noqa: S308
        scale=4, title="QR code for your authenticator app"))


def _secret_text(key: bytes) -> str:
    secret = b32encode(key).decode("ascii")
    return " ".join(secret[start:start + 4] for start in range(0, len(secret), 4))


def _settings_page(request: HttpRequest, user: User, *, status: int = 200,
                   **errors: str) -> HttpResponse:
    state = two_factor_status(user=user)
    pending = state.pending
    return render(request, "frontend/two_factor/settings.html", {
        "state": state,
        "required": two_factor_required(user),
        "qr_svg": _qr_svg(pending.config_url) if pending else "",
        "secret": _secret_text(pending.bin_key) if pending else "",
        "next": _safe_next(request),
        "errors": errors,
    }, status=status)


@two_factor_page
def settings_page(request: HttpRequest, *, user: User) -> HttpResponse:
    return _settings_page(request, user)


@require_POST
@two_factor_page
def start(request: HttpRequest, *, user: User) -> HttpResponse:
    two_factor_enrolment_start(user=user)
    return redirect("two_factor")


@require_POST
@two_factor_page
def confirm(request: HttpRequest, *, user: User) -> HttpResponse:
    confirmed = two_factor_enrolment_confirm(user=user, token=request.POST.get("code", ""))
    if confirmed is None:
        return _settings_page(request, user, status=400, confirm=WRONG_CODE)
    device, codes = confirmed
    django_otp.login(request, device)
    request.session[NEW_CODES_KEY] = codes
    messages.success(request, "Two-factor sign-in is on.")
    return redirect("two_factor_recovery_codes")


@require_POST
@two_factor_page
def recovery_codes_renew(request: HttpRequest, *, user: User) -> HttpResponse:
    if not two_factor_enabled(user=user):
        return redirect("two_factor")
    request.session[NEW_CODES_KEY] = two_factor_recovery_codes_renew(user=user)
    return redirect("two_factor_recovery_codes")


@two_factor_page
def recovery_codes(request: HttpRequest, *, user: User) -> HttpResponse:
    """The codes just issued, once: a reload shows the settings page instead."""
    codes = request.session.pop(NEW_CODES_KEY, None)
    if not codes:
        return redirect("two_factor")
    return render(request, "frontend/two_factor/recovery_codes.html", {"codes": codes})


@require_POST
@two_factor_page
def disable(request: HttpRequest, *, user: User) -> HttpResponse:
    if not two_factor_disable(user=user, password=request.POST.get("password", ""),
                              token=request.POST.get("code", "")):
        return _settings_page(request, user, status=400,
                              disable="Your password or the code did not match.")
    messages.success(request, "Two-factor sign-in is off.")
    return redirect("two_factor")


def admin_login(request: HttpRequest) -> HttpResponse:
    """The Django admin signs in through the site's own login, so its second step applies."""
    if request.user.is_authenticated and request.user.is_staff:
        return redirect("admin:index")
    if request.user.is_authenticated:
        raise PermissionDenied("Only Shiftline ops staff can open the admin.")
    return redirect(f"{resolve_url('login')}?{request.GET.urlencode()}")

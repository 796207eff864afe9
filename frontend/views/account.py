"""A person's own account: password reset by email (linked from the login page), password
change and settings (the time zone their pages show times in; both in every signed-in person's
header). Django's views with the site's templates; a new
password ends the user's other sessions (the session hash changes with it; the change page
keeps the current one) and closes their open sockets."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from frontend.access import signed_in_user
from frontend.edge import field_errors, form_view
from frontend.throttles import form_throttle_require
from marketplace.access import services as access_services
from marketplace.accounts import selectors as accounts_selectors
from marketplace.accounts import services as accounts_services
from marketplace.infra.errors import DomainError


class PasswordResetView(auth_views.PasswordResetView):
    """Answers alike for every address (Django sends mail only to an existing active
    account); throttled per client address and per email address typed."""

    template_name = "frontend/account/password_reset.html"
    email_template_name = "frontend/account/password_reset_email.txt"
    subject_template_name = "frontend/account/password_reset_subject.txt"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form_throttle_require(request, scope="password_reset",
                              email=request.POST.get("email", ""))
        return super().post(request, *args, **kwargs)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "frontend/account/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "frontend/account/password_reset_confirm.html"

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        access_services.account_password_changed(user=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "frontend/account/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "frontend/account/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        access_services.account_password_changed(user=form.user)
        messages.success(self.request, "Password changed. Your other sessions were logged out.")
        return response


def _settings_page(request: HttpRequest, *, posted: str | None = None,
                   errors: dict[str, list[str]] | None = None, status: int = 200) -> HttpResponse:
    zone = accounts_selectors.account_time_zone_detail(user=signed_in_user(request))
    return render(request, "frontend/account/settings.html", {
        "zone": zone, "value": zone.chosen if posted is None else posted,
        "errors": errors or {}, "now": timezone.now(),
    }, status=status)


def _settings_refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    return _settings_page(request, posted=request.POST.get("time_zone", ""),
                          errors=field_errors(error), status=400)


@login_required
@require_http_methods(["GET", "POST"])
@form_view(render_invalid=_settings_refused)
def settings_page(request: HttpRequest) -> HttpResponse:
    """Every signed-in person's own settings: the time zone their pages show times in."""
    if request.method == "POST":
        accounts_services.account_time_zone_set(
            user=signed_in_user(request), time_zone=request.POST.get("time_zone", ""))
        zone = accounts_selectors.account_time_zone(user=signed_in_user(request))
        messages.success(request, f"Saved. Times now show in {zone.replace('_', ' ')}.")
        return redirect("account_settings")
    return _settings_page(request)

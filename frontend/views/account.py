"""A person's own account: password reset by email (linked from the login page) and password
change (in every signed-in person's header). Django's views with the site's templates; a new
password ends the user's other sessions (the session hash changes with it; the change page
keeps the current one) and closes their open sockets."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.urls import reverse_lazy

from frontend.throttles import form_throttle_require
from marketplace.access import services as access_services


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

"""The second sign-in step, enforced on every page (the Django admin included).

A signed-in user whose session has not verified a second factor is sent to it when:
- they have an authenticator app (a session that passed only the password, such as one opened
  before the app was added, must verify it first), or
- they are ops staff and `SHIFTLINE_REQUIRE_2FA_FOR_OPS` is on (they must set one up first).
Only the two-factor pages themselves, logging in and logging out stay open meanwhile. Under
`/api/` the answer is a JSON 403 instead of a redirect."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.deprecation import MiddlewareMixin

from frontend.responses import navigate
from marketplace.infra.api_errors import is_api_request
from marketplace.two_factor.selectors import two_factor_enabled, two_factor_required

# URL names (outside any namespace) that an unverified session may still open.
OPEN_URL_NAMES = frozenset({
    "login", "logout", "healthz", "readyz", "two_factor", "two_factor_start", "two_factor_confirm",
    "two_factor_recovery_codes", "two_factor_verify",
})


def second_step_url(request: HttpRequest) -> str | None:
    """Where this request must go first, or None when it may proceed."""
    user = request.user
    if not user.is_authenticated or getattr(user, "otp_device", None) is not None:
        return None
    if two_factor_enabled(user=user):
        return reverse("two_factor_verify")
    if two_factor_required(user):
        return reverse("two_factor")
    return None


class TwoFactorGateMiddleware(MiddlewareMixin):
    """Runs after django-otp's OTPMiddleware, which tells whether the session is verified."""

    def process_view(self, request: HttpRequest, view: Callable[..., HttpResponse],
                     args: Any, kwargs: Any) -> HttpResponse | None:
        match = request.resolver_match
        if match is not None and not match.namespace and match.url_name in OPEN_URL_NAMES:
            return None
        target = second_step_url(request)
        if target is None:
            return None
        if is_api_request(request):
            return JsonResponse({"detail": "Verify your second sign-in factor first.",
                                 "code": "two_factor_required"}, status=403)
        return navigate(request, f"{target}?{urlencode({'next': request.get_full_path()})}")

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_safe

from experts.profiles import policy as expert_policy
from experts.profiles.selectors import expert_profile_for_user
from experts.profiles.services import expert_disconnect_live_sessions
from marketplace.infra import health
from marketplace.onboarding.selectors import brand_membership_for_user


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """The process answers; it touches no backend (`readyz` does)."""
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    """Each backend's own status, latency and detail (marketplace/infra/health.py); 200 when
    all are ok, 503 otherwise. Answers within about a second whatever hangs."""
    report = health.readiness()
    return JsonResponse(report, status=200 if report["status"] == health.OK else 503,
                        headers={"Cache-Control": "no-store"})


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The front door for visitors (what Shiftline is, for brands and for experts); a
    signed-in user is sent on to their role's own home page."""
    if not request.user.is_authenticated:
        return render(request, "frontend/front_door.html")
    if request.user.is_staff:
        return redirect("ops:console")
    expert = expert_profile_for_user(user=request.user)
    if expert is not None:
        return redirect(expert_policy.expert_home(expert))
    if brand_membership_for_user(user=request.user) is not None:
        return redirect("brand:console")
    return render(request, "frontend/no_role.html", status=403)


class LogoutView(auth_views.LogoutView):
    """Logging out also closes the expert's live websockets."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if isinstance(request.user, User):
            expert_disconnect_live_sessions(user=request.user)
        return super().post(request, *args, **kwargs)

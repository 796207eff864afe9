from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from experts.selectors import expert_profile_for_user
from marketplace.selectors import brand_membership_for_user


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Sends each role to its own home page."""
    if request.user.is_staff:
        return redirect("ops:console")
    if expert_profile_for_user(user=request.user) is not None:
        return redirect("expert:workspace")
    if brand_membership_for_user(user=request.user) is not None:
        return redirect("brand:console")
    return render(request, "frontend/no_role.html", status=403)

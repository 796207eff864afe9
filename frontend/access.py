"""Who may open which pages. Each role has its own home; the wrong role gets a 403."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from experts.profiles.selectors import expert_profile_for_user
from marketplace.onboarding.selectors import brand_membership_for_user

View = Callable[..., HttpResponse]


def expert_required(view: View) -> View:
    """Passes the signed-in user's expert profile to the view as `expert`."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        expert = expert_profile_for_user(user=request.user)
        if expert is None:
            raise PermissionDenied("Only experts can open the expert workspace.")
        return view(request, *args, expert=expert, **kwargs)

    return wrapper


def brand_member_required(view: View) -> View:
    """Passes the signed-in user's brand membership to the view as `membership`."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        membership = brand_membership_for_user(user=request.user)
        if membership is None:
            raise PermissionDenied("Only brand members can open the brand console.")
        return view(request, *args, membership=membership, **kwargs)

    return wrapper


def brand_role_required(*roles: str) -> Callable[[View], View]:
    """Like `brand_member_required`, and only members holding one of `roles` pass: viewers
    get a 403 on every write."""

    def decorate(view: View) -> View:
        @brand_member_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, membership: Any, **kwargs: Any
                    ) -> HttpResponse:
            if membership.role not in roles:
                raise PermissionDenied(
                    f"Your role ({membership.get_role_display().lower()}) cannot do this; "
                    f"it needs {' or '.join(roles)}.")
            return view(request, *args, membership=membership, **kwargs)

        return wrapper

    return decorate


def ops_required(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_staff:
            raise PermissionDenied("Only Shiftline ops staff can open the ops console.")
        return view(request, *args, **kwargs)

    return wrapper


def signed_in_user(request: HttpRequest) -> User:
    """The signed-in user of a view already behind one of the decorators above."""
    if not isinstance(request.user, User):
        raise PermissionDenied("Log in first.")
    return request.user


def applicant_required(view: View) -> View:
    """Passes the signed-in user's expert profile (an applicant or an expert) as `expert`;
    users without one (brand members, ops) are refused: each sees only their own application."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        expert = expert_profile_for_user(user=request.user)
        if expert is None:
            raise PermissionDenied("Only applicants have an application.")
        return view(request, *args, expert=expert, **kwargs)

    return wrapper

"""Who may open which pages. Each role has its own home; the wrong role gets a 403."""

from collections.abc import Callable
from functools import wraps
from typing import Any, Protocol

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from experts.profiles import policy as expert_policy
from experts.profiles.selectors import expert_profile_for_user
from marketplace.onboarding.models import Brand, BrandMembership
from marketplace.onboarding.policy import Actor
from marketplace.onboarding.selectors import brand_membership_for_user

View = Callable[..., HttpResponse]


def _page_name(request: HttpRequest) -> str:
    """The URL name the request resolved to, such as "expert:workspace"; "" when none."""
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else ""


def _expert_page(view: View, *, not_an_expert: str) -> View:
    """Passes the signed-in user's expert profile to the view as `expert`, once the expert
    policy (`experts.profiles.policy`) lets the expert's status open this page by its URL
    name; otherwise the 403 page says what stays open to them."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        expert = expert_profile_for_user(user=request.user)
        if expert is None:
            raise PermissionDenied(not_an_expert)
        expert_policy.require_expert_may_open(expert, _page_name(request))
        return view(request, *args, expert=expert, **kwargs)

    return wrapper


def expert_required(view: View) -> View:
    """For the expert workspace's pages: which of them open depends on the expert's status
    (a suspended expert keeps only their money)."""
    return _expert_page(view, not_an_expert="Only experts can open the expert workspace.")


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


class BrandRequirement(Protocol):
    """One of the `require_brand_can_…` questions of `marketplace.onboarding.policy`."""

    def __call__(self, actor: Actor, brand: Brand, /, *, action: str | None = None) -> None: ...


def brand_permission_required(
    require: BrandRequirement, *, action: str | None = None
) -> Callable[[View], View]:
    """Like `brand_member_required`, and the brand's policy must allow the member `require`'s
    question (a viewer gets a 403 on every write). Asked before the view runs, so a refusal is
    the 403 page even for a view that shows its form again on refused input. `action` names
    what is refused, as in "can manage API keys"."""

    def decorate(view: View) -> View:
        @brand_member_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, membership: BrandMembership,
                    **kwargs: Any) -> HttpResponse:
            require(membership, membership.brand, action=action)
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
    """For the application's pages: users without an expert profile (brand members, ops) are
    refused, each sees only their own application, and a rejected applicant only its status."""
    return _expert_page(view, not_an_expert="Only applicants have an application.")

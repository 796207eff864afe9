"""The brand's API keys, members and billing details. Who may change which is the brand policy's
answer (marketplace/onboarding/policy.py); everyone in the brand looks."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from frontend.access import brand_member_required, brand_permission_required, signed_in_user
from frontend.edge import field_errors, form_view
from frontend.responses import navigate
from frontend.views import billing as billing_pages
from marketplace.access import selectors as access_selectors
from marketplace.access import services as access_services
from marketplace.access.models import DEFAULT_SCOPES, ApiScope
from marketplace.infra.errors import DomainError
from marketplace.models import ApiKey, BrandMembership, BrandRole
from marketplace.onboarding import policy
from marketplace.onboarding import selectors as onboarding_selectors
from marketplace.onboarding import services as onboarding_services


def _scope_choices(typed: QueryDict | None) -> list[tuple[str, str, bool]]:
    """Each scope with its label and whether its box is ticked: the defaults for a new key,
    or what was ticked when the creation was refused (`typed`)."""
    ticked = set(typed.getlist("scopes")) if typed is not None else set(DEFAULT_SCOPES)
    return [(scope.value, scope.label, scope.value in ticked) for scope in ApiScope]


def _keys_page(request: HttpRequest, membership: BrandMembership, *, raw_key: str = "",
               created: ApiKey | None = None, status: int = 200,
               typed: QueryDict | None = None) -> HttpResponse:
    """`typed` is the creation form as posted when it was refused."""
    return render(request, "frontend/brand/keys.html", {
        "membership": membership, "brand": membership.brand,
        "keys": access_selectors.api_key_list_for_brand(brand=membership.brand),
        "can_manage": policy.brand_can_configure(membership, membership.brand),
        "raw_key": raw_key, "created": created,
        "scope_choices": _scope_choices(typed), "form": typed or {},
    }, status=status)


def _key_create_refused(request: HttpRequest, error: DomainError, membership: BrandMembership
                        ) -> HttpResponse:
    """Creating or rotating a key answers with the keys page itself (the raw key is in that
    response only), so a refusal does too, with the creation form as typed."""
    return _keys_page(request, membership, status=error.http_status, typed=request.POST)


def _key_rotate_refused(request: HttpRequest, error: DomainError, key_id: int,
                        membership: BrandMembership) -> HttpResponse:
    return _keys_page(request, membership, status=error.http_status)


NEW_KEY_SESSION = "brand_new_api_key"
"""Where a key just created or rotated waits (server-side session) for the one page that shows
it: the post redirects there, so a reload or Back never creates another key."""


def _show_once(request: HttpRequest, api_key: ApiKey, raw_key: str) -> HttpResponse:
    request.session[NEW_KEY_SESSION] = {"key_id": api_key.pk, "raw_key": raw_key}
    return navigate(request, "brand:keys")


@require_GET
@brand_member_required
def keys(request: HttpRequest, membership: BrandMembership) -> HttpResponse:
    """Shows a key created or rotated by the previous post once (then forgets it)."""
    new = request.session.pop(NEW_KEY_SESSION, None)
    if not new:
        return _keys_page(request, membership)
    created = access_selectors.api_key_list_for_brand(brand=membership.brand).filter(
        pk=new["key_id"]).first()
    response = _keys_page(request, membership, raw_key=new["raw_key"] if created else "",
                          created=created)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@brand_permission_required(policy.require_brand_can_configure, action=access_services.API_KEYS)
@form_view(render_invalid=_key_create_refused)
def key_create(request: HttpRequest, membership: BrandMembership) -> HttpResponse:
    """Post/redirect/get: the keys page shows the new raw key once."""
    api_key, raw_key = access_services.api_key_create(
        brand=membership.brand, actor=membership, name=request.POST.get("name", ""),
        scopes=request.POST.getlist("scopes"))
    return _show_once(request, api_key, raw_key)


def _brand_key(membership: BrandMembership, key_id: int) -> ApiKey:
    keys = access_selectors.api_key_list_for_brand(brand=membership.brand)
    api_key = keys.filter(pk=key_id).first()
    if api_key is None:
        raise Http404("No such API key.")
    return api_key


@require_POST
@brand_permission_required(policy.require_brand_can_configure, action=access_services.API_KEYS)
def key_revoke(request: HttpRequest, key_id: int, membership: BrandMembership) -> HttpResponse:
    api_key = access_services.api_key_revoke(api_key=_brand_key(membership, key_id),
                                             actor=membership, now=timezone.now())
    messages.success(request, f"Revoked {api_key.name} ({api_key.prefix}…); it is refused "
                     "from now on.")
    return navigate(request, "brand:keys")


@require_POST
@brand_permission_required(policy.require_brand_can_configure, action=access_services.API_KEYS)
@form_view(render_invalid=_key_rotate_refused)
def key_rotate(request: HttpRequest, key_id: int, membership: BrandMembership) -> HttpResponse:
    api_key, raw_key = access_services.api_key_rotate(api_key=_brand_key(membership, key_id),
                                                      actor=membership, now=timezone.now())
    return _show_once(request, api_key, raw_key)


def _members_page(request: HttpRequest, membership: BrandMembership, *,
                  errors: dict[str, list[str]] | None = None, status: int = 200
                  ) -> HttpResponse:
    """`form` is the invitation the owner typed when it was refused (empty on a GET)."""
    return render(request, "frontend/brand/members.html", {
        "membership": membership, "brand": membership.brand,
        "members": onboarding_selectors.membership_list_for_brand(brand=membership.brand),
        "invitations": onboarding_selectors.invitation_list_open_for_brand(brand=membership.brand),
        "roles": BrandRole.choices,
        "is_owner": policy.brand_can_manage_people(membership, membership.brand),
        "errors": errors or {}, "form": request.POST,
    }, status=status)


def _invite_refused(request: HttpRequest, error: DomainError, membership: BrandMembership
                    ) -> HttpResponse:
    return _members_page(request, membership, errors=field_errors(error), status=400)


@require_GET
@brand_member_required
def members(request: HttpRequest, membership: BrandMembership) -> HttpResponse:
    return _members_page(request, membership)


@require_POST
@brand_permission_required(policy.require_brand_can_manage_people)
@form_view(render_invalid=_invite_refused)
def member_invite(request: HttpRequest, membership: BrandMembership) -> HttpResponse:
    invitation = onboarding_services.brand_invitation_create(
        brand=membership.brand, email=request.POST.get("email", ""),
        role=request.POST.get("role", ""), invited_by=signed_in_user(request),
        now=timezone.now(), base_url=request.build_absolute_uri("/")[:-1],
    )
    messages.success(request, f"Invitation emailed to {invitation.email}.")
    return navigate(request, "brand:members")


@require_POST
@brand_permission_required(policy.require_brand_can_manage_people)
def invitation_cancel(request: HttpRequest, invitation_id: int, membership: BrandMembership
                      ) -> HttpResponse:
    onboarding_services.brand_invitation_cancel(actor=membership, invitation_id=invitation_id)
    messages.success(request, "Invitation withdrawn; its link no longer works.")
    return navigate(request, "brand:members")


@require_POST
@brand_permission_required(policy.require_brand_can_manage_people)
def member_change_role(request: HttpRequest, member_id: int, membership: BrandMembership
                       ) -> HttpResponse:
    changed = onboarding_services.membership_change_role(
        actor=membership, membership_id=member_id, role=request.POST.get("role", ""))
    messages.success(request, f"{changed.user.email} is now {changed.role}.")
    return navigate(request, "brand:members")


@require_POST
@brand_permission_required(policy.require_brand_can_manage_people)
def member_remove(request: HttpRequest, member_id: int, membership: BrandMembership
                  ) -> HttpResponse:
    onboarding_services.membership_remove(actor=membership, membership_id=member_id)
    messages.success(request, "Member removed.")
    return navigate(request, "brand:members")


def _billing_page(request: HttpRequest, membership: BrandMembership, *,
                  errors: dict[str, list[str]] | None = None, status: int = 200
                  ) -> HttpResponse:
    """`form` is what the owner typed when it was refused; a GET shows the stored details."""
    return render(request, "frontend/brand/billing.html", {
        "membership": membership, "brand": membership.brand,
        "is_owner": policy.brand_can_manage_billing(membership, membership.brand),
        "errors": errors or {},
        "form": request.POST if request.method == "POST" else None,
        **billing_pages.brand_billing_context(membership, invoice_page=request.GET.get("page")),
    }, status=status)


def _billing_refused(request: HttpRequest, error: DomainError, membership: BrandMembership
                     ) -> HttpResponse:
    """The details as typed, with a 400 for a refused field or a 403 for a member who may
    not change them."""
    return _billing_page(request, membership, errors=field_errors(error),
                         status=error.http_status)


@require_http_methods(["GET", "POST"])
@brand_member_required
@form_view(render_invalid=_billing_refused)
def billing(request: HttpRequest, membership: BrandMembership) -> HttpResponse:
    """Everyone in the brand sees the billing details; the service lets only those the policy
    allows change them."""
    if request.method == "POST":
        onboarding_services.brand_billing_update(
            actor=membership, contact_name=request.POST.get("contact_name", ""),
            email=request.POST.get("billing_email", ""),
            address=request.POST.get("address", ""),
            vat_number=request.POST.get("vat_number", ""),
            country=request.POST.get("country", ""),
        )
        messages.success(request, "Billing details saved.")
        return navigate(request, "brand:billing")
    return _billing_page(request, membership)


"""Customer data in the brand console: export or erase everything the brand holds about one
email address (marketplace/privacy/). Owners and admins, per the brand policy; erasure shows
what it will change and asks for confirmation first."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from frontend.access import brand_permission_required
from frontend.edge import field_errors, form_view
from frontend.responses import navigate
from marketplace.infra.errors import DomainError
from marketplace.models import BrandMembership
from marketplace.onboarding import policy
from marketplace.privacy import selectors as privacy_selectors
from marketplace.privacy import services as privacy_services

handler_required = brand_permission_required(policy.require_brand_can_handle_customer_data,
                                             action=privacy_services.CUSTOMER_DATA)


def _page(request: HttpRequest, membership: BrandMembership, *,
          errors: dict[str, list[str]] | None = None, nothing_stored: bool = False,
          status: int = 200) -> HttpResponse:
    return render(request, "frontend/brand/customer_data.html", {
        "membership": membership, "brand": membership.brand, "errors": errors or {},
        "email": request.POST.get("email", "") if request.method == "POST" else "",
        "nothing_stored": nothing_stored,
    }, status=status)


def _refused(request: HttpRequest, error: DomainError, membership: BrandMembership
             ) -> HttpResponse:
    return _page(request, membership, errors=field_errors(error), status=error.http_status)


@require_GET
@handler_required
def customer_data(request: HttpRequest, membership: BrandMembership) -> HttpResponse:
    return _page(request, membership)


@require_POST
@handler_required
@form_view(render_invalid=_refused)
def customer_export(request: HttpRequest, membership: BrandMembership) -> HttpResponse:
    """The ZIP itself, or the form again saying nothing is stored for the address."""
    email = request.POST.get("email", "")
    if privacy_selectors.customer_data_summary(brand=membership.brand, email=email).is_empty:
        return _page(request, membership, nothing_stored=True)
    export = privacy_services.customer_data_export(brand=membership.brand, actor=membership,
                                                   email=email, now=timezone.now())
    response = HttpResponse(export.content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@handler_required
@form_view(render_invalid=_refused)
def customer_erase(request: HttpRequest, membership: BrandMembership) -> HttpResponse:
    """Without `confirm`, the confirmation page with what will change (nothing is changed);
    with it, the erasure, then back to the form."""
    email = request.POST.get("email", "")
    summary = privacy_selectors.customer_data_summary(brand=membership.brand, email=email)
    if summary.is_empty:
        return _page(request, membership, nothing_stored=True)
    if request.POST.get("confirm") != "erase":
        return render(request, "frontend/brand/customer_erase_confirm.html", {
            "membership": membership, "brand": membership.brand, "summary": summary,
        })
    privacy_services.customer_data_erase(brand=membership.brand, actor=membership,
                                         email=email, now=timezone.now())
    counted = ", ".join(f"{count} {one if count == 1 else many}" for count, one, many in (
        (summary.inquiries, "inquiry", "inquiries"), (summary.messages, "message", "messages"),
        (summary.attachments, "attachment", "attachments")))
    messages.success(request, f"The customer's data is erased: {counted}.")
    return navigate(request, "brand:customer_data")

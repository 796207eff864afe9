"""The ops console: experts and their vetting, the network's inquiries, the ledger, the login
lockouts in force."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from billing.books import selectors as books
from billing.ledger import selectors as billing_selectors
from billing.ledger.models import AccountKind
from experts.applications.services import decisions as applications_decisions
from experts.models import ExpertStatus
from experts.profiles import selectors as profiles_selectors
from experts.quality import selectors as quality_selectors
from frontend.access import ops_required, signed_in_user
from marketplace.access import selectors as access_selectors
from marketplace.access import services as access_services
from marketplace.inquiries import selectors as inquiries_selectors
from routing.offers import selectors as offers_selectors

OWNERS_OF_KIND = {AccountKind.BRAND_RECEIVABLE: "brands", AccountKind.EXPERT_PAYABLE: "experts"}


def _ledger_rows() -> list[dict[str, object]]:
    """The ledger's totals per kind of account, each as an amount and who owes whom."""
    rows = []
    for row in billing_selectors.ledger_totals_by_account_kind():
        kind = AccountKind(str(row["account__kind"]))
        rows.append({"kind": kind.label, "currency": row["account__currency"],
                     "shown": books.balance_shown(kind=kind, owner=OWNERS_OF_KIND.get(kind, ""),
                                                  balance_minor=int(str(row["total"])))})
    return rows


@require_GET
@ops_required
def console(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/ops/console.html", {
        "experts": profiles_selectors.expert_list_for_ops(),
        "inquiries": inquiries_selectors.inquiry_list_recent(limit=25),
        "ledger": _ledger_rows(),
        "decisions": [ExpertStatus.APPROVED, ExpertStatus.REJECTED, ExpertStatus.SUSPENDED,
                      ExpertStatus.NEEDS_INFO],
        "open_alerts": quality_selectors.alert_list_open()[:5],
    })


@require_GET
@ops_required
def inquiry(request: HttpRequest, inquiry_id: int) -> HttpResponse:
    """The same timeline and routing decisions the brand sees, for any brand's inquiry."""
    current = inquiries_selectors.inquiry_get(inquiry_id=inquiry_id)
    return render(request, "frontend/brand/inquiry.html", {
        "inquiry": current,
        "conversation": inquiries_selectors.message_list_for_inquiry(inquiry=current),
        "timeline": inquiries_selectors.event_list_for_inquiry(inquiry=current),
        "decisions": offers_selectors.decision_list_for_inquiry(inquiry_id=current.pk),
        "back_url": "ops:console",
    })


@require_POST
@ops_required
def expert_decide(request: HttpRequest, expert_id: int) -> HttpResponse:
    to_status = request.POST.get("status", "")
    if to_status not in ExpertStatus.values:
        messages.error(request, "Choose a decision.")
        return redirect("ops:console")
    expert = profiles_selectors.expert_get(expert_id=expert_id)
    applications_decisions.expert_decide(
        expert=expert, to_status=ExpertStatus(to_status), decided_by=signed_in_user(request),
        reason=request.POST.get("reason", ""), now=timezone.now(),
    )
    messages.success(request, f"{expert.display_name}: {ExpertStatus(to_status).label}.")
    return redirect("ops:console")


@require_GET
@ops_required
def lockouts(request: HttpRequest) -> HttpResponse:
    """Accounts and addresses that django-axes refuses to log in, each with Lift."""
    return render(request, "frontend/ops/lockouts.html", {
        "lockouts": access_selectors.login_lockout_list(now=timezone.now()),
    })


@require_POST
@ops_required
def lockout_lift(request: HttpRequest) -> HttpResponse:
    kind, value = request.POST.get("kind", ""), request.POST.get("value", "")
    access_services.login_lockout_lift(kind=kind, value=value, lifted_by=signed_in_user(request))
    messages.success(request, f"Lifted the lockout of {kind} {value}; it can log in again.")
    return redirect("ops:lockouts")

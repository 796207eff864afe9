"""The brand's audit log: who changed keys, members, queues, channels and billing details, and
when. Owners only (marketplace/onboarding/policy.py); read through the onboarding selectors."""

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from frontend.access import brand_permission_required
from marketplace.models import BrandMembership
from marketplace.onboarding import policy
from marketplace.onboarding import selectors as onboarding_selectors
from marketplace.onboarding.models import BrandAuditAction, BrandAuditEvent

AUDIT_PAGE_SIZE = 25


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(_shown(item) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _changes(event: BrandAuditEvent) -> list[Change]:
    changes = event.changes if isinstance(event.changes, dict) else {}
    return [Change(field.replace("_", " "),
                   _shown(value.get("before")) if isinstance(value, dict) else "—",
                   _shown(value.get("after")) if isinstance(value, dict) else _shown(value))
            for field, value in changes.items()]


@require_GET
@brand_permission_required(policy.require_brand_can_read_audit_log)
def audit_log(request: HttpRequest, membership: BrandMembership) -> HttpResponse:
    action = request.GET.get("action", "")
    events = onboarding_selectors.brand_audit_list(brand=membership.brand, action=action)
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "frontend/brand/audit_log.html", {
        "membership": membership, "brand": membership.brand, "page": page,
        "rows": [(event, _changes(event)) for event in page.object_list],
        "actions": BrandAuditAction.choices,
        "action": action if action in BrandAuditAction.values else "",
    })

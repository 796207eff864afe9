"""Queue configuration in the brand console: settings, coverage preview, guidelines, macros.
The same services as the REST API check every field."""

from datetime import date, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from billing.money import minor_to_money
from frontend.access import brand_member_required, brand_permission_required
from frontend.edge import field_errors, form_view
from frontend.responses import navigate
from marketplace.infra.errors import DomainError
from marketplace.models import BrandMembership, OverflowQueue
from marketplace.onboarding import policy
from marketplace.queues import selectors as queues_selectors
from marketplace.queues import services as queues_services
from marketplace.queues.fields import CHANNELS, WEEKDAYS
from routing.engine.coverage import REASON_LABELS, CoverageReason

editor_required = brand_permission_required(policy.require_brand_can_configure,
                                            action="can change queues")
TEXT_FIELDS = (
    "name", "time_zone", "holiday_country", "overflow_backlog_threshold",
    "overflow_wait_threshold_seconds", "chat_first_response_seconds",
    "email_first_response_seconds", "social_first_response_seconds", "resolve_after_hours",
    "chat_offer_timeout_seconds", "email_offer_timeout_seconds", "social_offer_timeout_seconds",
    "chat_reply_timeout_seconds", "languages", "required_skills", "currency",
    "price_per_ticket", "expert_rate", "guidelines", "business_hours", "closures",
)
CHECKBOXES = ("covers_after_hours", "covers_weekends", "covers_holidays", "always_on",
              "covers_overflow", "open_24_7")
REASON_CODES = {
    CoverageReason.ALWAYS_ON: ("AO", "always-on"),
    CoverageReason.CLOSURE: ("CL", "closure"),
    CoverageReason.HOLIDAY: ("HO", "holiday"),
    CoverageReason.OVERFLOW: ("OV", "overflow"),
    CoverageReason.AFTER_HOURS: ("AH", "after-hours"),
    CoverageReason.WEEKEND: ("WE", "weekend"),
    CoverageReason.BUSINESS_HOURS: ("BH", "brand"),
    CoverageReason.WEEKEND_NOT_COVERED: ("—", "uncovered"),
    CoverageReason.AFTER_HOURS_NOT_COVERED: ("—", "uncovered"),
}


def _queue(membership: BrandMembership, queue_id: int) -> OverflowQueue:
    return queues_selectors.queue_get_configured(brand=membership.brand, queue_id=queue_id)


def _form_values(queue: OverflowQueue) -> dict[str, Any]:
    return {
        **{field: getattr(queue, field) for field in TEXT_FIELDS[:13]},
        "languages": ", ".join(queue.languages),
        "required_skills": ", ".join(queue.required_skills),
        "currency": queue.currency,
        "price_per_ticket": minor_to_money(queue.price_per_ticket_minor, queue.currency),
        "expert_rate": minor_to_money(queue.expert_rate_minor, queue.currency),
        "guidelines": queue.guidelines,
        "business_hours": "\n".join(
            f"{WEEKDAYS[span.weekday].title()} {span.opens_at:%H:%M}-{span.closes_at:%H:%M}"
            for span in queue.spans.all()),
        "closures": "\n".join(
            f"{closure.starts_on}..{closure.ends_on} {closure.label}"
            for closure in queues_selectors.queue_closures(queue=queue)),
        "channels": queue.channels,
        **{field: getattr(queue, field, False) for field in CHECKBOXES},
    }


def _changes_from_post(request: HttpRequest) -> dict[str, Any]:
    changes: dict[str, Any] = {field: request.POST.get(field, "") for field in TEXT_FIELDS}
    changes.update({field: field in request.POST for field in CHECKBOXES})
    changes["channels"] = request.POST.getlist("channels")
    return changes


def _week_start(request: HttpRequest, queue: OverflowQueue) -> date:
    try:
        chosen = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        chosen = timezone.now().astimezone(ZoneInfo(queue.time_zone)).date()
    return chosen - timedelta(days=chosen.weekday())


def _preview(queue: OverflowQueue, week_start: date) -> list[dict[str, Any]]:
    rows = []
    for cells in queues_selectors.queue_coverage_preview(queue=queue, week_start=week_start):
        row = []
        for cell in cells:
            if cell.decision is None:
                row.append({"code": "··", "css": "skipped", "label": cell.note,
                            "hour": cell.hour})
                continue
            code, css = REASON_CODES[cell.decision.reason]
            label = cell.decision.label + (f" ({cell.note})" if cell.note else "")
            row.append({"code": code, "css": css, "label": label, "hour": cell.hour})
        rows.append({"day": cells[0].day, "cells": row})
    return rows


def _queue_page(request: HttpRequest, membership: BrandMembership, queue: OverflowQueue, *,
                refused: Literal["settings", "macro"] | None = None,
                errors: dict[str, list[str]] | None = None) -> HttpResponse:
    """The queue page; after a refused post, the `refused` form shows what was typed, with
    `errors` beside its fields."""
    week_start = _week_start(request, queue)
    form = _form_values(queue)
    if refused == "settings":
        form.update(_changes_from_post(request))
    sample = queues_services.MacroContext(customer_name="Sam Rivera", brand_name=queue.brand.name,
                                   expert_name="Alex Expert", queue_name=queue.name)
    macros = [(macro, queues_services.macro_render(body=macro.body, context=sample))
              for macro in queues_selectors.macro_list_for_queue(queue=queue)]
    return render(request, "frontend/brand/queue.html", {
        "membership": membership, "brand": membership.brand, "section": "queues",
        "queue": queue, "form": form, "errors": errors if refused == "settings" else {},
        "macro_errors": errors if refused == "macro" else {},
        "macro_form": request.POST if refused == "macro" else {},
        "can_edit": policy.brand_can_configure(membership, membership.brand),
        "channels": CHANNELS,
        "week_start": week_start, "previous_week": week_start - timedelta(days=7),
        "next_week": week_start + timedelta(days=7), "preview": _preview(queue, week_start),
        "hours": range(24),
        "legend": [(code, css, REASON_LABELS[reason]) for reason, (code, css)
                   in REASON_CODES.items()],
        "guidelines_html": mark_safe(queues_selectors.guidelines_html(text=queue.guidelines)),  # noqa: S308 (sanitised by nh3)
        "macros": macros, "placeholders": queues_services.MACRO_PLACEHOLDERS,
    }, status=400 if refused else 200)


@require_GET
@brand_member_required
def queues(request: HttpRequest, membership: BrandMembership) -> HttpResponse:
    return render(request, "frontend/brand/queues.html", {
        "membership": membership, "brand": membership.brand, "section": "queues",
        "queues": queues_selectors.queue_list_for_brand(brand=membership.brand),
        "can_edit": policy.brand_can_configure(membership, membership.brand),
        "errors": {}, "form": {},
    })


def _queue_create_refused(request: HttpRequest, error: DomainError,
                          membership: BrandMembership) -> HttpResponse:
    return render(request, "frontend/brand/queues.html", {
        "membership": membership, "brand": membership.brand, "section": "queues",
        "queues": queues_selectors.queue_list_for_brand(brand=membership.brand),
        "can_edit": True, "errors": field_errors(error), "form": request.POST,
    }, status=400)


@require_POST
@editor_required
@form_view(render_invalid=_queue_create_refused)
def queue_create(request: HttpRequest, membership: BrandMembership) -> HttpResponse:
    data = {field: request.POST.get(field, "") for field in
            ("name", "time_zone", "currency", "price_per_ticket", "expert_rate")}
    queue = queues_services.queue_create(brand=membership.brand, data=data)
    messages.success(request, f"Queue {queue.name} created. Set its hours and coverage below.")
    return navigate(request, "brand:queue", queue_id=queue.pk)


@require_GET
@brand_member_required
def queue_detail(request: HttpRequest, queue_id: int, membership: BrandMembership
                 ) -> HttpResponse:
    return _queue_page(request, membership, _queue(membership, queue_id))


def _settings_refused(request: HttpRequest, error: DomainError, queue_id: int,
                      membership: BrandMembership) -> HttpResponse:
    """Read afresh: the refused change may have touched the queue object in memory."""
    return _queue_page(request, membership, _queue(membership, queue_id), refused="settings",
                       errors=field_errors(error))


@require_POST
@editor_required
@form_view(render_invalid=_settings_refused)
def queue_update(request: HttpRequest, queue_id: int, membership: BrandMembership
                 ) -> HttpResponse:
    queue = _queue(membership, queue_id)
    queues_services.queue_configure(queue=queue, changes=_changes_from_post(request))
    messages.success(request, "Queue settings saved.")
    return navigate(request, "brand:queue", queue_id=queue.pk)


def _macro_refused(request: HttpRequest, error: DomainError, queue_id: int,
                   membership: BrandMembership) -> HttpResponse:
    return _queue_page(request, membership, _queue(membership, queue_id), refused="macro",
                       errors=field_errors(error))


@require_POST
@editor_required
@form_view(render_invalid=_macro_refused)
def macro_save(request: HttpRequest, queue_id: int, membership: BrandMembership
               ) -> HttpResponse:
    queue = _queue(membership, queue_id)
    macro_id = request.POST.get("macro_id", "")
    queues_services.macro_save(queue=queue, name=request.POST.get("name", ""),
                        body=request.POST.get("body", ""), now=timezone.now(),
                        macro_id=int(macro_id) if macro_id.isdigit() else None)
    messages.success(request, "Macro saved.")
    return navigate(request, "brand:queue", queue_id=queue.pk)


@require_POST
@editor_required
def macro_delete(request: HttpRequest, queue_id: int, macro_id: int,
                 membership: BrandMembership) -> HttpResponse:
    queue = _queue(membership, queue_id)
    queues_services.macro_delete(queue=queue, macro_id=macro_id)
    messages.success(request, "Macro deleted.")
    return navigate(request, "brand:queue", queue_id=queue.pk)

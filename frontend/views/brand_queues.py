"""Queue configuration in the brand console: settings, coverage preview, guidelines, macros.
The same services as the REST API check every field; the settings form is built from the
settings' declaration (marketplace/queues/fields.py)."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from frontend.access import brand_member_required, brand_permission_required
from frontend.edge import field_errors, form_view
from frontend.responses import navigate
from marketplace.infra.errors import DomainError
from marketplace.models import BrandMembership, OverflowQueue
from marketplace.onboarding import policy
from marketplace.queues import selectors as queues_selectors
from marketplace.queues import services as queues_services
from marketplace.queues.fields import (
    CHANNELS,
    QUEUE_SETTINGS,
    QueueSetting,
    SettingKind,
    as_form_value,
    queue_setting_values,
)
from routing.engine.coverage import REASON_LABELS, CoverageReason

editor_required = brand_permission_required(policy.require_brand_can_configure,
                                            action="can change queues")
# The kinds the form draws with one input each, group by group; the others (channels,
# business hours, closures, guidelines) have their own markup in the template.
INPUT_KINDS = frozenset({SettingKind.TEXT, SettingKind.INTEGER, SettingKind.BOOLEAN,
                         SettingKind.TEXT_LIST})
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


@dataclass(frozen=True)
class SettingInput:
    """One input of the settings form: the declared setting, what the field shows (the stored
    value, or what was typed into a refused form) and the messages beside it."""

    setting: QueueSetting
    value: Any
    errors: list[str]


def _form_values(queue: OverflowQueue) -> dict[str, Any]:
    stored = queue_setting_values(queue=queue)
    return {setting.name: as_form_value(setting, stored.get(setting.name))
            for setting in QUEUE_SETTINGS}


def _changes_from_post(request: HttpRequest) -> dict[str, Any]:
    """Every declared setting as posted: an unticked checkbox is not sent, so it is false."""
    changes: dict[str, Any] = {}
    for setting in QUEUE_SETTINGS:
        if setting.read_only:
            continue
        if setting.kind is SettingKind.BOOLEAN:
            changes[setting.name] = setting.name in request.POST
        elif setting.kind is SettingKind.CHANNELS:
            changes[setting.name] = request.POST.getlist(setting.name)
        else:
            changes[setting.name] = request.POST.get(setting.name, "")
    return changes


def _setting_groups(form: dict[str, Any], errors: dict[str, list[str]]
                    ) -> dict[str, list[SettingInput]]:
    groups: dict[str, list[SettingInput]] = {}
    for setting in QUEUE_SETTINGS:
        if setting.kind in INPUT_KINDS:
            groups.setdefault(setting.group, []).append(
                SettingInput(setting, form[setting.name], errors.get(setting.name, [])))
    return groups


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
    setting_errors = errors if refused == "settings" and errors else {}
    sample = queues_services.MacroContext(customer_name="Sam Rivera", brand_name=queue.brand.name,
                                   expert_name="Alex Expert", queue_name=queue.name)
    macros = [(macro, queues_services.macro_render(body=macro.body, context=sample))
              for macro in queues_selectors.macro_list_for_queue(queue=queue)]
    return render(request, "frontend/brand/queue.html", {
        "membership": membership, "brand": membership.brand,
        "queue": queue, "form": form, "errors": setting_errors,
        "setting_groups": _setting_groups(form, setting_errors),
        "labels": {setting.name: setting.label for setting in QUEUE_SETTINGS},
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
        "membership": membership, "brand": membership.brand,
        "queues": queues_selectors.queue_list_for_brand(brand=membership.brand),
        "can_edit": policy.brand_can_configure(membership, membership.brand),
        "errors": {}, "form": {},
    })


def _queue_create_refused(request: HttpRequest, error: DomainError,
                          membership: BrandMembership) -> HttpResponse:
    return render(request, "frontend/brand/queues.html", {
        "membership": membership, "brand": membership.brand,
        "queues": queues_selectors.queue_list_for_brand(brand=membership.brand),
        "can_edit": True, "errors": field_errors(error), "form": request.POST,
    }, status=400)


@require_POST
@editor_required
@form_view(render_invalid=_queue_create_refused)
def queue_create(request: HttpRequest, membership: BrandMembership) -> HttpResponse:
    data = {field: request.POST.get(field, "") for field in
            ("name", "time_zone", "currency")}
    queue = queues_services.queue_create(brand=membership.brand, data=data, actor=membership)
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
    queues_services.queue_configure(queue=queue, changes=_changes_from_post(request),
                                    actor=membership)
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
                        macro_id=int(macro_id) if macro_id.isdigit() else None,
                        actor=membership)
    messages.success(request, "Macro saved.")
    return navigate(request, "brand:queue", queue_id=queue.pk)


@require_POST
@editor_required
def macro_delete(request: HttpRequest, queue_id: int, macro_id: int,
                 membership: BrandMembership) -> HttpResponse:
    queue = _queue(membership, queue_id)
    queues_services.macro_delete(queue=queue, macro_id=macro_id, actor=membership)
    messages.success(request, "Macro deleted.")
    return navigate(request, "brand:queue", queue_id=queue.pk)

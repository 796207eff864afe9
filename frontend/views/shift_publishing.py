"""Publishing shift slots and setting queue shift policies: brand owners and admins for their
own queues in the brand console, ops staff for every queue in the ops console. Brand viewers
see the slots but cannot publish."""

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from billing.terms.models import PremiumTier
from experts.quality import selectors as quality_selectors
from experts.quality import services as quality
from experts.shifts import selectors as shifts_selectors
from experts.shifts.services import publishing as shifts_services
from frontend.access import (
    brand_member_required,
    brand_permission_required,
    ops_required,
    signed_in_user,
)
from frontend.edge import form_view
from frontend.shift_forms import PatternForm, PolicyForm, SlotForm
from marketplace.infra.errors import DomainError
from marketplace.models import Brand, BrandMembership
from marketplace.onboarding import policy

SLOTS_PER_PAGE = 50


def _page(request: HttpRequest, brand: Brand | None, *, console: str,
          forms: dict[str, object] | None = None, can_publish: bool) -> HttpResponse:
    queues = shifts_selectors.queue_list_for_publishing(brand=brand)
    slots = shifts_selectors.slot_list_for_brand(brand=brand, now=timezone.now())
    context: dict[str, object] = {
        "brand": brand, "console": console, "can_publish": can_publish,
        "page": Paginator(slots, SLOTS_PER_PAGE).get_page(request.GET.get("page")),
        "slot_form": SlotForm(queues=queues, prefix="slot"),
        "pattern_form": PatternForm(queues=queues, prefix="pattern"),
        "policy_form": PolicyForm(queues=queues, prefix="policy"),
        "policies": [shifts_selectors.policy_for_queue(queue=queue) for queue in queues],
        "premium_tiers": PremiumTier.choices,
        **(forms or {}),
    }
    status = 400 if forms else 200
    return render(request, "frontend/shifts/publish.html", context, status=status)


PostedForm = SlotForm | PatternForm | PolicyForm
FORMS: dict[str, type[PostedForm]] = {"slot": SlotForm, "pattern": PatternForm,
                                      "policy": PolicyForm}


def _posted_form(request: HttpRequest, brand: Brand | None) -> PostedForm | None:
    """The form the post names in `kind`, bound to what was typed; None for no known form."""
    kind = request.POST.get("kind", "")
    if kind not in FORMS:
        return None
    queues = shifts_selectors.queue_list_for_publishing(brand=brand)
    return FORMS[kind](request.POST, queues=queues, prefix=kind)


def _form_page(request: HttpRequest, brand: Brand | None, console: str, form: PostedForm
               ) -> HttpResponse:
    """The page again with `form` as typed (a 400): nothing the publisher wrote is lost."""
    return _page(request, brand, console=console, can_publish=True,
                 forms={f"{form.prefix}_form": form})


def _publish(request: HttpRequest, brand: Brand | None, console: str) -> HttpResponse:
    form = _posted_form(request, brand)
    if form is None:
        messages.error(request, "Choose what to publish.")
        return redirect(f"{console}:shifts")
    if not form.is_valid():
        return _form_page(request, brand, console, form)
    user, now, data = signed_in_user(request), timezone.now(), form.cleaned_data
    if isinstance(form, SlotForm):
        slot = shifts_services.shift_slot_publish_local(
            queue=data["queue"], day=data["day"], starts=data["starts"], ends=data["ends"],
            headcount=data["headcount"], premium_tier=data["premium_tier"],
            is_hot=data["is_hot"], published_by=user, now=now)
        zone = ZoneInfo(slot.queue.time_zone)
        starts, ends = slot.starts_at.astimezone(zone), slot.ends_at.astimezone(zone)
        messages.success(request, f"Published a slot on {slot.queue}: "
                         f"{starts:%a %d %b %H:%M}–{ends:%H:%M} ({slot.queue.time_zone}).")
    elif isinstance(form, PatternForm):
        result = shifts_services.shift_pattern_publish(
            queue=data["queue"], date_from=data["date_from"], date_to=data["date_to"],
            weekdays=frozenset(data["weekdays"]), starts=data["starts"], ends=data["ends"],
            headcount=data["headcount"], premium_tier=data["premium_tier"],
            is_hot=data["is_hot"], published_by=user, now=now)
        messages.success(request, f"Published {len(result.created)} slots "
                         f"({result.already_published} already published, "
                         f"{result.in_the_past} in the past skipped).")
    else:
        policy = quality.queue_policy_set(**data)
        messages.success(request, f"Saved the shift policy of {policy.queue}.")
    return redirect(f"{console}:shifts")


def _publish_refused(request: HttpRequest, brand: Brand | None, console: str) -> HttpResponse:
    """A publication the service refused (a slot in the past, too long, too many seats): the
    form as it was typed; the edge has flashed why."""
    form = _posted_form(request, brand)
    assert form is not None  # the service ran, so `kind` named a form
    return _form_page(request, brand, console, form)


def _brand_publish_refused(request: HttpRequest, error: DomainError,
                           membership: BrandMembership) -> HttpResponse:
    return _publish_refused(request, membership.brand, "brand")


def _ops_publish_refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    return _publish_refused(request, None, "ops")


@require_GET
@brand_member_required
def brand_shifts(request: HttpRequest, membership: BrandMembership) -> HttpResponse:
    return _page(request, membership.brand, console="brand",
                 can_publish=policy.brand_can_configure(membership, membership.brand))


@require_POST
@brand_permission_required(policy.require_brand_can_configure, action="publish shifts")
@form_view(render_invalid=_brand_publish_refused)
def brand_publish(request: HttpRequest, membership: BrandMembership) -> HttpResponse:
    return _publish(request, membership.brand, "brand")


@require_GET
@ops_required
def ops_shifts(request: HttpRequest) -> HttpResponse:
    return _page(request, None, console="ops", can_publish=True)


@require_POST
@ops_required
@form_view(render_invalid=_ops_publish_refused)
def ops_publish(request: HttpRequest) -> HttpResponse:
    return _publish(request, None, "ops")


@require_GET
@ops_required
def ops_quality(request: HttpRequest) -> HttpResponse:
    figures = quality_selectors.quality_list_for_ops()
    return render(request, "frontend/ops/quality.html", {
        "alerts": quality_selectors.alert_list_open(),
        "figures": Paginator(figures, 50).get_page(request.GET.get("page")),
    })


@require_POST
@ops_required
def ops_alert_acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    quality.quality_alert_acknowledge(alert_id=alert_id, user=signed_in_user(request),
                                      now=timezone.now())
    messages.success(request, "Alert acknowledged.")
    return redirect("ops:quality")


def _queue_ids(brand: Brand | None) -> list[int] | None:
    if brand is None:
        return None
    return list(shifts_selectors.queue_list_for_publishing(brand=brand).values_list("pk",
                                                                                  flat=True))


def _slot_update(request: HttpRequest, brand: Brand | None, console: str,
                 slot_id: int) -> HttpResponse:
    try:
        headcount = int(request.POST.get("headcount", ""))
    except ValueError:
        messages.error(request, "Enter the number of seats as a whole number.")
        return redirect(f"{console}:shifts")
    slot = shifts_services.shift_slot_update(
        slot_id=slot_id, queue_ids=_queue_ids(brand), headcount=headcount,
        is_hot=request.POST.get("is_hot") == "on",
        premium_tier=request.POST.get("premium_tier", ""))
    messages.success(request, f"Saved the shift: {slot.headcount} seats, "
                     f"{slot.get_premium_tier_display().lower()}"
                     f"{', hot' if slot.is_hot else ''}.")
    return redirect(f"{console}:shifts")


def _slot_cancel(request: HttpRequest, brand: Brand | None, console: str,
                 slot_id: int) -> HttpResponse:
    told = shifts_services.shift_slot_cancel(slot_id=slot_id, queue_ids=_queue_ids(brand),
                                             now=timezone.now())
    messages.success(request, "Cancelled the shift. " + (
        f"The {told} booked expert{'s' if told != 1 else ''} {'are' if told != 1 else 'is'} "
        "told by email; it does not count against them." if told else "Nobody had booked it."))
    return redirect(f"{console}:shifts")


@require_POST
@brand_permission_required(policy.require_brand_can_configure, action="change shifts")
def brand_slot_update(request: HttpRequest, slot_id: int,
                      membership: BrandMembership) -> HttpResponse:
    return _slot_update(request, membership.brand, "brand", slot_id)


@require_POST
@brand_permission_required(policy.require_brand_can_configure, action="cancel shifts")
def brand_slot_cancel(request: HttpRequest, slot_id: int,
                      membership: BrandMembership) -> HttpResponse:
    return _slot_cancel(request, membership.brand, "brand", slot_id)


@require_POST
@ops_required
def ops_slot_update(request: HttpRequest, slot_id: int) -> HttpResponse:
    return _slot_update(request, None, "ops", slot_id)


@require_POST
@ops_required
def ops_slot_cancel(request: HttpRequest, slot_id: int) -> HttpResponse:
    return _slot_cancel(request, None, "ops", slot_id)

"""The expert's shift marketplace, their calendar and the actions on bookings and presence.
Views are thin: reads through selectors, writes through services; a refused action comes back
as a flash through the edge (frontend/edge.py)."""

from collections.abc import Callable
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from experts.attendance import services as attendance
from experts.models import ExpertProfile
from experts.presence import services as presence
from experts.shifts import schedule as shifts_schedule
from experts.shifts import selectors as shifts_selectors
from experts.shifts.services import booking as shifts_services
from frontend.access import expert_required
from frontend.responses import navigate

SLOTS_PER_PAGE = 25


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@require_GET
@expert_required
def marketplace(request: HttpRequest, expert: ExpertProfile) -> HttpResponse:
    now = timezone.now()
    raw_day = request.GET.get("day")
    day = _day(raw_day)
    if raw_day and day is None:
        messages.error(request, "Pick a date such as 2026-12-01.")
    slots = shifts_selectors.slot_list_open_for_expert(expert=expert, now=now, day=day)
    page = Paginator(slots, SLOTS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = shifts_selectors.shift_pay_attach(slots=page.object_list, now=now)
    return render(request, "frontend/expert/shifts.html", {
        "expert": expert, "page": page, "day": day, "now": now,
        "certified": shifts_selectors.slot_filter_has_certification(expert=expert),
    })


@require_GET
@expert_required
def my_shifts(request: HttpRequest, expert: ExpertProfile) -> HttpResponse:
    now = timezone.now()
    zone = ZoneInfo(expert.time_zone)
    shown_day = _day(request.GET.get("week")) or now.astimezone(zone).date()
    week_start = shifts_schedule.monday_of(shown_day)
    bookings = shifts_selectors.booking_list_upcoming_for_expert(expert=expert, now=now)
    return render(request, "frontend/expert/my_shifts.html", {
        "expert": expert, "now": now, "week_start": week_start,
        "previous_week": week_start - timedelta(days=7),
        "next_week": week_start + timedelta(days=7),
        "calendar": shifts_selectors.week_calendar_for_expert(expert=expert,
                                                             week_start=week_start),
        "hours": range(0, 24, 3),
        "bookings": bookings,
        "waitlist": shifts_selectors.waitlist_list_for_expert(expert=expert, now=now),
        "check_in_opens": attendance.CHECK_IN_OPENS_BEFORE_START,
    })


BACK_TO = {"marketplace": "expert:marketplace", "my_shifts": "expert:my_shifts",
           "workspace": "expert:workspace"}


def _act(request: HttpRequest, action: Callable[[], object], success: str,
         back: str = "my_shifts") -> HttpResponse:
    """Runs one service call; the page the form names in `back` shows the outcome."""
    action()
    messages.success(request, success)
    return navigate(request, BACK_TO.get(request.POST.get("back", ""), BACK_TO[back]))


@require_POST
@expert_required
def book(request: HttpRequest, slot_id: int, expert: ExpertProfile) -> HttpResponse:
    slot = shifts_selectors.slot_get(slot_id=slot_id)
    return _act(request, lambda: shifts_services.shift_booking_create(
        slot=slot, expert=expert, now=timezone.now()), "Booked. It is in your shifts.")


@require_POST
@expert_required
def waitlist_join(request: HttpRequest, slot_id: int, expert: ExpertProfile) -> HttpResponse:
    slot = shifts_selectors.slot_get(slot_id=slot_id)
    return _act(request, lambda: shifts_services.shift_waitlist_join(
        slot=slot, expert=expert, now=timezone.now()),
        "You are on the waitlist: the next free seat is yours, and we will email you.")


@require_POST
@expert_required
def waitlist_leave(request: HttpRequest, slot_id: int, expert: ExpertProfile) -> HttpResponse:
    return _act(request, lambda: shifts_services.shift_waitlist_leave(
        slot_id=slot_id, expert=expert, now=timezone.now()), "You left the waitlist.")


@require_POST
@expert_required
def cancel(request: HttpRequest, booking_id: int, expert: ExpertProfile) -> HttpResponse:
    return _act(request, lambda: shifts_services.shift_booking_cancel(
        booking_id=booking_id, expert=expert, now=timezone.now()), "Shift cancelled.")


@require_POST
@expert_required
def release(request: HttpRequest, booking_id: int, expert: ExpertProfile) -> HttpResponse:
    return _act(request, lambda: shifts_services.shift_booking_release(
        booking_id=booking_id, expert=expert, now=timezone.now()),
        "Seat offered to the waitlist. It stays yours until someone takes it.")


@require_POST
@expert_required
def check_in(request: HttpRequest, booking_id: int, expert: ExpertProfile) -> HttpResponse:
    return _act(request, lambda: attendance.shift_booking_check_in(
        booking_id=booking_id, expert=expert, now=timezone.now()),
        "You are checked in. Offers will appear here as they come.", back="workspace")


@require_POST
@expert_required
def check_out(request: HttpRequest, booking_id: int, expert: ExpertProfile) -> HttpResponse:
    return _act(request, lambda: attendance.shift_booking_check_out(
        booking_id=booking_id, expert=expert, now=timezone.now()),
        "Checked out. No new offers until your next shift.", back="workspace")


@require_POST
@expert_required
def set_presence(request: HttpRequest, expert: ExpertProfile) -> HttpResponse:
    chosen = request.POST.get("status", "")
    presence.presence_choose(expert_id=expert.pk, chosen=chosen, now=timezone.now())
    messages.success(request, "You are away: no new offers." if chosen == "away"
                     else "You are available for offers.")
    return redirect("expert:workspace")

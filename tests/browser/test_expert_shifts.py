"""A certified expert, in the browser, finds a shift in the marketplace (in their own time zone),
books it, sees it in the calendar, checks in, and is live and available for offers; the page's
presence heartbeat reaches the server over the websocket (the page clock is moved 21 s on)."""

import os
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from experts.presence.models import ExpertPresence
from experts.profiles.models import ExpertProfile
from experts.shifts.models import BookingStatus, ShiftBooking
from routing.models import ExpertSeat
from tests import factories
from tests.browser.chromium import BROWSER_TEST, CHROMIUM, CHROMIUM_FLAGS
from tests.experts.shifting import certified_expert, slot
from tests.live import LivePlatform

pytestmark = BROWSER_TEST



def wait_for(condition: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def heartbeat_of(expert: ExpertProfile) -> datetime:
    beat = ExpertPresence.objects.get(expert=expert).last_heartbeat_at
    assert beat is not None
    return beat


def screenshot(page: object, name: str) -> None:
    if os.environ.get("SHIFTLINE_SCREENSHOTS"):
        page.screenshot(path=os.environ["SHIFTLINE_SCREENSHOTS"] + "/" + name,  # type: ignore[attr-defined]
                        full_page=True)


def test_a_certified_expert_books_a_shift_and_checks_in(live: LivePlatform) -> None:
    from playwright.sync_api import expect, sync_playwright

    now = timezone.now()
    queue = factories.queue()
    expert = certified_expert(on=queue, now=now, time_zone="America/New_York", name="Bo Booker")
    shift = slot(on=queue, starts_at=now + timedelta(minutes=5), hours=2, headcount=2,
                 tier="after_hours", is_hot=True)
    local_start = shift.starts_at.astimezone(ZoneInfo("America/New_York"))

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page()
        page.clock.install()
        page.goto(f"{live.base_url}/accounts/login/")
        page.fill("input[name=username]", expert.user.username)
        page.fill("input[name=password]", factories.PASSWORD)
        page.click("button[type=submit]")
        expect(page).to_have_url(f"{live.base_url}/expert/")

        page.get_by_role("link", name="Book shifts").click()
        row = page.locator(f"#slot-{shift.pk}")
        expect(row).to_contain_text(f"{local_start:%H:%M}")
        expect(row).to_contain_text("After hours")
        expect(row).to_contain_text("2 of 2")
        screenshot(page, "expert-marketplace.png")
        row.get_by_role("button", name="Book").click()
        expect(page.locator(".flash-success")).to_contain_text("Booked")
        expect(page.locator(f"#slot-{shift.pk}")).to_contain_text("Booked")

        page.get_by_role("link", name="My shifts").click()
        booking = ShiftBooking.objects.get(expert=expert)
        expect(page.locator(f'[data-booking="{booking.pk}"]').first).to_be_visible()
        screenshot(page, "expert-calendar.png")
        page.locator(f"#booking-{booking.pk}").get_by_role("button", name="Check in").click()
        expect(page).to_have_url(f"{live.base_url}/expert/")
        expect(page.locator(".flash-success")).to_contain_text("checked in")
        expect(page.locator("#connection")).to_have_attribute("data-state", "open",
                                                              timeout=10_000)
        expect(page.locator("#presence")).to_have_attribute("data-presence", "available")
        expect(page.locator(f"#booking-{booking.pk}")).to_contain_text("Checked in")
        checked_in_at = ShiftBooking.objects.get(pk=booking.pk).checked_in_at
        assert checked_in_at is not None
        wait_for(lambda: heartbeat_of(expert) > checked_in_at)
        connected = heartbeat_of(expert)
        page.mouse.move(10, 10)
        page.clock.fast_forward("00:21")
        wait_for(lambda: heartbeat_of(expert) > connected)
        screenshot(page, "expert-checked-in.png")
        browser.close()

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_IN
    assert ExpertSeat.objects.get(expert=expert).available is True
    assert ExpertPresence.objects.get(expert=expert).status == "available"

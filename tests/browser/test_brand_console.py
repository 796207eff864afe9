"""A brand viewer's console, live: a new inquiry appears on top of the queue and its row
follows the routing (received, then offered) without a reload, with a ticking countdown."""

import os
import re

from django.utils import timezone

from marketplace.onboarding.models import BrandRole
from tests import factories
from tests.browser.chromium import BROWSER_TEST, CHROMIUM, CHROMIUM_FLAGS
from tests.live import LivePlatform

pytestmark = BROWSER_TEST



def test_new_inquiry_and_its_status_change_reach_the_console_without_reload(
    live: LivePlatform,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    now = timezone.now()
    queue = factories.queue()
    factories.on_shift_expert(on=queue, now=now, name="Grace Console")
    viewer = factories.brand_member(of=queue.brand, role=BrandRole.VIEWER)
    api_key = factories.api_key(of=queue.brand)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page()
        page.goto(f"{live.base_url}/accounts/login/")
        page.fill("input[name=username]", viewer.username)
        page.fill("input[name=password]", factories.PASSWORD)
        page.click("button[type=submit]")
        expect(page).to_have_url(f"{live.base_url}/brand/")
        expect(page.locator(".empty-queue")).to_contain_text("Nothing open right now")
        expect(page.locator("#connection")).to_have_attribute("data-state", "open",
                                                              timeout=10_000)
        page.evaluate("window.__loadedOnce = true")

        created = live.post_json("/api/v1/inquiries", {
            "external_id": "console-1", "channel": "email", "subject": "Wrong colour",
            "body": "I ordered blue and got green.", "language": "en",
            "customer": {"email": "kim@example.com", "name": "Kim"}}, api_key=api_key)
        row = page.locator(f"#inquiry-row-{created['id']}")
        expect(row).to_contain_text("Wrong colour", timeout=10_000)
        expect(row.locator(".status")).to_have_text("Offered", timeout=10_000)
        expect(page.locator(".empty-queue")).to_be_hidden()
        countdown = row.locator("time.countdown")
        # Counts down to the promise: 11 minutes for an email with a free expert and no
        # handling history yet (routing/engine/promise.py).
        assert created["promise"]["basis"]["estimate"] == "network"
        expect(countdown).to_have_text(re.compile(r"^10 min \d\d s left$"))
        first = countdown.inner_text()
        expect(countdown).not_to_have_text(first, timeout=3_000)
        assert page.evaluate("window.__loadedOnce") is True
        if os.environ.get("SHIFTLINE_SCREENSHOTS"):
            page.screenshot(path=os.environ["SHIFTLINE_SCREENSHOTS"] + "/brand-console.png",
                            full_page=True)
        browser.close()

"""A brand admin's browser: configure a queue's hours and holidays, read the coverage preview,
create an API key shown once and use it at once. Playwright drives Debian's Chromium."""

import re
import time

from marketplace.inquiries.models import Inquiry
from marketplace.onboarding.models import BrandRole
from tests import factories
from tests.browser.chromium import BROWSER_TEST, CHROMIUM, CHROMIUM_FLAGS
from tests.live import LivePlatform

pytestmark = BROWSER_TEST



def test_admin_configures_a_queue_and_creates_a_key_it_uses_at_once(live: LivePlatform) -> None:
    from playwright.sync_api import expect, sync_playwright

    queue = factories.queue(time_zone="Europe/Dublin")
    admin = factories.brand_member(of=queue.brand, role=BrandRole.ADMIN)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page()
        page.goto(f"{live.base_url}/accounts/login/")
        page.fill("input[name=username]", admin.username)
        page.fill("input[name=password]", factories.PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{live.base_url}/brand/queues/{queue.pk}/?week=2026-03-16")
        page.fill("textarea[name=business_hours]", "Mon 09:00-17:00\nTue 09:00-17:00")
        page.fill("input[name=holiday_country]", "IE")
        page.check("input[name=covers_holidays]")
        page.click("text=Save settings")
        expect(page.locator(".flash-success")).to_have_text("Queue settings saved.")
        page.goto(f"{live.base_url}/brand/queues/{queue.pk}/?week=2026-03-16")
        monday_ten = page.locator("tbody tr").nth(0).locator("td").nth(10)
        tuesday_ten = page.locator("tbody tr").nth(1).locator("td").nth(10)
        expect(monday_ten).to_contain_text("With the brand: business hours")
        expect(tuesday_ten).to_contain_text("Covered: public holiday")  # St Patrick's Day

        page.goto(f"{live.base_url}/brand/keys/")
        page.fill("input[name=name]", "Helpdesk bridge")
        page.click("text=Create key")
        raw_key = page.locator("#raw-key").inner_text()
        page.goto(f"{live.base_url}/brand/keys/")
        expect(page.locator("#raw-key")).to_have_count(0)
        browser.close()

    assert re.fullmatch(r"sl_[0-9a-f]{8}_[\w-]+", raw_key)
    created = live.post_json("/api/v1/inquiries", {
        "external_id": "browser-key-1", "channel": "email", "subject": "Hello",
        "body": "Testing the new key.", "language": "en",
        "customer": {"email": "sam@example.com", "name": "Sam"}}, api_key=raw_key)
    assert created["external_id"] == "browser-key-1"
    routed = Inquiry.objects.filter(pk=created["id"]).exclude(status="received")
    deadline = time.monotonic() + 15
    while not routed.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert routed.exists(), "the live worker never routed the inquiry"

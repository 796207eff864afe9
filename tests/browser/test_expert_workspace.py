"""An expert's day in the workspace, at 1280 and 390 px: an offer arrives live with a ticking
countdown and the count in the tab's title, the expert accepts with the keyboard, the address
becomes the inquiry's, the reply shows its delivery state until Sent, and a reload stays."""

import os
import re
from pathlib import Path

from django.utils import timezone

from tests import factories
from tests.browser.chromium import BROWSER_TEST, CHROMIUM, CHROMIUM_FLAGS
from tests.live import LivePlatform

pytestmark = BROWSER_TEST


def test_an_experts_day_in_the_workspace(live: LivePlatform) -> None:
    from playwright.sync_api import expect, sync_playwright

    now = timezone.now()
    queue = factories.queue(price_minor=450, rate_minor=300)
    expert = factories.on_shift_expert(on=queue, now=now, name="Ada Workspace")
    api_key = factories.api_key(of=queue.brand)
    shots = Path(os.environ.get("SHIFTLINE_SCREENSHOTS", "/tmp/shots-expert"))  # noqa: S108 (a developer looks at them)
    shots.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{live.base_url}/accounts/login/")
        page.fill("input[name=username]", expert.user.username)
        page.fill("input[name=password]", factories.PASSWORD)
        page.click("button[type=submit]")
        expect(page).to_have_url(f"{live.base_url}/expert/")
        expect(page.locator("#connection")).to_have_attribute("data-state", "open",
                                                              timeout=10_000)

        created = live.post_json("/api/v1/inquiries", {
            "external_id": "workspace-1", "channel": "email", "subject": "Zip is stuck",
            "body": "The zip on my jacket is stuck.", "language": "en",
            "customer": {"email": "sam@example.com", "name": "Sam"}}, api_key=api_key)
        card = page.locator("#offers article.offer", has_text="Zip is stuck")
        expect(card).to_be_visible(timeout=10_000)
        countdown = card.locator("[data-countdown]")
        expect(countdown).to_have_text(re.compile(r"^\d+:\d\d left to accept$"))
        first = countdown.text_content()
        expect(countdown).not_to_have_text(first or "", timeout=3_000)
        expect(page).to_have_title(re.compile(r"^\(1\) Workspace"))
        page.screenshot(path=str(shots / "offer-1280.png"), full_page=True)

        page.keyboard.press("?")
        expect(page.locator("#shortcuts")).to_be_visible()
        page.screenshot(path=str(shots / "shortcuts-1280.png"))
        page.keyboard.press("Escape")

        page.keyboard.press("a")
        inquiry_url = f"{live.base_url}/expert/inquiries/{created['id']}/"
        expect(page).to_have_url(inquiry_url)
        pane = page.locator("#pane")
        expect(pane).to_contain_text("The zip on my jacket is stuck.")
        expect(pane.locator(".timer-first-response [data-countdown]")).to_have_text(
            re.compile(r"^in \d+:\d\d"))
        expect(page.locator(f"#open-inquiry-{created['id']}")).to_be_visible()
        expect(page).not_to_have_title(re.compile(r"^\(\d+\)"))

        page.keyboard.press("r")
        page.keyboard.type("Rub a pencil along the teeth, then pull gently.")
        page.keyboard.press("Control+Enter")
        state = pane.locator(".message-outbound [data-delivery]")
        expect(state).to_have_text(re.compile(r"^(Pending|Sent)$"))
        expect(state).to_have_text("Sent", timeout=15_000)
        expect(page).to_have_url(inquiry_url)
        page.screenshot(path=str(shots / "inquiry-1280.png"), full_page=True)

        page.reload()
        expect(page.locator("#pane h1")).to_have_text("Zip is stuck")

        page.set_viewport_size({"width": 390, "height": 844})
        page.reload()
        expect(page.locator("#pane h1")).to_have_text("Zip is stuck")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        list_box = page.locator(".workspace-list").bounding_box()
        pane_box = page.locator("#pane").bounding_box()
        assert list_box is not None and pane_box is not None
        assert pane_box["y"] >= list_box["y"] + list_box["height"]
        page.screenshot(path=str(shots / "inquiry-390.png"), full_page=True)
        browser.close()

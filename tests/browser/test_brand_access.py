"""A brand owner's browser at phone width (390 px): create an API key with chosen scopes, and
copy the queue's inbound email URL with its Copy button. Playwright drives Debian's Chromium."""

from marketplace.access.models import ApiKey
from marketplace.onboarding.models import BrandRole
from tests import factories
from tests.browser.chromium import BROWSER_TEST, CHROMIUM, CHROMIUM_FLAGS
from tests.live import LivePlatform

pytestmark = BROWSER_TEST

PHONE_WIDTH = 390


def test_owner_picks_scopes_and_copies_the_inbound_url_at_phone_width(
    live: LivePlatform
) -> None:
    from playwright.sync_api import expect, sync_playwright

    queue = factories.queue()
    owner = factories.brand_member(of=queue.brand, role=BrandRole.OWNER)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        context = browser.new_context(viewport={"width": PHONE_WIDTH, "height": 844})
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live.base_url)
        page = context.new_page()
        page.goto(f"{live.base_url}/accounts/login/")
        page.fill("input[name=username]", owner.username)
        page.fill("input[name=password]", factories.PASSWORD)
        page.click("button[type=submit]")

        page.goto(f"{live.base_url}/brand/keys/")
        keys_overflow = page.evaluate("document.documentElement.scrollWidth")
        page.fill("input[name=name]", "Shift planner")
        page.uncheck("input[value='inquiries:write']")
        page.check("input[value='shifts:manage']")
        page.click("text=Create key")
        expect(page.locator("#raw-key")).to_be_visible()
        listed = page.locator(".key-scopes").first.inner_text()

        page.goto(f"{live.base_url}/brand/queues/{queue.pk}/channels/")
        channels_overflow = page.evaluate("document.documentElement.scrollWidth")
        page.click("[data-copy=inbound-email-url]")
        expect(page.locator("[data-copy=inbound-email-url]")).to_have_text("Copied")
        copied = page.evaluate("navigator.clipboard.readText()")
        browser.close()

    assert (keys_overflow, channels_overflow) == (PHONE_WIDTH, PHONE_WIDTH)
    assert ApiKey.objects.get(name="Shift planner").scopes == ["inquiries:read", "shifts:manage"]
    assert listed.split() == ["inquiries:read", "shifts:manage"]
    host = live.base_url.removeprefix("http://")
    assert copied == (f"http://shiftline:{queue.inbound_email_token}@{host}"
                      f"/api/v1/inbound/email/{queue.pk}")

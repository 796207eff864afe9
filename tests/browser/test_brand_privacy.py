"""An owner on a 390 px phone: the audit log and the customer data page fit the screen, and
erasing a customer asks first, then anonymizes. Playwright drives Debian's Chromium."""

from marketplace.inquiries.models import Customer
from marketplace.onboarding.models import BrandRole
from tests import factories
from tests.browser.chromium import BROWSER_TEST, CHROMIUM, CHROMIUM_FLAGS
from tests.conftest import SUNDAY_AFTERNOON
from tests.live import LivePlatform

pytestmark = BROWSER_TEST

PHONE_WIDTH = 390


def test_an_owner_on_a_phone_reads_the_log_and_erases_a_customer(live: LivePlatform) -> None:
    from playwright.sync_api import expect, sync_playwright

    queue = factories.queue()
    owner = factories.brand_member(of=queue.brand, role=BrandRole.OWNER)
    factories.inquiry(on=queue, now=SUNDAY_AFTERNOON, customer_email="sam@example.com",
                      customer_name="Sam Rivera")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": PHONE_WIDTH, "height": 844})
        page.goto(f"{live.base_url}/accounts/login/")
        page.fill("input[name=username]", owner.username)
        page.fill("input[name=password]", factories.PASSWORD)
        page.click("button[type=submit]")

        page.goto(f"{live.base_url}/brand/customer-data/")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
        page.fill("input[name=email]", "sam@example.com")
        page.click("text=Erase…")
        expect(page.locator("h1")).to_have_text("Erase this customer's data?")
        expect(page.locator("main")).to_contain_text("1 inquiry")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
        page.click("text=Erase for good")
        expect(page.locator(".flash-success")).to_contain_text("data is erased: 1 inquiry")

        page.goto(f"{live.base_url}/brand/audit-log/")
        expect(page.locator("tbody tr")).to_have_count(1)
        expect(page.locator("tbody")).to_contain_text("Customer data erased")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
        browser.close()

    assert Customer.objects.get().name == ""

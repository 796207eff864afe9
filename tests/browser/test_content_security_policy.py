"""Every role's main pages under the Content-Security-Policy, in Chromium: no violation is
reported (no inline script, handler or style the policy blocks), htmx runs, the live sockets
open, the shift calendar is laid out, the API docs render and the Django admin works. An ops
user also adds an authenticator app through the Two-factor page."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from marketplace.onboarding.models import BrandRole
from tests import factories
from tests.browser.chromium import BROWSER_TEST, CHROMIUM, CHROMIUM_FLAGS
from tests.live import LivePlatform

pytestmark = BROWSER_TEST

# Records every violation the page reports (Playwright's init scripts are exempt from the CSP).
WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(
    `${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


class Visitor:
    def __init__(self, page: Any, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.console_errors: list[str] = []
        page.add_init_script(WATCH_VIOLATIONS)
        page.on("console", lambda message: self.console_errors.append(message.text)
                if message.type == "error" else None)

    def log_in(self, username: str) -> None:
        self.page.goto(f"{self.base_url}/accounts/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", factories.PASSWORD)
        self.page.click("button[type=submit]")

    def open(self, path: str) -> None:
        response = self.page.goto(f"{self.base_url}{path}")
        assert response is not None and response.status == 200, path
        assert response.headers.get("content-security-policy"), path
        self.assert_clean(path)

    def assert_clean(self, where: str) -> None:
        self.page.wait_for_load_state("load")
        violations = self.page.evaluate("window.__violations")
        assert violations == [], (where, violations)
        blocked = [text for text in self.console_errors if "Content Security Policy" in text]
        assert blocked == [], (where, blocked)


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def app_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_every_roles_pages_run_under_the_policy(live: LivePlatform) -> None:
    from playwright.sync_api import expect

    now = timezone.now()
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now, name="Csp Expert")
    owner = factories.brand_member(of=queue.brand, role=BrandRole.OWNER)
    ops_user = factories.user(is_staff=True)
    ops_user.is_superuser = True
    ops_user.save(update_fields=["is_superuser"])
    candidate = factories.applicant(now=now, name="Csp Applicant")

    with chromium() as browser:
        visitor = Visitor(browser.new_context().new_page(), live.base_url)
        for path in ("/accounts/login/", "/signup/", "/apply/signup/", "/api/docs/"):
            visitor.open(path)
        expect(visitor.page.locator(".swagger-ui .info .title")).to_contain_text(
            "Shiftline API", timeout=10_000)
        visitor.assert_clean("/api/docs/ rendered")

        brand = Visitor(browser.new_context().new_page(), live.base_url)
        brand.log_in(owner.username)
        expect(brand.page.locator("#connection")).to_have_attribute("data-state", "open",
                                                                    timeout=10_000)
        assert brand.page.evaluate("typeof htmx") == "object"
        assert brand.page.evaluate("document.querySelectorAll('style').length") == 0
        brand.assert_clean("/brand/")
        for path in ("/brand/queues/", f"/brand/queues/{queue.pk}/", "/brand/shifts/",
                     "/brand/training/", "/brand/keys/", "/brand/members/", "/brand/billing/",
                     "/accounts/two-factor/"):
            brand.open(path)

        worker = Visitor(browser.new_context().new_page(), live.base_url)
        worker.log_in(expert.user.username)
        expect(worker.page.locator("#connection")).to_have_attribute("data-state", "open",
                                                                     timeout=10_000)
        worker.assert_clean("/expert/")
        for path in ("/expert/shifts/", "/expert/certifications/", "/expert/shifts/mine/"):
            worker.open(path)
        block = worker.page.locator(".calendar-block").first
        expect(block).to_be_visible()
        assert worker.page.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('.calendar-block')).height)"
        ) > 10

        ops = Visitor(browser.new_context().new_page(), live.base_url)
        ops.log_in(ops_user.username)
        for path in ("/ops/", "/ops/vetting/", f"/ops/vetting/{candidate.pk}/", "/ops/shifts/",
                     "/ops/quality/", "/ops/brands/invite/", "/admin/", "/admin/auth/user/",
                     f"/admin/auth/user/{ops_user.pk}/change/"):
            ops.open(path)
        ops.open(f"/ops/vetting/{candidate.pk}/")
        with ops.page.expect_navigation():
            ops.page.get_by_label("Identity verified").check()
        ops.open(f"/ops/vetting/{candidate.pk}/")  # ticked on the server: the form was sent
        expect(ops.page.get_by_label("Identity verified")).to_be_checked()

        ops.open("/accounts/two-factor/")
        ops.page.get_by_role("button", name="Set up an authenticator app").click()
        expect(ops.page.locator(".qr-code svg")).to_be_visible()
        ops.page.fill("input[name=code]", app_code(TOTPDevice.objects.get(user=ops_user)))
        ops.page.get_by_role("button", name="Turn on").click()
        expect(ops.page.locator("#recovery-codes li")).to_have_count(10)
        ops.assert_clean("two-factor enrolment")

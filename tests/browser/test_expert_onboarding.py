"""An applicant's and an ops user's browsers, live: sign up, verify the email, complete the
profile and the assessment, get approved in the vetting console, pass a brand's quiz and see the
brand certified, then book one of the brand's shifts and check in. Playwright drives Debian's
Chromium against uvicorn in its own process, so the verification link is made with the same
signed-token function the service emails."""

import os
import re
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from experts.applications.screening import SCREENING_QUESTIONS
from experts.applications.services import applying as applications_services
from experts.certification.models import Certification, CertificationStatus
from experts.profiles.models import ExpertProfile, ExpertStatus
from experts.shifts.models import BookingStatus, ShiftBooking
from experts.shifts.services import publishing as shifts_publishing
from tests import factories
from tests.browser.chromium import BROWSER_TEST, CHROMIUM, CHROMIUM_FLAGS
from tests.live import LivePlatform

EMAIL = "lin.applicant@example.test"

pytestmark = BROWSER_TEST



def _screenshot(page: object, name: str) -> None:
    if os.environ.get("SHIFTLINE_SCREENSHOTS"):
        page.screenshot(path=f"{os.environ['SHIFTLINE_SCREENSHOTS']}/{name}.png",  # type: ignore[attr-defined]
                        full_page=True)


def test_applicant_is_approved_and_certified_for_a_brand(live: LivePlatform) -> None:
    from playwright.sync_api import expect, sync_playwright

    brand = factories.brand(name="Northwind Browser")
    factories.training_pack(of=brand, pass_mark_percent=66, guidelines="## Tone\n\n**Be warm.**")
    ops_user = factories.user(is_staff=True)
    queue = factories.queue(of=brand)
    shift = shifts_publishing.shift_slot_create(
        queue=queue,
        starts_at=timezone.now() + timedelta(minutes=5),
        ends_at=timezone.now() + timedelta(hours=3),
        headcount=2,
    )

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        applicant = browser.new_context().new_page()
        applicant.goto(f"{live.base_url}/accounts/login/")
        applicant.get_by_role("link", name="Apply to become an expert").click()
        applicant.fill("input[name=name]", "Lin Applicant")
        applicant.fill("input[name=email]", EMAIL)
        applicant.fill("input[name=password]", factories.PASSWORD)
        applicant.get_by_role("button", name="Create account").click()
        expect(applicant.get_by_role("heading", name="Check your email")).to_be_visible()

        user = get_user_model().objects.get(email=EMAIL)
        token = applications_services.email_verification_token(user=user)
        applicant.goto(f"{live.base_url}/apply/verify/{token}/")
        expect(applicant.locator(".flash-success")).to_contain_text(
            "Your email is verified. Log in to continue your application.")
        applicant.fill("input[name=username]", EMAIL)
        applicant.fill("input[name=password]", factories.PASSWORD)
        applicant.get_by_role("button", name="Log in").click()
        expect(applicant).to_have_url(f"{live.base_url}/apply/status/")
        expect(applicant.locator("#steps")).to_contain_text("✓ Done")

        applicant.get_by_role("link", name="Complete your profile").click()
        applicant.fill("input[name=time_zone]", "Europe/Lisbon")
        applicant.fill("input[name=language_0]", "en")
        applicant.select_option("select[name=level_0]", "fluent")
        applicant.fill("input[name=skills]", "returns, outdoor gear")
        applicant.fill("textarea[name=experience]", "Three years of chat support.")
        applicant.fill("textarea[name=availability]", "Weeknights and Saturdays")
        applicant.get_by_role("button", name="Save profile").click()
        expect(applicant.locator(".flash-success")).to_contain_text("Profile saved.")

        applicant.check("input[name=accept]")
        applicant.get_by_role("button", name="Accept").click()
        expect(applicant.locator("#steps")).to_contain_text("✓ Accepted")

        applicant.get_by_role("link", name="Take the quiz").click()
        for question in SCREENING_QUESTIONS:
            applicant.check(f"input[name={question.key}][value='{question.correct_option}']")
        applicant.get_by_role("button", name="Submit answers").click()
        expect(applicant.locator("#steps")).to_contain_text("✓ Answered")

        applicant.get_by_role("link", name="Write it").click()
        applicant.fill("textarea[name=reply]", "Hi Sam, I am sorry the sleeve arrived torn. "
                       "A replacement is on its way by express, so you have it before Saturday.")
        applicant.get_by_role("button", name="Save reply").click()
        applicant.get_by_role("button", name="Submit application").click()
        expect(applicant.locator("#application-status")).to_contain_text("In review")
        _screenshot(applicant, "application-in-review")

        ops = browser.new_context().new_page()
        ops.goto(f"{live.base_url}/accounts/login/")
        ops.fill("input[name=username]", ops_user.username)
        ops.fill("input[name=password]", factories.PASSWORD)
        ops.click("button[type=submit]")
        ops.goto(f"{live.base_url}/ops/vetting/?status=in_review")
        ops.get_by_role("link", name="Lin Applicant").click()
        expect(ops.locator("#quiz-score")).to_have_text("5 of 5")
        for label in ("Identity verified", "Writing quality", "Language check"):
            ops.get_by_label(label).check()
            expect(ops.get_by_label(label)).to_be_checked()
        ops.select_option("select[name=status]", "approved")
        ops.fill("input[name=reason]", "Warm, clear sample reply")
        ops.get_by_role("button", name="Record decision").click()
        expect(ops.locator("#expert-status")).to_have_text("Approved")
        _screenshot(ops, "vetting-approved")

        applicant.goto(f"{live.base_url}/apply/status/")
        applicant.get_by_role("link", name="Get certified for brands").click()
        row = applicant.locator(f"tr[data-brand='{brand.slug}']")
        expect(row).to_contain_text("Not taken")
        row.get_by_role("button", name="Read guidelines and take the quiz").click()
        expect(applicant.locator("#guidelines")).to_contain_text("Be warm.")
        for radio in applicant.get_by_label("Right").all():
            radio.check()
        applicant.get_by_role("button", name="Submit quiz").click()
        expect(applicant).to_have_url(re.compile(r"/expert/certifications/$"))
        expect(row.locator(".certification-status")).to_have_text("Certified")
        _screenshot(applicant, "brand-certified")

        applicant.get_by_role("link", name="Book shifts").click()
        applicant.locator(f"#slot-{shift.pk}").get_by_role("button", name="Book").click()
        expect(applicant.locator(".flash-success")).to_contain_text("Booked")
        applicant.get_by_role("link", name="My shifts").click()
        applicant.get_by_role("button", name="Check in").click()
        expect(applicant).to_have_url(f"{live.base_url}/expert/")
        expect(applicant.locator("#shifts")).to_contain_text("Checked in")
        browser.close()

    expert = ExpertProfile.objects.get(user__email=EMAIL)
    assert expert.status == ExpertStatus.APPROVED
    assert expert.decisions.filter(to_status="approved").get().decided_by == ops_user
    assert Certification.objects.get(expert=expert, brand=brand).status == \
        CertificationStatus.GRANTED
    assert ShiftBooking.objects.get(expert=expert, slot=shift).status == BookingStatus.CHECKED_IN

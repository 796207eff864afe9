"""An expert's browser, live: the offer appears without a reload, the expert accepts, replies,
resolves, and sees the earning. Playwright drives Debian's Chromium."""

import os
import re

from django.utils import timezone

from billing.models import LedgerEntry, LedgerTransaction
from marketplace.inquiries.models import DeliveryStatus, InquiryStatus, Message
from routing.models import Offer
from tests import factories
from tests.browser.chromium import BROWSER_TEST, CHROMIUM, CHROMIUM_FLAGS
from tests.live import LivePlatform

pytestmark = BROWSER_TEST


def test_expert_takes_an_offer_live_and_is_paid(live: LivePlatform) -> None:
    from playwright.sync_api import expect, sync_playwright

    now = timezone.now()
    queue = factories.queue(price_minor=450, rate_minor=300)
    expert = factories.on_shift_expert(on=queue, now=now, name="Ada Browser")
    api_key = factories.api_key(of=queue.brand)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page()
        page.goto(f"{live.base_url}/accounts/login/")
        page.fill("input[name=username]", expert.user.username)
        page.fill("input[name=password]", factories.PASSWORD)
        page.click("button[type=submit]")
        expect(page).to_have_url(f"{live.base_url}/expert/")
        expect(page.locator("#connection")).to_have_attribute("data-state", "open",
                                                              timeout=10_000)
        page.evaluate("window.__loadedOnce = true")

        created = live.post_json("/api/v1/inquiries", {
            "external_id": "browser-1", "channel": "email", "subject": "Zip is stuck",
            "body": "The zip on my jacket is stuck.", "language": "en",
            "customer": {"email": "sam@example.com", "name": "Sam"}}, api_key=api_key)
        card = page.locator("article.offer", has_text="Zip is stuck")
        expect(card).to_be_visible(timeout=10_000)
        assert page.evaluate("window.__loadedOnce") is True

        card.get_by_role("button", name="Accept").click()
        expect(page).to_have_url(re.compile(rf"/expert/inquiries/{created['id']}/$"))
        expect(page.locator("#pane")).to_contain_text("The zip on my jacket is stuck.")
        page.fill("textarea[name=body]", "Rub a pencil along the teeth, then pull gently.")
        page.get_by_role("button", name="Send reply").click()
        expect(page.locator("#pane")).to_contain_text("Rub a pencil")
        page.get_by_role("button", name="Mark resolved").click()
        expect(page).to_have_url(f"{live.base_url}/expert/")
        expect(page.locator("#earnings")).to_contain_text("€3.00")
        if os.environ.get("SHIFTLINE_SCREENSHOTS"):
            page.screenshot(path=os.environ["SHIFTLINE_SCREENSHOTS"] + "/expert-earnings.png",
                            full_page=True)
        browser.close()

    inquiry_id = created["id"]
    assert Offer.objects.get(inquiry_id=inquiry_id).status == "accepted"
    transaction = LedgerTransaction.objects.get(reference_inquiry_id=inquiry_id)
    assert sorted(LedgerEntry.objects.filter(transaction=transaction)
                  .values_list("amount_minor", flat=True)) == [-300, -150, 450]
    reply = Message.objects.get(inquiry_id=inquiry_id, direction="outbound")
    assert reply.body == "Rub a pencil along the teeth, then pull gently."
    assert reply.delivery_status in (DeliveryStatus.PENDING, DeliveryStatus.DELIVERED)
    assert reply.inquiry.status == InquiryStatus.RESOLVED

"""The chat widget on a brand's own site, live: a page on a second origin (its own port, with a
strict Content-Security-Policy) embeds the snippet; the customer starts a chat; an expert's
browser accepts and replies and the customer sees it live; a message whose answer is lost is
sent again after a reload and kept once; the page reloads mid-conversation and resumes with
nothing lost or doubled; a long wait becomes an email; with nobody on shift the customer
leaves a message; a page on an origin the brand did not allow is refused."""

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.conf import settings
from django.utils import timezone
from redis import Redis

from marketplace.inquiries.models import Inquiry, InquiryChannel, Message
from marketplace.queues.models import OverflowQueue
from tests import factories
from tests.browser.chromium import BROWSER_TEST, CHROMIUM, CHROMIUM_FLAGS
from tests.browser.test_every_page_fits import AXE, RUN_AXE
from tests.live import LivePlatform

pytestmark = BROWSER_TEST

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@contextmanager
def brand_site(shiftline: str, queues: dict[str, str]) -> Iterator[int]:
    """The brand's shop on its own port: a page with the snippet per path (`queues`: path ->
    the queue's public id), under a CSP that allows scripts and connections only from itself
    and Shiftline (no 'unsafe-inline' anywhere)."""
    socket_origin = shiftline.replace("http://", "ws://")
    pages = {path: (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme shop'
        f'</title><meta name="viewport" content="width=device-width, initial-scale=1">'
        f'</head><body><h1>Acme Outdoor</h1><p>Jackets and boots.</p>'
        f'<script src="{shiftline}/widget/v1.js" data-shiftline-queue="{public_id}" '
        f'async></script></body></html>').encode() for path, public_id in queues.items()}
    policy = (f"default-src 'self'; script-src 'self' {shiftline}; "
              f"connect-src 'self' {shiftline} {socket_origin}; style-src 'self'; "
              "img-src 'self'")

    class Shop(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            page = pages.get(self.path, b"")
            self.send_response(200 if page else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Security-Policy", policy)
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Shop)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def forget_chats_started_from_this_machine() -> None:
    """The web process counts chats started per address (10 an hour) in Redis, which outlives
    a test run; every browser here is 127.0.0.1."""
    redis = Redis.from_url(settings.REDIS_URL)
    pattern = f"{settings.REDIS_KEY_PREFIX}:*throttle:widget_start:address:*"
    for key in redis.scan_iter(match=pattern):
        redis.delete(key)


def test_a_customer_chats_with_an_expert_from_the_brands_own_site(live: LivePlatform) -> None:
    from playwright.sync_api import expect, sync_playwright

    forget_chats_started_from_this_machine()
    now = timezone.now()
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now, name="Maria Widget")
    unstaffed = factories.queue()

    with brand_site(live.base_url, {"/": queue.widget_public_id,
                                    "/unstaffed": unstaffed.widget_public_id}) as port, \
            sync_playwright() as playwright:
        shop = f"http://127.0.0.1:{port}"
        # The same page under another origin (localhost is not 127.0.0.1) is not allowed.
        elsewhere = f"http://localhost:{port}"
        OverflowQueue.objects.filter(pk=queue.pk).update(widget_allowed_origins=[shop],
                                                         widget_long_wait_seconds=1)
        OverflowQueue.objects.filter(pk=unstaffed.pk).update(widget_allowed_origins=[shop])
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)

        expert_page = browser.new_page()
        expert_page.goto(f"{live.base_url}/accounts/login/")
        expert_page.fill("input[name=username]", expert.user.username)
        expert_page.fill("input[name=password]", factories.PASSWORD)
        expert_page.click("button[type=submit]")
        expect(expert_page.locator("#connection")).to_have_attribute("data-state", "open",
                                                                     timeout=10_000)

        customer_context = browser.new_context()
        customer = customer_context.new_page()
        violations: list[str] = []
        customer.on("console", lambda message: violations.append(message.text)
                    if "Content Security Policy" in message.text else None)
        customer.goto(f"{shop}/")
        widget = customer.locator("#shiftline-widget")
        expect(widget).to_have_attribute("data-state", "prechat", timeout=10_000)
        customer.get_by_role("button", name="Chat with us").click()
        customer.get_by_role("button", name="Start chat").click()
        expect(customer.get_by_text("Please enter your email address.")).to_be_visible()
        customer.get_by_label("Email").fill("sam@example.com")
        customer.get_by_label("How can we help?").fill("The zip on my <b>jacket</b> is stuck.")
        customer.get_by_role("button", name="Start chat").click()
        expect(widget).to_have_attribute("data-state", "chat")
        expect(customer.locator(".from-customer .body")).to_have_text(
            ["The zip on my <b>jacket</b> is stuck."])

        card = expert_page.locator("article.offer", has_text="The zip on my")
        expect(card).to_be_visible(timeout=15_000)
        card.get_by_role("button", name="Accept").click()
        expect(expert_page.locator("#pane")).to_contain_text("The zip on my <b>jacket</b>")
        expect(customer.locator(".status")).to_have_text("Maria is helping you.",
                                                         timeout=10_000)
        expert_page.fill("textarea[name=body]", "Rub a pencil along the teeth.")
        expert_page.get_by_role("button", name="Send reply").click()
        expect(customer.locator(".from-expert .body")).to_have_text(
            ["Rub a pencil along the teeth."], timeout=10_000)
        # The expert opened the chat: the customer's first message shows as read.
        expect(customer.locator(".from-customer").first).to_have_attribute(
            "data-delivery", "read")
        screenshots = os.environ.get("SHIFTLINE_SCREENSHOTS")
        if screenshots:
            customer.screenshot(path=f"{screenshots}/widget-chat-1280.png")

        # The answer to this message is lost on its way back: the server has it, the
        # widget does not know. After a reload the widget sends it again and it shows once.
        lost: list[str] = []

        def lose_the_answer(route: Any) -> None:
            if not lost:
                route.fetch()
            route.abort()
            lost.append(route.request.url)

        customer.route("**/widget/api/v1/conversations/*/messages", lose_the_answer)
        customer.get_by_label("Message", exact=True).fill("Trying it now")
        customer.keyboard.press("Enter")
        expect(customer.locator(".from-customer[data-delivery=pending]")).to_have_count(1)
        while not lost:
            customer.wait_for_timeout(50)
        customer.unroute_all(behavior="ignoreErrors")
        customer.reload()
        expect(widget).to_have_attribute("data-state", "chat", timeout=10_000)
        customer.get_by_role("button", name="Chat with us").click()
        bodies = customer.locator(".message .body")
        expect(bodies).to_have_text(["The zip on my <b>jacket</b> is stuck.",
                                     "Rub a pencil along the teeth.", "Trying it now"],
                                    timeout=10_000)
        expect(customer.locator(".from-customer[data-delivery=pending]")).to_have_count(0)
        expect(expert_page.locator("#pane")).to_contain_text("Trying it now", timeout=10_000)
        expect(customer.locator(".from-customer").last).to_have_attribute(
            "data-delivery", re.compile("^(delivered|read)$"))
        assert lost

        # A photo goes with a message; a file that only claims to be one is refused, and the
        # widget says why.
        files = customer.locator("input[type=file]")
        files.set_input_files({"name": "zip.png", "mimeType": "image/png", "buffer": PNG})
        customer.get_by_label("Message", exact=True).fill("Here is the zip")
        customer.keyboard.press("Enter")
        expect(customer.locator(".from-customer .attachments").last).to_contain_text("zip.png")
        expect(expert_page.locator("#pane")).to_contain_text("Here is the zip", timeout=10_000)
        files.set_input_files({"name": "fake.png", "mimeType": "image/png",
                               "buffer": b"<html>not an image</html>"})
        customer.keyboard.press("Enter")
        expect(customer.locator(".composer .form-error")).to_have_text(
            "fake.png is not an image or a PDF.")

        # A second customer meets a wait over the brand's threshold and takes the email.
        other = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        other.goto(f"{shop}/")
        other.get_by_role("button", name="Chat with us").click()
        other.get_by_role("button", name="Start chat").click()
        other.evaluate(AXE.read_text())
        accessibility = list(other.evaluate(RUN_AXE))
        other.get_by_label("Email").fill("lee@example.com")
        other.get_by_label("How can we help?").fill("Do you ship to Crete?")
        other.get_by_role("button", name="Start chat").click()
        offer = other.locator(".offer.long")
        expect(offer).to_contain_text("Don't wait: we'll email you by", timeout=10_000)
        if screenshots:
            other.screenshot(path=f"{screenshots}/widget-long-wait-390.png")
        accessibility += other.evaluate(RUN_AXE)
        offer.get_by_role("button", name="Email me instead").click()
        expect(other.locator("#shiftline-widget")).to_have_attribute("data-state", "emailed")
        expect(other.locator(".notice-block .promise")).to_contain_text(
            "Thank you. We'll email you by")

        # Nobody on shift for this queue: the widget says so and takes a message instead.
        closed = other.context.new_page()
        closed.goto(f"{shop}/unstaffed")
        expect(closed.locator("#shiftline-widget")).to_have_attribute("data-state", "leave",
                                                                      timeout=10_000)
        closed.get_by_role("button", name="Chat with us").click()
        closed.get_by_label("Email").fill("kim@example.com")
        closed.get_by_label("Your message").fill("Is the shop open on Sunday?")
        closed.get_by_role("button", name="Send message").click()
        expect(closed.locator(".notice-block .promise")).to_contain_text(
            "Thank you. We'll email you")

        # The same page on an origin the brand did not list.
        refused = browser.new_page()
        with refused.expect_response("**/widget/api/v1/queues/*") as answer:
            refused.goto(f"{elsewhere}/")
        assert answer.value.status == 403
        expect(refused.locator("#shiftline-widget")).to_have_attribute("data-state", "refused")
        refused.get_by_role("button", name="Chat with us").click()
        expect(refused.get_by_text("This chat can't be used on this site.")).to_be_visible()
        browser.close()

    assert violations == []
    assert accessibility == []
    chat = Inquiry.objects.get(queue=queue,
                               messages__body="The zip on my <b>jacket</b> is stuck.")
    assert chat.channel == InquiryChannel.CHAT
    assert Message.objects.filter(inquiry=chat, body="Trying it now").count() == 1
    emailed = Inquiry.objects.get(queue=queue, messages__body="Do you ship to Crete?")
    assert emailed.channel == InquiryChannel.EMAIL
    left = Inquiry.objects.get(queue=unstaffed, messages__body="Is the shop open on Sunday?")
    assert left.channel == InquiryChannel.EMAIL

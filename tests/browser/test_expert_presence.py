"""Presence tells the truth, in a real browser, with the presence windows shortened by settings
(heartbeat 1 s, idle 3 s, offline 5 s): an expert who stays on an inquiry page, reading and
touching nothing, for several idle windows is still present; a new inquiry's promise counts
them and its offer appears on that page as a banner, without a reload. Closing the tab (the
last live connection) makes them offline within the offline window. And a socket refused (as
while Redis is down) makes the page say it is reconnecting until it is live again.

The presence sweep, which beat runs in production, is run here by the test between browser
steps, with the same shortened windows."""

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from experts.presence import services as presence
from experts.presence.models import ExpertPresence, PresenceStatus
from marketplace.infra.consumers import CLOSE_TRY_AGAIN_LATER
from routing.models import ExpertSeat, Offer
from tests import factories
from tests.browser.chromium import BROWSER_TEST, CHROMIUM, CHROMIUM_FLAGS
from tests.live import LivePlatform, live_platform

pytestmark = BROWSER_TEST

HEARTBEAT_SECONDS, IDLE_SECONDS, OFFLINE_SECONDS = 1, 3, 5
IDLE_WINDOWS = 4


@pytest.fixture
def short_presence(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shortened windows for this process (the sweep) and the platform's processes."""
    for name, seconds in (("PRESENCE_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS),
                          ("PRESENCE_IDLE_SECONDS", IDLE_SECONDS),
                          ("PRESENCE_OFFLINE_SECONDS", OFFLINE_SECONDS)):
        setattr(settings, name, seconds)
        monkeypatch.setenv(name, str(seconds))


@pytest.fixture
def short_presence_live(short_presence: None, django_db_setup: None, django_db_blocker: Any,
                        tmp_path: Path) -> Iterator[LivePlatform]:
    """uvicorn and a Celery worker started with the shortened presence windows."""
    with live_platform(tmp_path, database=django_db_blocker.unblock,
                       end_other_sessions=False) as running:
        yield running


def status_of(expert_id: int) -> tuple[str, bool]:
    return (ExpertPresence.objects.get(expert_id=expert_id).status,
            ExpertSeat.objects.get(expert_id=expert_id).available)


def sweep_for(seconds: float, expert_id: int) -> list[tuple[str, bool]]:
    """Runs the presence sweep every half second for `seconds`, as beat would; every status
    seen after a sweep."""
    seen = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        presence.presence_sweep(now=timezone.now())
        seen.append(status_of(expert_id))
        time.sleep(0.5)
    return seen


def test_the_page_says_it_is_reconnecting_while_its_socket_is_refused_and_live_once_back(
    live: LivePlatform,
) -> None:
    """The socket refused as the server refuses it while Redis is down (close code 1013,
    marketplace/infra/consumers.py): the page says it is reconnecting, tries again by itself
    and is live again once the server takes it. Playwright stands between page and server."""
    from playwright.sync_api import WebSocketRoute, expect, sync_playwright

    expert = factories.on_shift_expert(on=factories.queue(), now=timezone.now())
    refusing = {"left": 0}
    routes: list[WebSocketRoute] = []

    def socket(route: WebSocketRoute) -> None:
        if refusing["left"] > 0:
            refusing["left"] -= 1
            route.close(code=CLOSE_TRY_AGAIN_LATER, reason="Redis is down")
            return
        route.connect_to_server()
        routes.append(route)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page()
        page.route_web_socket(re.compile(r"/ws/expert/$"), socket)
        page.goto(f"{live.base_url}/accounts/login/")
        page.fill("input[name=username]", expert.user.username)
        page.fill("input[name=password]", factories.PASSWORD)
        page.click("button[type=submit]")
        connection = page.locator("#connection")
        expect(connection).to_have_attribute("data-state", "open", timeout=10_000)
        expect(connection).to_have_text("Live")

        refusing["left"] = 2
        routes[-1].close(code=CLOSE_TRY_AGAIN_LATER, reason="Redis is down")
        expect(connection).to_have_attribute("data-state", "closed", timeout=5_000)
        expect(connection).to_have_text("Reconnecting…")
        expect(connection).to_have_attribute("data-state", "open", timeout=20_000)
        expect(connection).to_have_text("Live")
        browser.close()

    assert refusing["left"] == 0
    assert len(routes) == 2


def test_an_idle_expert_reading_an_inquiry_stays_present_and_gets_the_next_offer_there(
    short_presence_live: LivePlatform,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    live = short_presence_live
    now = timezone.now()
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now, name="Ida Idle")
    api_key = factories.api_key(of=queue.brand)
    available = (PresenceStatus.AVAILABLE, True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page()
        page.goto(f"{live.base_url}/accounts/login/")
        page.fill("input[name=username]", expert.user.username)
        page.fill("input[name=password]", factories.PASSWORD)
        page.click("button[type=submit]")
        expect(page).to_have_url(f"{live.base_url}/expert/")
        expect(page.locator("#live")).to_have_attribute("data-heartbeat-seconds",
                                                        str(HEARTBEAT_SECONDS))

        first = live.post_json("/api/v1/inquiries", {
            "external_id": "presence-1", "channel": "email", "subject": "Button fell off",
            "body": "A button fell off my coat.", "language": "en",
            "customer": {"email": "sam@example.com", "name": "Sam"}}, api_key=api_key)
        card = page.locator("article.offer", has_text="Button fell off")
        expect(card).to_be_visible(timeout=15_000)
        card.get_by_role("button", name="Accept").click()
        expect(page).to_have_url(f"{live.base_url}/expert/inquiries/{first['id']}/")
        expect(page.locator("#connection")).to_have_attribute("data-state", "open",
                                                              timeout=10_000)
        page.evaluate("window.__loadedOnce = true")

        # Reading only: no mouse, no keys, for several idle windows, while beat's sweep runs.
        seen = sweep_for(IDLE_WINDOWS * IDLE_SECONDS, expert.pk)
        assert seen and set(seen) == {available}, seen

        second = live.post_json("/api/v1/inquiries", {
            "external_id": "presence-2", "channel": "email", "subject": "Sleeve too long",
            "body": "Can the sleeve be shortened?", "language": "en",
            "customer": {"email": "kim@example.com", "name": "Kim"}}, api_key=api_key)
        basis = second["promise"]["basis"]
        assert basis["experts_on_shift"] == 1, second["promise"]
        assert basis["free_capacity"] >= 1, second["promise"]
        assert second["promise"]["reply_by"] is not None

        banner = page.locator("#offers article.offer", has_text="Sleeve too long")
        expect(banner).to_be_visible(timeout=15_000)
        assert page.evaluate("window.__loadedOnce") is True
        assert page.url == f"{live.base_url}/expert/inquiries/{first['id']}/"
        assert Offer.objects.get(inquiry_id=second["id"]).expert_id == expert.pk

        # The last tab closes: offline within the offline window (plus a sweep's step).
        page.close()
        closed_at = time.monotonic()
        went_offline = None
        while time.monotonic() - closed_at < OFFLINE_SECONDS + 2 * HEARTBEAT_SECONDS + 3:
            presence.presence_sweep(now=timezone.now())
            if status_of(expert.pk) == (PresenceStatus.OFFLINE, False):
                went_offline = time.monotonic() - closed_at
                break
            time.sleep(0.25)
        browser.close()

    assert went_offline is not None, live.log_tail()
    assert went_offline >= OFFLINE_SECONDS - HEARTBEAT_SECONDS - 0.5

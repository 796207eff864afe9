"""Every page of every role, on the demo data `make run` loads, fits a 390 px phone and a
1280 px laptop without sideways scrolling, and axe-core (from npm) finds no serious or critical
violation on it. The Django admin and the API docs are not ours to lay out and are left out.

The pages come from the URL configuration: each role's pages are the navigation test's list
(tests/frontend/test_navigation.py, which fails when a role's namespace gains a page it does not
list), and the public and account pages are every URL without parameters outside the role
namespaces that answers a GET with HTML (not the 405 page of the POST-only ones), walked signed
out and as the brand owner. One browser, one signed-in context per role (its session cookie
made as the test client makes one; the sign-in form has tests of its own); each page is
fetched once (its answer says whether it is a page to check) and checked at 390 px (fits, Log
out in the bar, the Menu opens, axe) and, the same page resized, at 1280 px (fits); the
widths alternate, so the window is resized once a page.

In the same sessions, each role's day at both widths, in the viewer's own time zone (the brand
owner in Tokyo, ops in New York), axe-clean at 1280 px too: the brand owner goes from the
console to an inquiry, sees the expert's reply and opens billing; ops search the inquiries,
watch the live board, search the expert directory and open an expert's vetting page. (The
expert's day is tests/browser/test_expert_workspace.py.)

On a phone, the Menu button opens the role's and the account's links (aria-expanded says so)
and Log out stays in the bar; axe runs with the menu open, so the links are checked too."""

import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from billing.invoices.models import VatRate
from billing.models import Account, AccountKind, BrandContract
from billing.payouts.models import Payout
from experts.models import ExpertProfile, ExpertStatus
from marketplace.accounts import services as accounts_services
from marketplace.devstack.demo import seed_demo
from marketplace.models import Brand, BrandRole, OverflowQueue
from routing.assignments import services as assignments_services
from routing.models import Offer
from routing.offers import services as offers_services
from tests import factories
from tests.browser.chromium import BROWSER_TEST, CHROMIUM, CHROMIUM_FLAGS
from tests.frontend.test_navigation import NAMESPACE, PAGES, role_patterns
from tests.live import ROOT, LivePlatform

pytestmark = BROWSER_TEST

AXE = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
PHONE, LAPTOP = 390, 1280
RUN_AXE = """() => axe.run(document, {resultTypes: ["violations"]}).then((result) =>
  result.violations.filter((violation) => ["serious", "critical"].includes(violation.impact))
    .map((violation) => `${violation.impact} ${violation.id}: ` + violation.nodes.slice(0, 3)
      .map((node) => node.target.join(" ")).join(", ")))"""
SUBJECT = "Wrong size: can I swap my jacket?"
REPLY = "Hello Sam, of course: here is how to swap it."
BRAND_ZONE, BRAND_ABBREVIATION = "Asia/Tokyo", re.compile(r"\bJST\b")
OPS_ZONE, OPS_ABBREVIATION = "America/New_York", re.compile(r"\bE[SD]T\b")
# Not pages a person lays eyes on: health checks, the API's own docs, the admin.
NOT_OURS = ("healthz", "readyz", "api-docs", "schema")


type Day = Callable[[Any, "Session", str], None]


@dataclass
class Session:
    """One role's signed-in browser context and what it found; `day`, the role's day, runs in
    the same context after the walk."""

    name: str
    login: str | None
    paths: list[str]
    failures: list[str] = field(default_factory=list)
    day: Day | None = None


def assigned_inquiry(*, now: datetime) -> tuple[int, str]:
    """A new inquiry on the demo queue, routed to one of the demo experts, who accepts it and
    replies: its id and that expert's login (the demo's past tickets have no assignment)."""
    queue = OverflowQueue.objects.filter(brand__slug="northwind").latest("pk")
    new = factories.inquiry(on=queue, now=now, subject=SUBJECT)
    offers_services.inquiry_route(inquiry_id=new.pk, now=now)  # unless the worker did it
    offer = Offer.objects.filter(inquiry_id=new.pk).select_related("expert__user").latest("pk")
    offers_services.offer_accept(offer_id=offer.pk, expert=offer.expert, now=now)
    assignments_services.assignment_reply(inquiry_id=new.pk, expert=offer.expert,
                                          author=offer.expert.user, now=now,
                                          body=REPLY)
    return new.pk, offer.expert.user.username


def demo_kwargs(*, inquiry_id: int, expert_login: str) -> dict[str, Any]:
    """A value for every URL parameter of the role pages, from the demo data."""
    brand = Brand.objects.get(slug="northwind")
    expert = ExpertProfile.objects.get(user__username=expert_login)
    payout = Payout.objects.filter(expert_id=expert.pk).select_related("batch").latest("pk")
    return {
        "inquiry_id": inquiry_id,
        "queue_id": OverflowQueue.objects.filter(brand=brand).latest("pk").pk,
        "slug": brand.slug,
        "expert_id": ExpertProfile.objects.get(user__username="katherine@shiftline.demo").pk,
        "contract_id": BrandContract.objects.filter(brand_id=brand.pk).latest("pk").pk,
        "account_id": Account.objects.filter(kind=AccountKind.BRAND_RECEIVABLE,
                                             owner_id=brand.pk).latest("pk").pk,
        "batch_id": payout.batch_id,
        "payout_id": payout.pk,
        "week_start": payout.batch.week_start.isoformat(),
    }


def role_paths(role: str, values: dict[str, Any]) -> list[str]:
    patterns = role_patterns(role)
    paths = []
    for name in PAGES[role]:
        pattern = patterns[name]
        kwargs = {parameter: values[parameter] for parameter in pattern.pattern.regex.groupindex}
        paths.append(reverse(f"{NAMESPACE[role]}:{name}", kwargs=kwargs))
    return paths


def unnamespaced_paths() -> list[str]:
    """Every URL without parameters outside the role namespaces (and the admin): the public
    and account pages, and POST-only actions, which the walk skips by their answer."""
    paths = []

    def walk(resolver: URLResolver, prefix: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace is None and not str(entry.pattern).startswith("admin"):
                    walk(entry, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern) and not entry.pattern.regex.groupindex \
                    and entry.name and entry.name not in NOT_OURS:
                paths.append("/" + prefix + str(entry.pattern))

    walk(get_resolver(), "")
    return paths


MEASURE = """() => [document.documentElement.scrollWidth, document.documentElement.clientWidth,
  (() => { const out = document.querySelector(".site-header .logout button");
           return !!out && out.getClientRects().length > 0
             && getComputedStyle(out).visibility !== "hidden"; })(),
  document.querySelector("[data-menu-toggle]")?.getAttribute("aria-expanded") ?? null]"""


def measure(page: Any, session: Session, where: str) -> list[Any]:
    """One round trip: the page's width against the window's, whether Log out shows in the
    bar, and whether the Menu button says it is open."""
    width = page.viewport_size["width"]
    state: list[Any] = page.evaluate(MEASURE)
    if state[0] > state[1]:
        session.failures.append(f"{where}: {state[0]} px wide at {width} px")
    return state


def axe_clean(page: Any, session: Session, where: str) -> None:
    """axe-core is in every page of the context (an init script)."""
    session.failures.extend(f"{where}: {violation}" for violation in page.evaluate(RUN_AXE))


def screenshot(page: Any, name: str, width: int) -> None:
    if os.environ.get("SHIFTLINE_SCREENSHOTS"):
        page.screenshot(path=f"{os.environ['SHIFTLINE_SCREENSHOTS']}/{name}-{width}.png",
                        full_page=True)


def check_page(page: Any, session: Session, path: str) -> None:
    """The page as loaded, at whichever width the walk left the window (it alternates, so the
    window is resized once a page): at 390 px it fits, Log out shows, the Menu opens and axe is
    clean; at 1280 px it fits."""
    where = f"{session.name} {path}"
    name = f"{session.name}{path.replace('/', '_')}".strip("_")
    widths = (PHONE, LAPTOP) if page.viewport_size["width"] == PHONE else (LAPTOP, PHONE)
    for number, width in enumerate(widths):
        if number:
            page.set_viewport_size({"width": width, "height": 844})
        state = measure(page, session, where)
        if width == PHONE:
            if session.login is not None:
                if not state[2]:
                    session.failures.append(f"{where}: no Log out in the bar at {PHONE} px")
                page.locator("[data-menu-toggle]").click()
                if measure(page, session, where)[3] != "true":
                    session.failures.append(f"{where}: the Menu button does not open the menu")
            axe_clean(page, session, where)
        screenshot(page, name, width)


def sign_in(context: Any, login: str, base_url: str) -> None:
    """The person's session made as Django's test client makes one, its cookie handed to the
    browser: signing in through the form is tests/browser/test_expert_onboarding.py's."""
    client = Client()
    client.force_login(User.objects.get(username=login))
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": base_url}])


def walk(browser: Any, session: Session, base_url: str, axe: str) -> None:
    context = browser.new_context(viewport={"width": PHONE, "height": 844})
    context.add_init_script(script=axe)
    if session.login is not None:
        sign_in(context, session.login, base_url)
    page = context.new_page()
    for path in session.paths:
        answer = page.goto(base_url + path)
        if answer is None or answer.status >= 500:
            session.failures.append(f"{session.name} {path}: {answer and answer.status}")
        elif answer.status != 405 and answer.headers.get("content-type", "").startswith(
                "text/html"):
            check_page(page, session, path)
    if session.day is not None:
        for width in (PHONE, LAPTOP):
            page.set_viewport_size({"width": width, "height": 900})
            session.day(page, session, base_url)
    context.close()


def day_step(page: Any, session: Session, *, step: str, shows: str,
             zone: re.Pattern[str] | None = None, walked: bool = True) -> None:
    """One step of a role's day, on the page as the person left it: it shows `shows` (and
    times in the viewer's zone) and fits; axe checks it at 1280 px, and at 390 px too unless
    the walk checked the same page (`walked`)."""
    width = page.viewport_size["width"]
    where = f"{session.name} day, {step}, {width} px"
    text = page.locator("main").inner_text()
    if shows not in text:
        session.failures.append(f"{where}: does not show {shows!r}")
    if zone is not None and not zone.search(text):
        session.failures.append(f"{where}: no time in the viewer's zone ({zone.pattern})")
    measure(page, session, where)
    if width == LAPTOP or not walked:
        axe_clean(page, session, where)
    screenshot(page, f"day-{session.name}-{step}", width)


def brand_day(inquiry_id: int) -> Day:
    """The console, the inquiry opened from its row, the expert's reply on it, then billing."""
    def day(page: Any, session: Session, base_url: str) -> None:
        page.goto(f"{base_url}/brand/")
        day_step(page, session, step="console", shows=SUBJECT)
        page.locator(f'#inquiry-row-{inquiry_id} a[href="/brand/inquiries/{inquiry_id}/"]'
                     ).first.click()
        page.wait_for_url(f"**/brand/inquiries/{inquiry_id}/")
        day_step(page, session, step="inquiry", shows=REPLY, zone=BRAND_ABBREVIATION)
        page.goto(f"{base_url}/brand/billing/")
        day_step(page, session, step="billing", shows="Invoices")
    return day


def ops_day(expert_name: str) -> Day:
    """The inquiries searched, the live board, the expert directory searched and an expert's
    vetting page opened from it."""
    def day(page: Any, session: Session, base_url: str) -> None:
        page.goto(f"{base_url}/ops/inquiries/")
        page.fill("input[name=q]", SUBJECT)
        page.locator("form[role=search] button[type=submit]").click()
        page.wait_for_url("**/ops/inquiries/?q=*")
        day_step(page, session, step="inquiries", shows=SUBJECT, zone=OPS_ABBREVIATION,
                 walked=False)
        page.goto(f"{base_url}/ops/board/")
        day_step(page, session, step="board", shows="Northwind")
        page.goto(f"{base_url}/ops/experts/")
        page.fill("input[name=q]", expert_name)
        page.locator("form[role=search] button[type=submit]").click()
        page.wait_for_url("**/ops/experts/?q=*")
        day_step(page, session, step="experts", shows=expert_name, walked=False)
        page.get_by_role("link", name=expert_name).first.click()
        page.wait_for_url("**/ops/vetting/*/")
        day_step(page, session, step="vetting", shows=expert_name)
    return day


def test_every_page_of_every_role_fits_a_phone_and_passes_axe(live: LivePlatform) -> None:
    from playwright.sync_api import sync_playwright

    # Transactional tests flush the migration's starting VAT rates; the demo's invoice needs one.
    VatRate.objects.get_or_create(country="IE", valid_from=date(2024, 1, 1),
                                  defaults={"rate_percent": Decimal("23.00")})
    now = timezone.now()
    seed_demo(now=now)
    brand = Brand.objects.get(slug="northwind")
    viewer = factories.brand_member(of=brand, role=BrandRole.VIEWER)
    rejected = factories.expert(now=now, status=ExpertStatus.REJECTED).user
    inquiry_id, expert_login = assigned_inquiry(now=now)
    values = demo_kwargs(inquiry_id=inquiry_id, expert_login=expert_login)
    accounts_services.account_time_zone_set(
        user=User.objects.get(username="brand@shiftline.demo"), time_zone=BRAND_ZONE)
    accounts_services.account_time_zone_set(
        user=User.objects.get(username="ops@shiftline.demo"), time_zone=OPS_ZONE)
    applicant = ExpertProfile.objects.get(user__username="katherine@shiftline.demo")
    shared = unnamespaced_paths()
    sessions = [
        Session("public", None, [*shared, "/apply/signup/", "/no-such-page/"]),
        Session("brand-owner", "brand@shiftline.demo", [*role_paths("brand", values), *shared],
                day=brand_day(inquiry_id)),
        Session("brand-viewer", viewer.username, role_paths("brand", values)),
        Session("expert", expert_login, role_paths("expert", values)),
        Session("ops", "ops@shiftline.demo", role_paths("ops", values),
                day=ops_day(applicant.display_name)),
        Session("applicant", "katherine@shiftline.demo", role_paths("applicant", values)),
        Session("rejected", rejected.username, ["/apply/status/", "/expert/certifications/"]),
    ]
    axe = Path(AXE).read_text()
    started = time.monotonic()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        for session in sessions:
            walk(browser, session, live.base_url, axe)
        browser.close()
    seconds = time.monotonic() - started

    failures = [failure for session in sessions for failure in session.failures]
    print(f"walked {sum(len(session.paths) for session in sessions)} pages in {seconds:.0f} s")
    assert failures == []

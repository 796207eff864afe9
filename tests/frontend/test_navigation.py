"""Every page of a role shows that role's whole navigation with the page's own item marked
`aria-current="page"`; signed-out visitors and users without a role see no role navigation."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from billing.models import Account, AccountKind, BrandContract
from billing.payouts.models import Payout
from billing.payouts.services.batches import payout_batch_draft
from experts.models import ExpertProfile, ExpertStatus
from experts.profiles import policy as expert_policy
from frontend.context_processors import user_navigation
from marketplace.models import BrandRole, Inquiry, OverflowQueue
from tests import factories
from tests.billing.payouts.conftest import earn

pytestmark = pytest.mark.django_db

# Each role's navigation, in order: (URL name, link text).
NAVIGATION = {
    "brand": [("brand:console", "Inquiries"), ("brand:reviews", "Reviews"),
              ("brand:queues", "Queues"),
              ("brand:shifts", "Shifts"), ("brand:training", "Training"),
              ("brand:keys", "API keys"), ("brand:members", "Members"),
              ("brand:billing", "Billing"), ("brand:customer_data", "Customer data"),
              ("brand:audit_log", "Audit log"), ("api-docs", "API")],
    "expert": [("expert:workspace", "Workspace"), ("expert:marketplace", "Book shifts"),
               ("expert:my_shifts", "My shifts"), ("expert:certifications", "Certifications"),
               ("expert:earnings", "Earnings"), ("expert:payouts", "Payouts")],
    "ops": [("ops:console", "Ops console"), ("ops:board", "Live board"),
            ("ops:inquiries", "Inquiries"), ("ops:brands", "Brands"), ("ops:experts", "Experts"),
            ("ops:vetting", "Vetting"), ("ops:shifts", "Shifts"),
            ("ops:quality", "Quality"), ("ops:pricing", "Prices and pay"),
            ("ops:trial_balance", "Books"), ("ops:payouts", "Payouts"),
            ("ops:invoices", "Invoices"), ("ops:disputes", "Disputes"),
            ("ops:lockouts", "Lockouts"),
            ("ops:brand_invite", "Invite a brand")],
    "applicant": [("apply:status", "My application")],
}

# Every page (a GET answered with HTML) of each role's URL namespace, and the navigation item
# it belongs to.
PAGES = {
    "brand": {"console": "brand:console", "inquiry": "brand:console", "queues": "brand:queues",
              "queue": "brand:queues", "queue_channels": "brand:queues",
              "shifts": "brand:shifts", "training": "brand:training", "keys": "brand:keys",
              "members": "brand:members", "billing": "brand:billing",
              "customer_data": "brand:customer_data", "audit_log": "brand:audit_log",
              "reviews": "brand:reviews", "perception_gap": "brand:reviews"},
    "expert": {"workspace": "expert:workspace", "inquiry": "expert:workspace",
               "marketplace": "expert:marketplace", "my_shifts": "expert:my_shifts",
               "certifications": "expert:certifications",
               "brand_quiz": "expert:certifications", "earnings": "expert:earnings",
               "payouts": "expert:payouts", "statement": "expert:payouts"},
    "ops": {"console": "ops:console", "inquiry": "ops:console", "vetting": "ops:vetting",
            "vetting_detail": "ops:vetting", "shifts": "ops:shifts", "quality": "ops:quality",
            "brand_invite": "ops:brand_invite", "lockouts": "ops:lockouts",
            "pricing": "ops:pricing", "contract": "ops:pricing",
            "trial_balance": "ops:trial_balance", "statement": "ops:trial_balance",
            "payouts": "ops:payouts", "payout_batch": "ops:payouts", "payout": "ops:payouts",
            "invoices": "ops:invoices", "vat_rates": "ops:invoices", "disputes": "ops:disputes",
            "board": "ops:board", "inquiries": "ops:inquiries", "brands": "ops:brands",
            "experts": "ops:experts"},
    "applicant": {"status": "apply:status", "profile": "apply:status", "quiz": "apply:status",
                  "sample": "apply:status"},
}
NAMESPACE = {"brand": "brand", "expert": "expert", "ops": "ops", "applicant": "apply"}


@dataclass(frozen=True)
class World:
    users: dict[str, User]
    queue: OverflowQueue
    brand_inquiry: Inquiry
    expert_inquiry: Inquiry
    expert: ExpertProfile
    candidate: ExpertProfile
    payout: Payout

    def kwargs(self, role: str) -> dict[str, Any]:
        """A value for every URL parameter of the role's pages."""
        inquiry = self.expert_inquiry if role == "expert" else self.brand_inquiry
        receivable, _ = Account.objects.get_or_create(
            kind=AccountKind.BRAND_RECEIVABLE, owner_id=self.queue.brand_id, currency="EUR",
            defaults={"name": f"{self.queue.brand.name} receivable"})
        return {"inquiry_id": inquiry.pk, "queue_id": self.queue.pk,
                "slug": self.queue.brand.slug, "expert_id": self.candidate.pk,
                "contract_id": BrandContract.objects.get(brand_id=self.queue.brand_id).pk,
                "account_id": receivable.pk,
                "batch_id": self.payout.batch_id, "payout_id": self.payout.pk,
                "week_start": self.payout.batch.week_start.isoformat()}


@pytest.fixture
def world(now: datetime, captured_tasks: list) -> World:
    queue = factories.queue()
    factories.training_pack(of=queue.brand)
    reply, expert = factories.expert_reply(on=queue, now=now)
    earn(expert_id=expert.pk, inquiry_id=reply.inquiry_id, at=now - timedelta(days=4))
    batch, _ = payout_batch_draft(now=now, holds={}, disputed_expert_ids=frozenset())
    return World(
        users={"brand": factories.brand_member(of=queue.brand, role=BrandRole.OWNER),
               "expert": expert.user,
               "ops": factories.user(is_staff=True),
               "applicant": factories.applicant(now=now, submitted=False).user},
        queue=queue, brand_inquiry=factories.inquiry(on=queue, now=now),
        expert_inquiry=reply.inquiry, expert=expert,
        candidate=factories.applicant(now=now), payout=batch.payouts.get(),
    )


class NavigationParser(HTMLParser):
    """The links of the page header's navigation, but for the Shiftline home link and the account
    links (the admin for staff, Two-factor, Settings, and the Password link of everybody signed in:
    `password`): the role's navigation. Each link says whether it is marked current."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str | None]] = []
        self.log_out = False
        self.password = False
        self._in_header = False
        self._link: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "header" and not self._in_header:
            self._in_header = True
        elif tag == "a" and self._in_header:
            if "brand-mark" in (attributes.get("class") or "").split() \
                    or attributes.get("href") in (reverse("admin:index"), reverse("two_factor"),
                                                  reverse("account_settings")):
                return
            if attributes.get("href") == reverse("password_change"):
                self.password = True
                return
            self._link = {"href": attributes.get("href"), "text": "",
                          "current": attributes.get("aria-current")}

    def handle_endtag(self, tag: str) -> None:
        if tag == "header":
            self._in_header = False
        elif tag == "a" and self._link is not None:
            self._link["text"] = " ".join((self._link["text"] or "").split())
            self.links.append(self._link)
            self._link = None

    def handle_data(self, data: str) -> None:
        if self._link is not None:
            self._link["text"] = (self._link["text"] or "") + data
        if self._in_header and data.strip() == "Log out":
            self.log_out = True


def navigation_of(html: str) -> NavigationParser:
    parser = NavigationParser()
    parser.feed(html)
    return parser


def url_for(role: str, pattern: URLPattern, world: World, default: object = None) -> str:
    values = world.kwargs(role)
    kwargs = {name: values.get(name, default) for name in pattern.pattern.regex.groupindex}
    return reverse(f"{NAMESPACE[role]}:{pattern.name}", kwargs=kwargs)


def role_patterns(role: str) -> dict[str, URLPattern]:
    """The URL patterns of the role's namespace (frontend/urls.py), by name."""

    def namespace(resolver: URLResolver) -> URLResolver | None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace == NAMESPACE[role]:
                    return entry
                if (found := namespace(entry)) is not None:
                    return found
        return None

    found = namespace(get_resolver())
    assert found is not None
    return {entry.name: entry for entry in found.url_patterns
            if isinstance(entry, URLPattern) and entry.name}


@pytest.mark.parametrize("role", list(NAVIGATION))
def test_every_page_of_a_role_shows_its_whole_navigation_and_marks_the_page(
    role: str, world: World
) -> None:
    client = Client()
    client.force_login(world.users[role])
    expected = [(reverse(name), text) for name, text in NAVIGATION[role]]

    patterns = role_patterns(role)
    for url_name, section in PAGES[role].items():
        url = url_for(role, patterns[url_name], world)
        response = client.get(url)
        assert response.status_code == 200, url
        nav = navigation_of(response.content.decode())

        assert [(link["href"], link["text"]) for link in nav.links] == expected, url
        assert [link["href"] for link in nav.links if link["current"] == "page"] == \
            [reverse(section)], url
        assert nav.log_out, url
        assert nav.password, url


@pytest.mark.parametrize("role", list(NAVIGATION))
def test_the_page_list_covers_every_page_of_the_role(role: str, world: World) -> None:
    """A new page in a role's namespace shows up here, so it gets checked above too."""
    client = Client()
    client.force_login(world.users[role])
    pages = set()
    for name, pattern in role_patterns(role).items():
        response = client.get(url_for(role, pattern, world, default=1))
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages.add(name)

    assert pages == set(PAGES[role])


@pytest.mark.parametrize(("path", "public_links"), [
    ("/", [("/api/docs/", "API docs"), ("/accounts/login/", "Log in")]),
    ("/accounts/login/", [("/api/docs/", "API docs")]),
    ("/signup/", [("/api/docs/", "API docs"), ("/accounts/login/", "Log in")]),
    ("/apply/signup/", [("/api/docs/", "API docs"), ("/accounts/login/", "Log in")]),
])
def test_a_signed_out_visitor_sees_no_role_navigation_only_the_public_links(
    path: str, public_links: list[tuple[str, str]]
) -> None:
    nav = navigation_of(Client().get(path).content.decode())

    assert [(link["href"], link["text"]) for link in nav.links] == public_links
    assert (nav.log_out, nav.password) == (False, False)


def test_a_user_without_a_role_sees_only_log_out_and_password() -> None:
    client = Client()
    client.force_login(factories.user())

    response = client.get("/")
    nav = navigation_of(response.content.decode())

    assert response.status_code == 403
    assert (nav.links, nav.log_out, nav.password) == ([], True, True)


def test_a_suspended_expert_is_offered_only_their_status_and_earnings(now: datetime) -> None:
    client = Client()
    client.force_login(factories.expert(now=now, status=ExpertStatus.SUSPENDED).user)

    nav = navigation_of(client.get("/apply/status/").content.decode())
    money = navigation_of(client.get("/expert/earnings/").content.decode())

    assert [(link["href"], link["text"]) for link in nav.links] == [
        ("/apply/status/", "My status"), ("/expert/earnings/", "Earnings"),
        ("/expert/payouts/", "Payouts")]
    assert [link["text"] for link in nav.links if link["current"]] == ["My status"]
    assert [link["text"] for link in money.links if link["current"]] == ["Earnings"]


def test_the_role_is_looked_up_once_a_request(
    now: datetime, django_assert_num_queries: Any
) -> None:
    request = RequestFactory().get("/expert/")
    request.user = factories.expert(now=now).user

    with django_assert_num_queries(1):
        first = user_navigation(request)
    with django_assert_num_queries(0):
        again = user_navigation(request)

    assert first is again
    assert (first.role, first.expert_pages) == ("expert", expert_policy.expert_pages(
        request.user.expert_profile))


@pytest.mark.parametrize(("make_user", "role"), [
    (lambda now: AnonymousUser(), ""),
    (lambda now: factories.user(is_staff=True), "ops"),
    (lambda now: factories.brand_member(of=factories.brand()), "brand"),
    (lambda now: factories.expert(now=now).user, "expert"),
    (lambda now: factories.expert(now=now, status=ExpertStatus.SUSPENDED).user, "expert"),
    (lambda now: factories.expert(now=now, status=ExpertStatus.IN_REVIEW).user, "applicant"),
    (lambda now: factories.user(), ""),
], ids=["signed out", "staff", "brand member", "approved expert", "suspended expert",
        "expert in review", "no role"])
def test_each_user_has_the_role_the_home_page_sends_them_to(
    make_user: Any, role: str, now: datetime
) -> None:
    request = RequestFactory().get("/")
    request.user = make_user(now)

    assert user_navigation(request).role == role


@pytest.mark.parametrize(("role", "extra_items"), [
    (BrandRole.OWNER, ["Customer data", "Audit log"]),
    (BrandRole.ADMIN, ["Customer data"]),
    (BrandRole.VIEWER, []),
])
def test_the_brand_navigation_offers_customer_data_and_the_audit_log_per_the_policy(
    role: BrandRole, extra_items: list[str]
) -> None:
    client = Client()
    client.force_login(factories.brand_member(of=factories.brand(), role=role))

    nav = navigation_of(client.get("/brand/members/").content.decode())

    assert [link["text"] for link in nav.links] == [
        "Inquiries", "Reviews", "Queues", "Shifts", "Training", "API keys", "Members", "Billing",
        *extra_items, "API"]

"""Who opens which expert and apply page, by the expert's status (experts/profiles/policy.py):
a rejected applicant reaches only their status page; a suspended expert their status page and
their money, never offers, shifts, inquiries or certifications; an applicant their
application. Every page of the two namespaces is tried with GET and POST."""

from datetime import datetime

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from experts.applications.services import decisions as applications_decisions
from experts.presence.models import ExpertPresence
from experts.profiles import policy as expert_policy
from experts.profiles.models import ExpertProfile, ExpertStatus
from routing.assignments import services as assignments_services
from tests import factories

pytestmark = pytest.mark.django_db

# Pages of the apply namespace that need no expert profile: anyone may open them.
PUBLIC_PAGES = {"apply:start", "apply:signup", "apply:verify"}

REFUSALS = {
    ExpertStatus.SUSPENDED: "Your account is suspended: your status and your earnings stay "
                            "open to you, but not offers, shifts or inquiries.",
    ExpertStatus.REJECTED: "Your application was not accepted: only your application status is "
                           "open to you.",
    ExpertStatus.IN_REVIEW: "Your application is in review: the expert workspace opens once "
                            "ops approve you.",
}


def expert_and_apply_patterns() -> dict[str, URLPattern]:
    """Every named page of the expert and apply namespaces (frontend/urls.py)."""
    found: dict[str, URLPattern] = {}

    def walk(resolver: URLResolver) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace in ("expert", "apply"):
                    found.update({f"{entry.namespace}:{pattern.name}": pattern
                                  for pattern in entry.url_patterns
                                  if isinstance(pattern, URLPattern) and pattern.name})
                else:
                    walk(entry)

    walk(get_resolver())
    return found


def url_of(name: str, pattern: URLPattern) -> str:
    words = {"slug": "a-brand", "token": "a-token"}
    kwargs = {key: words.get(key, 1) for key in pattern.pattern.regex.groupindex}
    return reverse(name, kwargs=kwargs)


def logged_in(expert: ExpertProfile) -> Client:
    client = Client()
    client.force_login(expert.user)
    return client


def test_every_expert_and_apply_page_is_in_the_policy() -> None:
    listed = frozenset().union(*expert_policy.PAGES_BY_STATUS.values())

    assert set(expert_and_apply_patterns()) - PUBLIC_PAGES == listed - {expert_policy.LIVE_SOCKET}


@pytest.mark.parametrize(("status", "open_pages"), [
    (ExpertStatus.REJECTED, {"apply:status"}),
    (ExpertStatus.SUSPENDED, {"apply:status"} | set(expert_policy.MONEY_PAGES)),
    (ExpertStatus.IN_REVIEW, set(expert_policy.APPLICATION_PAGES)),
], ids=["rejected", "suspended", "in review"])
def test_each_status_opens_exactly_its_pages(
    status: ExpertStatus, open_pages: set[str], now: datetime
) -> None:
    client = logged_in(factories.expert(now=now, status=status))
    refusal = REFUSALS[status]

    opened = set()
    for name, pattern in expert_and_apply_patterns().items():
        if name in PUBLIC_PAGES:
            continue
        url = url_of(name, pattern)
        answers = [client.get(url), client.post(url)]
        if any(answer.status_code == 403 and refusal in answer.content.decode()
               for answer in answers):
            assert {answer.status_code for answer in answers} <= {403, 405}, name
        else:
            opened.add(name)

    assert opened == open_pages


def test_the_status_page_and_earnings_are_open_to_a_suspended_expert(now: datetime) -> None:
    expert = factories.expert(now=now, status=ExpertStatus.SUSPENDED)
    client = logged_in(expert)

    status_page = client.get("/apply/status/")
    earnings = client.get("/expert/earnings/")

    assert (status_page.status_code, earnings.status_code) == (200, 200)
    assert "Your account is suspended" in status_page.content.decode()
    assert 'href="/expert/earnings/"' in status_page.content.decode()
    assert "No earnings yet." in earnings.content.decode()


def test_a_suspended_expert_keeps_their_earnings_but_not_their_inquiries(
    now: datetime, captured_tasks: list
) -> None:
    queue = factories.queue()
    reply, expert = factories.expert_reply(on=queue, now=now)
    assignments_services.assignment_resolve(inquiry_id=reply.inquiry_id, expert=expert, now=now)
    applications_decisions.expert_decide(
        expert=expert, to_status=ExpertStatus.SUSPENDED, decided_by=factories.user(is_staff=True),
        reason="Complaint under review", now=now)
    client = logged_in(expert)

    earnings = client.get("/expert/earnings/")
    inquiry = client.get(f"/expert/inquiries/{reply.inquiry_id}/")
    workspace = client.get("/expert/")

    assert earnings.status_code == 200
    assert "owed to you now" in earnings.content.decode()
    assert (inquiry.status_code, workspace.status_code) == (403, 403)
    assert REFUSALS[ExpertStatus.SUSPENDED] in workspace.content.decode()


def test_a_suspended_expert_cannot_change_their_presence(now: datetime) -> None:
    expert = factories.expert(now=now, status=ExpertStatus.SUSPENDED)

    refused = logged_in(expert).post("/expert/presence/", {"status": "available"})

    assert refused.status_code == 403
    assert not ExpertPresence.objects.filter(expert=expert).exists()


@pytest.mark.parametrize(("status", "home"), [
    (ExpertStatus.APPROVED, "/expert/"),
    (ExpertStatus.SUSPENDED, "/apply/status/"),
    (ExpertStatus.REJECTED, "/apply/status/"),
    (ExpertStatus.IN_REVIEW, "/apply/status/"),
])
def test_the_home_page_sends_each_status_where_it_may_go(
    status: ExpertStatus, home: str, now: datetime
) -> None:
    assert logged_in(factories.expert(now=now, status=status)).get("/")["Location"] == home


def test_an_approved_expert_opens_the_workspace_and_earnings(now: datetime) -> None:
    client = logged_in(factories.expert(now=now))

    assert (client.get("/expert/").status_code,
            client.get("/expert/earnings/").status_code) == (200, 200)

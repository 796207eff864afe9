"""Every role lands on its own home; the wrong role is refused; the loop works over HTTP."""

from datetime import datetime

import pytest
from django.test import Client
from django.utils import timezone

from billing.models import LedgerTransaction
from marketplace.inquiries.models import InquiryStatus
from routing.models import Offer
from routing.offers import services as offers_services
from tests import factories

pytestmark = pytest.mark.django_db


def logged_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_each_role_lands_on_its_home_after_login(now: datetime) -> None:
    queue = factories.queue()
    cases = [
        (factories.user(is_staff=True), "/ops/"),
        (factories.expert(now=now).user, "/expert/"),
        (factories.brand_member(of=queue.brand), "/brand/"),
    ]

    for user, home in cases:
        response = Client().post("/accounts/login/", {"username": user.username,
                                                       "password": factories.PASSWORD})
        assert response.status_code == 302
        assert logged_in(user).get(response["Location"])["Location"] == home


def test_wrong_password_shows_an_error_and_stays() -> None:
    user = factories.user()

    response = Client().post("/accounts/login/", {"username": user.username, "password": "no"})

    assert response.status_code == 200
    assert b"did not match" in response.content


@pytest.mark.parametrize("path", ["/expert/", "/brand/", "/ops/", "/expert/inquiries/1/"])
def test_anonymous_is_sent_to_login(path: str) -> None:
    response = Client().get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_wrong_role_is_refused(now: datetime) -> None:
    queue = factories.queue()
    expert = logged_in(factories.expert(now=now).user)
    brand = logged_in(factories.brand_member(of=queue.brand))

    assert expert.get("/brand/").status_code == 403
    assert expert.get("/ops/").status_code == 403
    assert brand.get("/expert/").status_code == 403
    assert brand.get("/ops/").status_code == 403


def test_brand_sees_only_its_own_inquiries(now: datetime, captured_tasks: list) -> None:
    mine, theirs = factories.queue(), factories.queue()
    own = factories.inquiry(on=mine, now=now, subject="Mine")
    foreign = factories.inquiry(on=theirs, now=now, subject="Theirs")
    client = logged_in(factories.brand_member(of=mine.brand))

    console = client.get("/brand/")

    assert b"Mine" in console.content
    assert b"Theirs" not in console.content
    assert client.get(f"/brand/inquiries/{own.pk}/").status_code == 200
    assert client.get(f"/brand/inquiries/{foreign.pk}/").status_code == 404


def test_empty_states_are_explained(now: datetime) -> None:
    queue = factories.queue()

    brand_page = logged_in(factories.brand_member(of=queue.brand)).get("/brand/")
    expert_page = logged_in(factories.expert(now=now).user).get("/expert/")

    assert b"Nothing open right now" in brand_page.content
    assert b"No offers right now" in expert_page.content


def test_expert_accepts_replies_and_resolves_over_http(captured_tasks: list) -> None:
    now = timezone.now()
    queue = factories.queue(price_minor=450, rate_minor=300)
    expert = factories.on_shift_expert(on=queue, now=now)
    inquiry = factories.inquiry(on=queue, now=now, subject="Broken zip")
    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)
    offer = Offer.objects.get(inquiry=inquiry)
    client = logged_in(expert.user)

    workspace = client.get("/expert/")
    accepted = client.post(f"/expert/offers/{offer.pk}/accept/")
    replied = client.post(f"/expert/inquiries/{inquiry.pk}/reply/", {"body": "Try this."})
    resolved = client.post(f"/expert/inquiries/{inquiry.pk}/resolve/")
    after = client.get("/expert/")

    assert f'id="offer-{offer.pk}"'.encode() in workspace.content
    assert accepted["Location"] == f"/expert/inquiries/{inquiry.pk}/"
    assert replied.status_code == 302
    assert resolved["Location"] == "/expert/"
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.RESOLVED
    assert LedgerTransaction.objects.count() == 1
    assert "€3.00".encode() in after.content


def test_offer_accepted_from_a_pushed_card_navigates_the_whole_page(captured_tasks: list) -> None:
    """The card pushed over the websocket posts through htmx; a plain 302 would be followed
    inside the XHR and leave the browser on the workspace address."""
    now = timezone.now()
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)
    inquiry = factories.inquiry(on=queue, now=now)
    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)
    offer = Offer.objects.get(inquiry=inquiry)

    accepted = logged_in(expert.user).post(f"/expert/offers/{offer.pk}/accept/",
                                           headers={"HX-Request": "true"})

    assert accepted.status_code == 204
    assert accepted["HX-Redirect"] == f"/expert/inquiries/{inquiry.pk}/"


def test_expert_cannot_open_someone_elses_inquiry(now: datetime, captured_tasks: list) -> None:
    queue = factories.queue()
    factories.on_shift_expert(on=queue, now=now)
    inquiry = factories.inquiry(on=queue, now=now)
    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)
    stranger = logged_in(factories.expert(now=now).user)
    offer = Offer.objects.get(inquiry=inquiry)

    assert stranger.get(f"/expert/inquiries/{inquiry.pk}/").status_code == 404
    assert stranger.post(f"/expert/offers/{offer.pk}/accept/").status_code == 404
    assert stranger.post(f"/expert/inquiries/{inquiry.pk}/resolve/").status_code == 404
    assert Offer.objects.get(pk=offer.pk).status == "pending"


def test_ops_approves_an_expert_with_a_reason_in_the_audit_trail(now: datetime) -> None:
    ops_user = factories.user(is_staff=True)
    applicant = factories.applicant(now=now, checklist_by=ops_user)
    client = logged_in(ops_user)

    refused = client.post(f"/ops/experts/{applicant.pk}/decide/", {"status": "approved"})
    approved = client.post(f"/ops/experts/{applicant.pk}/decide/",
                           {"status": "approved", "reason": "Strong writing sample"})

    applicant.refresh_from_db()
    assert (refused.status_code, approved.status_code) == (303, 302)
    assert applicant.status == "approved"
    decision = applicant.decisions.get(kind="status", to_status="approved")
    assert (decision.decided_by, decision.from_status, decision.reason) == (
        ops_user, "in_review", "Strong writing sample")


def test_get_on_a_post_only_action_is_405(now: datetime) -> None:
    client = logged_in(factories.expert(now=now).user)

    assert client.get("/expert/offers/1/accept/").status_code == 405


def test_healthz_answers() -> None:
    assert Client().get("/healthz").content == b"ok"


def test_ops_reads_any_inquiry_timeline_and_routing_decisions(
    now: datetime, captured_tasks: list
) -> None:
    queue = factories.queue()
    factories.on_shift_expert(on=queue, now=now, name="Ada Decider")
    factories.on_shift_expert(on=queue, now=now, languages=("pt",))
    inquiry = factories.inquiry(on=queue, now=now, subject="Timeline please")
    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)
    ops = logged_in(factories.user(is_staff=True))
    brand_member = logged_in(factories.brand_member(of=factories.brand()))

    page = ops.get(f"/ops/inquiries/{inquiry.pk}/")

    assert page.status_code == 200
    assert b"Timeline please" in page.content
    assert b"chose Ada Decider" in page.content
    assert b"1 left out: does not answer in the customer&#x27;s language" in page.content
    assert b"coverage" in page.content
    assert brand_member.get(f"/ops/inquiries/{inquiry.pk}/").status_code == 403
    assert ops.get("/ops/inquiries/999999/").status_code == 404

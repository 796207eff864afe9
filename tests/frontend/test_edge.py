"""The one edge between domain errors and HTML pages (frontend/edge.py): a refused page is the
styled page of its status with the reason, a refused form post flashes why and goes back, an
error no view catches is no server error, and the REST API keeps DRF's JSON.

This module is also the URL configuration of the tests marked with it: the project's URLs
plus two views that stand for a service refusing and for a bug."""

from datetime import datetime

import pytest
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path
from rest_framework.test import APIClient

from experts.models import ExpertStatus, ShiftSlot
from marketplace import urls as project_urls
from marketplace.infra.errors import Conflict, DomainError, NotFound, PermissionDenied
from marketplace.models import BrandMembership, BrandRole
from tests import factories

pytestmark = pytest.mark.django_db

REFUSALS: dict[str, tuple[type[DomainError], str]] = {
    "invalid": (DomainError, "Write a reply before sending."),
    "forbidden": (PermissionDenied, "Only owners and admins can do this."),
    "missing": (NotFound, "No such queue for this brand."),
    "conflict": (Conflict, "This offer has expired."),
}


def refusing_view(request: HttpRequest, kind: str) -> HttpResponse:
    """A view that lets its service's refusal through, as every view now does."""
    error_class, message = REFUSALS[kind]
    raise error_class(message)


def crashing_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("A bug, not a refusal.")


urlpatterns = [
    path("edge-test/<str:kind>/", refusing_view),
    path("edge-test-crash/", crashing_view),
    *project_urls.urlpatterns,
]
handler403, handler404 = project_urls.handler403, project_urls.handler404
with_test_views = pytest.mark.urls(__name__)


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def owner_with_a_viewer() -> tuple[User, BrandMembership, BrandMembership]:
    brand = factories.brand()
    owner = factories.brand_member(of=brand, role=BrandRole.OWNER)
    viewer = factories.brand_member(of=brand, role=BrandRole.VIEWER)
    return (owner, BrandMembership.objects.get(user=owner),
            BrandMembership.objects.get(user=viewer))


@with_test_views
@pytest.mark.parametrize(("kind", "status", "heading"), [
    ("invalid", 400, "This could not be done"),
    ("forbidden", 403, "You cannot do this"),
    ("missing", 404, "Not found"),
    ("conflict", 409, "This has changed in the meantime"),
])
def test_a_domain_error_on_a_page_is_the_styled_page_of_its_status(
    kind: str, status: int, heading: str,
) -> None:
    client = logged_in(factories.brand_member(of=factories.brand()))

    response = client.get(f"/edge-test/{kind}/")

    page = response.content.decode()
    assert response.status_code == status
    assert f"<h1>{heading}</h1>" in page
    assert f'<p class="flash flash-error" role="alert">{REFUSALS[kind][1]}</p>' in page
    assert '<a href="/">Back to your home page</a>' in page
    assert '<a href="/brand/queues/"' in page


def test_a_rejected_expert_opening_certifications_sees_why(now: datetime) -> None:
    rejected = factories.expert(now=now, status=ExpertStatus.REJECTED)

    response = logged_in(rejected.user).get("/expert/certifications/")

    page = response.content.decode()
    assert response.status_code == 403
    assert "Your application was not accepted: only your application status is open to you." \
        in page
    assert '<a href="/apply/status/"' in page
    assert "Log out" in page


def test_a_missing_page_or_object_is_the_styled_404_with_the_reason(now: datetime) -> None:
    theirs = factories.inquiry(on=factories.queue(), now=now)
    client = logged_in(factories.brand_member(of=factories.brand()))

    foreign = client.get(f"/brand/inquiries/{theirs.pk}/")
    nowhere = client.get("/no-such-page/")

    assert (foreign.status_code, nowhere.status_code) == (404, 404)
    assert "Inquiry not found." in foreign.content.decode()
    assert "This page does not exist, or it is not yours to see." in nowhere.content.decode()
    assert '<a href="/brand/queues/"' in nowhere.content.decode()


def test_a_refused_form_post_flashes_why_and_goes_back_to_its_page() -> None:
    owner, membership, _ = owner_with_a_viewer()
    client = logged_in(owner)

    response = client.post(f"/brand/members/{membership.pk}/role/", {"role": "viewer"},
                           headers={"referer": "http://testserver/brand/members/"})
    page = client.get(response["Location"]).content.decode()

    assert (response.status_code, response["Location"]) == (303, "/brand/members/")
    assert ('<p class="flash flash-error" role="status">The brand&#x27;s last owner cannot be '
            "demoted; make someone else an owner first.</p>") in page
    membership.refresh_from_db()
    assert membership.role == BrandRole.OWNER


def test_refused_fields_flash_one_line_per_field() -> None:
    owner, _, viewer = owner_with_a_viewer()
    client = logged_in(owner)

    response = client.post(f"/brand/members/{viewer.pk}/role/", {"role": "boss"},
                           headers={"referer": "http://testserver/brand/members/"}, follow=True)

    assert ('<p class="flash flash-error" role="status">Role: Choose one of: owner, admin, '
            "viewer.</p>") in response.content.decode()
    viewer.refresh_from_db()
    assert viewer.role == BrandRole.VIEWER


@pytest.mark.parametrize("referer", ["", "https://elsewhere.example/brand/members/",
                                     "http://testserver{action}"])
def test_without_a_same_origin_page_to_go_back_to_a_refusal_goes_home(referer: str) -> None:
    """Home, not the action's own URL: a POST-only action answers the browser's GET with 405."""
    owner, membership, _ = owner_with_a_viewer()
    action = f"/brand/members/{membership.pk}/remove/"
    headers = {"referer": referer.format(action=action)} if referer else {}

    response = logged_in(owner).post(action, headers=headers)

    assert (response.status_code, response["Location"]) == (303, "/")
    assert BrandMembership.objects.filter(pk=membership.pk).exists()


def test_an_htmx_refusal_navigates_the_whole_page_back() -> None:
    owner, membership, _ = owner_with_a_viewer()
    client = logged_in(owner)

    response = client.post(f"/brand/members/{membership.pk}/remove/", headers={
        "HX-Request": "true", "referer": "http://testserver/brand/members/?page=2"})
    page = client.get("/brand/members/").content.decode()

    assert (response.status_code, response["HX-Redirect"]) == (204, "/brand/members/?page=2")
    assert "The brand&#x27;s last owner cannot be removed" in page


def test_a_missing_object_on_a_form_post_is_the_404_page_not_a_redirect() -> None:
    owner, _, _ = owner_with_a_viewer()
    stranger = BrandMembership.objects.get(
        user=factories.brand_member(of=factories.brand(), role=BrandRole.VIEWER))

    response = logged_in(owner).post(f"/brand/members/{stranger.pk}/role/", {"role": "admin"},
                                     headers={"referer": "http://testserver/brand/members/"})

    assert response.status_code == 404
    assert "No such member in this brand." in response.content.decode()
    stranger.refresh_from_db()
    assert stranger.role == BrandRole.VIEWER


@with_test_views
def test_an_error_no_view_catches_is_no_longer_a_server_error() -> None:
    client = Client(raise_request_exception=False)
    client.force_login(factories.user(is_staff=True))

    response = client.post("/edge-test/conflict/",
                           headers={"referer": "http://testserver/ops/quality/"})
    page = client.get(response["Location"]).content.decode()

    assert (response.status_code, response["Location"]) == (303, "/ops/quality/")
    assert "This offer has expired." in page


@with_test_views
def test_the_500_page_renders_with_debug_off() -> None:
    client = Client(raise_request_exception=False)
    client.force_login(factories.brand_member(of=factories.brand()))

    response = client.get("/edge-test-crash/")

    page = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Something went wrong on our side</h1>" in page
    assert '<a href="/">Back to your home page</a>' in page
    assert "Log out" not in page


def test_a_refused_form_is_shown_again_as_typed_with_the_reason_once() -> None:
    queue = factories.queue()
    owner = logged_in(factories.brand_member(of=queue.brand, role=BrandRole.OWNER))

    response = owner.post("/brand/shifts/publish/", {
        "kind": "slot", "slot-queue": queue.pk, "slot-day": "2020-01-01",
        "slot-starts": "18:00", "slot-ends": "23:00", "slot-headcount": "7",
        "slot-premium_tier": "weekend"})

    page = response.content.decode()
    assert response.status_code == 400
    assert page.count("A new shift must start in the future.") == 1
    assert 'value="2020-01-01"' in page
    assert 'name="slot-headcount" value="7"' in page
    assert ShiftSlot.objects.count() == 0


def test_the_api_keeps_drfs_json_while_the_console_gets_the_page() -> None:
    theirs = factories.queue()
    brand = factories.brand()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {factories.api_key(of=brand)}")

    api_response = api.get(f"/api/v1/queues/{theirs.pk}")
    page = logged_in(factories.brand_member(of=brand)).get(f"/brand/queues/{theirs.pk}/")

    assert (api_response.status_code, api_response["Content-Type"]) == (404, "application/json")
    assert api_response.json() == {"detail": "No such queue for this brand.",
                                   "code": "not_found"}
    assert page.status_code == 404
    assert "No such queue for this brand." in page.content.decode()

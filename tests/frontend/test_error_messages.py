"""Django's own bare answers do not reach people: a refused CSRF check is the styled 403 page
saying what to do, and a form's address opened as a page is the styled 405 page."""

import pytest
from django.test import Client

from frontend.edge import CSRF_REFUSAL
from marketplace.models import BrandInvitation, BrandRole
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_form_sent_with_a_stale_csrf_token_is_the_styled_403_saying_what_to_do() -> None:
    owner = factories.brand_member(of=factories.brand(), role=BrandRole.OWNER)
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post("/brand/members/invite/", {"email": "new@example.test",
                                                      "role": "viewer"})

    page = response.content.decode()
    assert response.status_code == 403
    assert "<h1>You cannot do this</h1>" in page
    assert f'<p class="flash flash-error" role="alert">{CSRF_REFUSAL}</p>' in page
    assert '<a href="/brand/queues/"' in page
    assert BrandInvitation.objects.count() == 0


def test_a_forms_address_opened_as_a_page_is_the_styled_405() -> None:
    client = Client()
    client.force_login(factories.brand_member(of=factories.brand(), role=BrandRole.OWNER))

    response = client.get("/brand/shifts/publish/")

    page = response.content.decode()
    assert (response.status_code, response["Allow"]) == (405, "POST")
    assert "<h1>This address is a form's, not a page</h1>" in page
    assert "Open the page the form is on and send it from there." in page
    assert "Log out" in page


def test_the_apis_own_405_stays_json() -> None:
    response = Client().get("/billing/stripe/webhook/")

    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"

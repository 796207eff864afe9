"""The front door at `/`: a visitor reads what Shiftline is and where brands sign up and
experts apply; a signed-in user is sent on to their own home page."""

from datetime import datetime

import pytest
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db


def test_a_visitor_reads_what_shiftline_is_with_sign_up_apply_api_docs_and_log_in() -> None:
    response = Client().get("/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1 id=\"front-heading\">Customer support covered when your team is not there</h1>" \
        in page
    assert '<a href="/signup/" role="button">Sign up your brand</a>' in page
    assert '<a href="/apply/signup/" role="button" class="secondary outline">Apply as an ' \
        'expert</a>' in page
    assert '<a href="/api/docs/">Read the API docs</a>' in page
    assert '<a href="/accounts/login/">Log in</a>' in page


@pytest.mark.parametrize(("make_user", "home"), [
    (lambda now: factories.user(is_staff=True), "/ops/"),
    (lambda now: factories.brand_member(of=factories.brand()), "/brand/"),
    (lambda now: factories.expert(now=now).user, "/expert/"),
    (lambda now: factories.applicant(now=now).user, "/apply/status/"),
], ids=["ops", "brand member", "expert", "applicant"])
def test_a_signed_in_user_is_sent_on_to_their_own_home(make_user: object, home: str,
                                                      now: datetime) -> None:
    client = Client()
    client.force_login(make_user(now))  # type: ignore[operator]

    response = client.get("/")

    assert (response.status_code, response["Location"]) == (302, home)

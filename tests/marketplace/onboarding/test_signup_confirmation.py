"""A brand's confirmation link works once and signs nobody in: it activates the owner, who then
logs in with their password."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from marketplace.onboarding.models import Brand

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "a-long-enough-passphrase-9"


@pytest.fixture
def confirmation_link(django_capture_on_commit_callbacks: object) -> str:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        Client().post("/signup/", {"brand_name": "Acme Outdoor", "email": "lead@acme.test",
                                   "password": STRONG_PASSWORD})
    match = re.search(r"http://testserver(/signup/verify/\S+)", str(mail.outbox[-1].body))
    assert match is not None
    return match[1]


def test_the_link_sends_the_owner_to_log_in_without_logging_them_in(
    confirmation_link: str,
) -> None:
    client = Client()

    confirmed = client.get(confirmation_link)
    login_page = client.get(confirmed["Location"])

    assert confirmed.status_code == 302
    assert confirmed["Location"] == "/accounts/login/?next=%2Fbrand%2Fqueues%2F"
    assert "_auth_user_id" not in client.session
    assert "Your email is confirmed; log in" in login_page.content.decode()
    assert client.get("/brand/queues/")["Location"].startswith("/accounts/login/")
    assert User.objects.get(username="lead@acme.test").is_active is True


def test_the_owner_logs_in_with_their_password_after_confirming(confirmation_link: str) -> None:
    client = Client()
    client.get(confirmation_link)

    logged_in = client.post("/accounts/login/?next=/brand/queues/", {
        "username": "lead@acme.test", "password": STRONG_PASSWORD, "next": "/brand/queues/"})

    assert logged_in["Location"] == "/brand/queues/"
    assert client.get("/brand/queues/").status_code == 200


def test_the_link_works_once(confirmation_link: str) -> None:
    Client().get(confirmation_link)
    confirmed_at = Brand.objects.get().signup_confirmed_at
    client = Client()

    again = client.get(confirmation_link)

    assert again.status_code == 409
    assert "This link was already used: your email is confirmed. Log in with your password." \
        in again.content.decode()
    assert "_auth_user_id" not in client.session
    assert Brand.objects.get().signup_confirmed_at == confirmed_at


def test_a_used_link_does_not_reactivate_an_owner_ops_deactivated(
    confirmation_link: str,
) -> None:
    Client().get(confirmation_link)
    User.objects.filter(username="lead@acme.test").update(is_active=False)

    again = Client().get(confirmation_link)

    assert again.status_code == 409
    assert User.objects.get(username="lead@acme.test").is_active is False


def test_the_link_answers_get_only(confirmation_link: str) -> None:
    assert Client().post(confirmation_link).status_code == 405
    assert Brand.objects.get().signup_confirmed_at is None

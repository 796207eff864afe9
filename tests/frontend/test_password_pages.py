"""Password reset by email and password change, styled like the site: a new password ends the
user's other sessions (the changing one stays signed in) and lifts a login lockout; reset
requests are throttled and answer alike for unknown addresses."""

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-42"


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def is_signed_in(client: Client) -> bool:
    """The home page sends a signed-in user on to their own home; a signed-out visitor
    reads the front door."""
    return client.get("/").status_code == 302


def reset_link() -> str:
    body = str(mail.outbox[-1].body)
    match = re.search(r"http://testserver(/accounts/password/reset/\S+/)", body)
    assert match is not None
    return match[1]


def test_the_login_page_links_to_password_reset() -> None:
    page = Client().get("/accounts/login/").content.decode()

    assert 'href="/accounts/password/reset/"' in page


def test_reset_emails_a_link_that_sets_the_password_and_ends_every_session(
    django_capture_on_commit_callbacks: Any,
) -> None:
    user = factories.user(email="sam@acme.test")
    elsewhere = logged_in(user)
    visitor = Client()

    asked = visitor.post("/accounts/password/reset/", {"email": "sam@acme.test"})
    opened = visitor.get(reset_link())
    with django_capture_on_commit_callbacks(execute=True):
        set_password = visitor.post(opened["Location"], {"new_password1": NEW_PASSWORD,
                                                         "new_password2": NEW_PASSWORD})

    assert asked["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox[-1].subject == "Reset your Shiftline password"
    assert mail.outbox[-1].to == ["sam@acme.test"]
    assert set_password["Location"] == "/accounts/password/reset/done/"
    assert not is_signed_in(elsewhere)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert Client().post("/accounts/login/", {"username": "sam@acme.test",
                                              "password": NEW_PASSWORD}).status_code == 302


def test_a_reset_link_works_once() -> None:
    factories.user(email="sam@acme.test")
    visitor = Client()
    visitor.post("/accounts/password/reset/", {"email": "sam@acme.test"})
    link = reset_link()
    form_url = visitor.get(link)["Location"]
    visitor.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = Client().get(link)

    assert again.status_code == 200
    assert b"This link does not work" in again.content


def test_an_unknown_address_gets_the_same_answer_and_no_email() -> None:
    factories.user(email="sam@acme.test")

    known = Client().post("/accounts/password/reset/", {"email": "sam@acme.test"})
    unknown = Client().post("/accounts/password/reset/", {"email": "nobody@acme.test"})

    assert known["Location"] == unknown["Location"] == "/accounts/password/reset/sent/"
    assert [message.to for message in mail.outbox] == [["sam@acme.test"]]


def test_the_reset_pages_are_the_sites_own() -> None:
    for path in ("/accounts/password/reset/", "/accounts/password/reset/sent/",
                 "/accounts/password/reset/done/"):
        page = Client().get(path).content.decode()

        assert '<header class="container site-header" data-site-header>' in page, path
        assert "/static/vendor/pico/pico.min.css" in page, path


def test_reset_requests_are_throttled_per_address_and_per_email(settings: Any) -> None:
    settings.SHIFTLINE_THROTTLE_RATES = {**settings.SHIFTLINE_THROTTLE_RATES,
                                         "password_reset": "2/hour"}
    factories.user(email="sam@acme.test")
    answers = [Client().post("/accounts/password/reset/", {"email": "sam@acme.test"})
               for _ in range(3)]
    other_email_same_address = Client().post("/accounts/password/reset/",
                                             {"email": "other@acme.test"})

    assert [answer.status_code for answer in answers] == [302, 302, 429]
    assert 1 <= int(answers[-1]["Retry-After"]) <= 3600
    assert b"Too many attempts" in answers[-1].content
    assert other_email_same_address.status_code == 429
    assert len(mail.outbox) == 2


def test_a_reset_lifts_the_accounts_login_lockout(settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    factories.user(email="sam@acme.test")
    for _ in range(2):
        Client(REMOTE_ADDR="198.51.100.1").post(
            "/accounts/login/", {"username": "sam@acme.test", "password": "wrong"})
    assert Client().post("/accounts/login/", {"username": "sam@acme.test",
                                              "password": factories.PASSWORD}).status_code == 429
    visitor = Client()
    visitor.post("/accounts/password/reset/", {"email": "sam@acme.test"})
    form_url = visitor.get(reset_link())["Location"]

    visitor.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert Client().post("/accounts/login/", {"username": "sam@acme.test",
                                              "password": NEW_PASSWORD}).status_code == 302


def test_changing_the_password_keeps_this_session_and_ends_the_others(
    django_capture_on_commit_callbacks: Any,
) -> None:
    user = factories.brand_member(of=factories.brand())
    here, elsewhere = logged_in(user), logged_in(user)

    with django_capture_on_commit_callbacks(execute=True):
        changed = here.post("/accounts/password/change/", {
            "old_password": factories.PASSWORD, "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD})

    assert changed["Location"] == "/"
    assert is_signed_in(here)
    assert not is_signed_in(elsewhere)
    assert b"Password changed. Your other sessions were logged out." in \
        here.get("/brand/").content
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_a_wrong_current_password_changes_nothing() -> None:
    user = factories.user()
    client = logged_in(user)

    refused = client.post("/accounts/password/change/", {
        "old_password": "not-it", "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD})

    assert refused.status_code == 200
    assert b"Your old password was entered incorrectly." in refused.content
    assert b'aria-invalid="true"' in refused.content
    user.refresh_from_db()
    assert user.check_password(factories.PASSWORD)


def test_the_change_page_needs_a_login_and_is_in_every_header() -> None:
    anonymous = Client().get("/accounts/password/change/")
    page = logged_in(factories.user()).get("/accounts/password/change/").content.decode()

    assert anonymous["Location"].startswith("/accounts/login/")
    assert '<a href="/accounts/password/change/" aria-current="page">Password</a>' in page
    assert 'name="old_password"' in page

"""Brand sign-up and expert applications are throttled per client address and per email
address: the styled 429 page with Retry-After, nothing created."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def two_an_hour(settings: Any) -> None:
    settings.SHIFTLINE_THROTTLE_RATES = {**settings.SHIFTLINE_THROTTLE_RATES,
                                         "signup": "2/hour"}


def brand_signup(number: int, address: str = "127.0.0.1", email: str | None = None) -> Any:
    return Client(REMOTE_ADDR=address).post("/signup/", {
        "brand_name": f"Brand {number}", "email": email or f"owner{number}@acme.test",
        "password": factories.PASSWORD})


def apply_signup(number: int, address: str = "127.0.0.1") -> Any:
    return Client(REMOTE_ADDR=address).post("/apply/signup/", {
        "name": f"Applicant {number}", "email": f"applicant{number}@example.test",
        "password": factories.PASSWORD})


def test_brand_sign_ups_from_one_address_are_throttled() -> None:
    answers = [brand_signup(number) for number in range(3)]
    other_address = brand_signup(9, address="203.0.113.5")

    assert [answer.status_code for answer in answers] == [200, 200, 429]
    refused = answers[-1]
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert b"Too many attempts" in refused.content
    assert b'<header class="container site-header" data-site-header>' in refused.content
    assert other_address.status_code == 200
    assert not User.objects.filter(username="owner2@acme.test").exists()


def test_one_email_is_throttled_from_every_address() -> None:
    answers = [brand_signup(number, address=f"198.51.100.{number}", email="same@acme.test")
               for number in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 429]


def test_applications_from_one_address_are_throttled() -> None:
    answers = [apply_signup(number) for number in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert answers[-1]["Retry-After"].isdigit()
    assert not User.objects.filter(username="applicant2@example.test").exists()

"""Forms that behave: every error of a form at once, and placeholders that read as examples,
never as values."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from marketplace.onboarding.models import Brand
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_brand_sign_up_shows_every_error_at_once() -> None:
    response = Client().post("/signup/", {"brand_name": " ", "email": "not an email",
                                          "password": "short"})

    page = response.content.decode()
    assert response.status_code == 400
    assert "Give the brand a name of 1 to 200 characters." in page
    assert "Enter a valid email address." in page
    assert "This password is too short." in page
    assert not Brand.objects.exists()
    assert not get_user_model().objects.exists()


def test_every_placeholder_of_a_queues_settings_reads_as_an_example() -> None:
    queue = factories.queue()
    client = Client()
    client.force_login(factories.brand_member(of=queue.brand))

    page = client.get(f"/brand/queues/{queue.pk}/").content.decode()

    placeholders = re.findall(r'placeholder="([^"]*)"', page)
    assert placeholders
    assert [text for text in placeholders if not text.startswith("e.g. ")] == []

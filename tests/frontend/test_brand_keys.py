"""Brand console, API keys page: scopes are chosen with checkboxes when a key is created
(reading and writing inquiries ticked at first) and listed with each key."""

import re
from datetime import datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client

from marketplace.access import services as access_services
from marketplace.access.models import ApiKey
from marketplace.access.scopes import ApiScope
from marketplace.onboarding.models import BrandRole
from tests import factories

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def checkbox(page: str, scope: str) -> str:
    match = re.search(rf'<input type="checkbox" name="scopes" value="{scope}"[^>]*>', page)
    assert match is not None, scope
    return match[0]


def test_the_form_offers_every_scope_with_its_label_and_ticks_the_inquiry_ones() -> None:
    admin = factories.brand_member(of=factories.brand(), role=BrandRole.ADMIN)

    page = logged_in(admin).get("/brand/keys/").content.decode()

    for scope in ApiScope:
        assert scope.label.replace("'", "&#x27;") in page
        ticked = scope in (ApiScope.INQUIRIES_READ, ApiScope.INQUIRIES_WRITE)
        assert ("checked" in checkbox(page, scope.value)) is ticked


def test_a_key_is_created_with_the_ticked_scopes_and_listed_with_them() -> None:
    brand = factories.brand()
    admin = factories.brand_member(of=brand, role=BrandRole.ADMIN)
    client = logged_in(admin)

    created = client.post("/brand/keys/create/", {"name": "Shift planner",
                                                  "scopes": ["shifts:manage", "shifts:read"]},
                          follow=True)
    listing = client.get("/brand/keys/").content.decode()

    assert created.redirect_chain == [("/brand/keys/", 302)]
    assert "Scopes: shifts:read, shifts:manage" in created.content.decode()
    assert ApiKey.objects.get(brand=brand).scopes == ["shifts:read", "shifts:manage"]
    assert re.search(r'<ul class="key-scopes">\s*<li><code>shifts:read</code></li>\s*'
                     r'<li><code>shifts:manage</code></li>\s*</ul>', listing)


@pytest.mark.parametrize(("scopes", "message"), [
    ([], "Choose at least one scope"),
    (["queues:read", "queues:everything"], "Unknown scope queues:everything"),
])
def test_no_or_unknown_scopes_are_refused_with_the_form_kept(scopes: list[str],
                                                             message: str) -> None:
    brand = factories.brand()
    client = logged_in(factories.brand_member(of=brand, role=BrandRole.OWNER))

    response = client.post("/brand/keys/create/", {"name": "Bridge", "scopes": scopes})

    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert 'value="Bridge"' in page
    assert ("checked" in checkbox(page, "queues:read")) is ("queues:read" in scopes)
    assert "checked" not in checkbox(page, "inquiries:read")
    assert not ApiKey.objects.exists()


def test_viewers_see_the_scopes_but_no_form() -> None:
    brand = factories.brand()
    access_services.api_key_create(brand=brand, actor=factories.brand_owner(of=brand),
                                   name="Helpdesk", scopes=["reviews:write"])
    viewer = factories.brand_member(of=brand, role=BrandRole.VIEWER)

    page = logged_in(viewer).get("/brand/keys/").content.decode()

    assert "<code>reviews:write</code>" in page
    assert 'name="scopes"' not in page


def test_a_refused_rotation_shows_the_creation_form_as_new(now: datetime) -> None:
    brand = factories.brand()
    owner = factories.brand_owner(of=brand)
    api_key, _ = access_services.api_key_create(brand=brand, actor=owner, name="Old",
                                                scopes=["queues:read"])
    access_services.api_key_revoke(api_key=api_key, actor=owner, now=now)

    response = logged_in(owner.user).post(f"/brand/keys/{api_key.pk}/rotate/")

    page = response.content.decode()
    assert response.status_code == 409
    assert "checked" in checkbox(page, "inquiries:read")
    assert "checked" not in checkbox(page, "queues:read")
    assert ApiKey.objects.count() == 1


def test_a_reload_after_creating_a_key_creates_no_second_key_and_hides_the_raw_key() -> None:
    """Post/redirect/get: the raw key shows once, on the page the post redirects to."""
    brand = factories.brand()
    client = logged_in(factories.brand_member(of=brand, role=BrandRole.ADMIN))

    posted = client.post("/brand/keys/create/", {"name": "Zendesk", "scopes": ["queues:read"]})
    shown = client.get("/brand/keys/")
    reloaded = client.get("/brand/keys/")

    assert (posted.status_code, posted["Location"]) == (302, "/brand/keys/")
    assert ApiKey.objects.filter(brand=brand).count() == 1
    assert '<code id="raw-key">sl_' in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]
    assert 'id="raw-key"' not in reloaded.content.decode()


def test_revoke_and_rotate_ask_for_confirmation_first() -> None:
    brand = factories.brand()
    admin = factories.brand_member(of=brand, role=BrandRole.ADMIN)
    access_services.api_key_create(brand=brand, actor=factories.brand_owner(of=brand),
                                   name="Helpdesk", scopes=["queues:read"])

    page = logged_in(admin).get("/brand/keys/").content.decode()

    assert re.search(r'action="/brand/keys/\d+/revoke/"[^>]*data-confirm="Revoke the key', page)
    assert re.search(r'action="/brand/keys/\d+/rotate/"[^>]*data-confirm="Rotate the key', page)

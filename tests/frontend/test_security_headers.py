"""The Content-Security-Policy on every page (nothing inline but a style block with the
request's nonce), and `Cache-Control: no-store` on every answer to a signed-in user and under
`/api/`, while static files and visitors' public pages stay cacheable."""

import re
from datetime import datetime
from pathlib import Path

import pytest
from django.test import Client

from marketplace.onboarding.models import BrandRole
from tests import factories

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "frontend" / "templates"


def policy(response: object) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]  # type: ignore[index]
    return {name: values for name, *values in
            (directive.split() for directive in header.split(";") if directive.strip())}


def test_a_page_gets_a_policy_that_allows_only_this_site() -> None:
    response = Client().get("/accounts/login/")

    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_a_style_block_carries_the_nonce_the_policy_names(now: datetime) -> None:
    expert = factories.expert(now=now)
    client = Client()
    client.force_login(expert.user)

    response = client.get("/expert/shifts/mine/")

    nonces = set(re.findall(r'<style nonce="([^"]+)">', response.content.decode()))
    assert len(nonces) == 1
    assert f"'nonce-{nonces.pop()}'" in policy(response)["style-src"]


def test_the_api_docs_load_their_script_from_a_url_not_inline() -> None:
    client = Client()

    page = client.get("/api/docs/")
    html = page.content.decode()
    script = client.get("/api/docs/?script=")

    assert page.status_code == 200
    assert re.search(r"<script>\s", html) is None
    assert '<script src="/api/docs/?script="></script>' in html
    nonce = re.search(r'<style nonce="([^"]+)">', html)
    assert nonce is not None and f"'nonce-{nonce.group(1)}'" in policy(page)["style-src"]
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")),
                         ids=lambda path: str(path.relative_to(TEMPLATES)))
def test_no_template_has_an_inline_script_handler_or_style_attribute(template: Path) -> None:
    """What the policy would block: a script without `src`, an `on…=` handler, a `style=`
    attribute, a `<style>` without the nonce, a `javascript:` link."""
    text = template.read_text()

    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) is None
    assert re.search(r"\son[a-z]+\s*=", text) is None
    assert re.search(r"\sstyle\s*=", text) is None
    assert re.search(r"<style(?![^>]*\bnonce=)[^>]*>", text) is None
    assert "javascript:" not in text


def test_htmx_does_not_add_its_own_style_element() -> None:
    html = Client().get("/accounts/login/").content.decode()

    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>' in html


def test_a_signed_in_users_pages_are_not_stored() -> None:
    member = factories.brand_member(of=factories.brand(), role=BrandRole.VIEWER)
    client = Client()
    client.force_login(member)

    page = client.get("/brand/")
    missing = client.get("/brand/inquiries/999999/")

    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert missing.status_code == 404
    assert "no-store" in missing["Cache-Control"]


@pytest.mark.parametrize("path", ["/api/v1/inquiries", "/api/schema/", "/api/docs/",
                                  "/api/v1/no-such-thing"])
def test_every_api_answer_is_not_stored(path: str) -> None:
    api_key = factories.api_key(of=factories.brand())

    signed = Client().get(path, HTTP_AUTHORIZATION=f"Bearer {api_key}")
    unsigned = Client().get(path)

    assert "no-store" in signed["Cache-Control"]
    assert "no-store" in unsigned["Cache-Control"]


def test_public_pages_and_static_files_of_visitors_may_be_cached() -> None:
    client = Client()

    signup_page = client.get("/signup/")
    script = client.get("/static/frontend/shiftline.js")

    assert signup_page.status_code == 200
    assert "no-store" not in signup_page.get("Cache-Control", "")
    assert script.status_code == 200
    assert "no-store" not in script.get("Cache-Control", "")


def test_static_files_are_not_marked_no_store_for_signed_in_users_either() -> None:
    client = Client()
    client.force_login(factories.user(is_staff=True))

    script = client.get("/static/frontend/shiftline.js")

    assert script.status_code == 200
    assert "no-store" not in script.get("Cache-Control", "")

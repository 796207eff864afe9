"""Inbound email authenticates with HTTP basic auth (user `shiftline`, password the queue's
secret), so the secret leaves the URL path; the channels page gives the whole URL in the
`https://user:secret@host/…` form. The old token-in-path URL keeps working, logged as
deprecated."""

import base64
import logging
import re
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from marketplace.inquiries.models import Inquiry
from marketplace.intake import inbound_auth
from marketplace.intake.models import MailLogEntry
from marketplace.onboarding.models import BrandRole
from marketplace.queues import services as queues_services
from marketplace.queues.models import OverflowQueue
from tests import factories
from tests.marketplace.intake.emails import basic_auth, post_email, raw_email

pytestmark = pytest.mark.django_db

CHALLENGE = 'Basic realm="Shiftline inbound email", charset="UTF-8"'


def post_with_header(queue: OverflowQueue, authorization: str | None) -> Any:
    headers: dict[str, Any] = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    return APIClient().generic(  # type: ignore[arg-type]
        "POST", f"/api/v1/inbound/email/{queue.pk}", raw_email(),  # type: ignore[arg-type]
        content_type="message/rfc822", **headers)


def nothing_stored() -> bool:
    return not Inquiry.objects.exists() and not MailLogEntry.objects.exists()


def test_the_queues_credentials_let_the_mail_in(captured_tasks: list) -> None:
    queue = factories.queue()

    response = post_email(queue, raw_email())

    assert response.status_code == 201
    assert response.json()["outcome"] == "inquiry"
    assert Inquiry.objects.get().queue == queue


def test_missing_credentials_are_a_401_with_a_basic_challenge(captured_tasks: list) -> None:
    queue = factories.queue()

    response = post_with_header(queue, None)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == CHALLENGE
    assert response.json() == {
        "detail": "Send the queue's inbound email credentials with HTTP basic auth: user "
        "shiftline, password the queue's inbound secret (the channels page shows the whole "
        "URL).", "code": "unauthenticated"}
    assert nothing_stored()


def encoded(text: bytes) -> str:
    return "Basic " + base64.b64encode(text).decode()


@pytest.mark.parametrize(("authorization", "detail"), [
    ("wrong password", "Wrong user name or password for this queue's inbound email."),
    ("wrong user", "Wrong user name or password for this queue's inbound email."),
    ("another queue's secret", "Wrong user name or password for this queue's inbound email."),
    ("Basic", "The Authorization header must be 'Basic <base64 of user:password>'."),
    ("Basic not*base64", "The basic credentials are not base64 of 'user:password'."),
    ("no colon", "The basic credentials are not base64 of 'user:password'."),
    ("not utf-8", "The basic credentials are not base64 of 'user:password'."),
])
def test_wrong_or_malformed_credentials_are_a_401(authorization: str, detail: str,
                                                   captured_tasks: list) -> None:
    queue = factories.queue()
    header = {
        "wrong password": basic_auth(queue, password=queue.inbound_email_token + "x"),
        "wrong user": basic_auth(queue, username="admin"),
        "another queue's secret": basic_auth(factories.queue()),
        "no colon": encoded(queue.inbound_email_token.encode()),
        "not utf-8": encoded(b"shiftline:\xff\xfe"),
    }.get(authorization, authorization)

    response = post_with_header(queue, header)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == CHALLENGE
    assert response.json() == {"detail": detail, "code": "unauthenticated"}
    assert nothing_stored()


def test_an_api_key_is_no_inbound_credential(captured_tasks: list) -> None:
    queue = factories.queue()

    response = post_with_header(queue, f"Bearer {factories.api_key(of=queue.brand)}")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == CHALLENGE
    assert nothing_stored()


def test_the_secret_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch,
                                                 captured_tasks: list) -> None:
    queue = factories.queue()
    compared: list[tuple[bytes, bytes]] = []
    real = inbound_auth.hmac.compare_digest

    def spy(given: bytes, expected: bytes) -> bool:
        compared.append((given, expected))
        return real(given, expected)

    monkeypatch.setattr(inbound_auth.hmac, "compare_digest", spy)

    post_email(queue, raw_email())
    APIClient().generic(  # type: ignore[arg-type]
        "POST", f"/api/v1/inbound/email/{queue.pk}/{queue.inbound_email_token}", raw_email(),  # type: ignore[arg-type]
        content_type="message/rfc822")

    secret = queue.inbound_email_token.encode()
    assert compared == [(b"shiftline:" + secret, b"shiftline:" + secret), (secret, secret)]


def test_a_new_secret_ends_the_old_credentials(captured_tasks: list) -> None:
    queue = factories.queue()
    old = basic_auth(queue)
    queues_services.queue_rotate_inbound_email_token(
        queue=queue, membership=factories.brand_owner(of=queue.brand))

    refused = post_with_header(queue, old)
    accepted = post_with_header(queue, basic_auth(queue))

    assert (refused.status_code, accepted.status_code) == (401, 201)


def test_the_old_token_url_still_works_and_is_logged_as_deprecated(
    caplog: pytest.LogCaptureFixture, captured_tasks: list
) -> None:
    queue = factories.queue()

    with caplog.at_level(logging.WARNING, logger="marketplace.intake.inbound_api"):
        response = APIClient().generic(  # type: ignore[arg-type]
            "POST", f"/api/v1/inbound/email/{queue.pk}/{queue.inbound_email_token}",
            raw_email(), content_type="message/rfc822")  # type: ignore[arg-type]

    assert response.status_code == 201
    assert Inquiry.objects.count() == 1
    assert [(record.levelname, record.getMessage()) for record in caplog.records
            if record.name == "marketplace.intake.inbound_api"] == [(
                "WARNING",
                f"Deprecated inbound email URL with the secret in its path used for queue "
                f"{queue.pk} of brand {queue.brand_id}; move the mail route to "
                f"/api/v1/inbound/email/{queue.pk} with HTTP basic auth (shown on the queue's "
                "channels page).")]


def test_a_wrong_token_on_the_old_url_is_a_401_and_logs_no_use(
    caplog: pytest.LogCaptureFixture, captured_tasks: list
) -> None:
    queue = factories.queue()

    with caplog.at_level(logging.WARNING, logger="marketplace.intake.inbound_api"):
        response = APIClient().generic(  # type: ignore[arg-type]
            "POST", f"/api/v1/inbound/email/{queue.pk}/wrong-token", raw_email(),  # type: ignore[arg-type]
            content_type="message/rfc822")

    assert response.status_code == 401
    assert nothing_stored()
    assert not [record for record in caplog.records if "Deprecated" in record.getMessage()]


def test_the_channels_page_gives_the_url_with_credentials_that_work(
    captured_tasks: list
) -> None:
    queue = factories.queue()
    client = Client()
    client.force_login(factories.brand_member(of=queue.brand, role=BrandRole.OWNER))

    page = client.get(f"/brand/queues/{queue.pk}/channels/", secure=True).content.decode()
    match = re.search(r'<code id="inbound-email-url">([^<]+)</code>', page)

    assert match is not None
    url = urlsplit(match[1])
    assert match[1] == (f"https://shiftline:{queue.inbound_email_token}@testserver"
                        f"/api/v1/inbound/email/{queue.pk}")
    credentials = f"{unquote(url.username or '')}:{unquote(url.password or '')}"
    response = APIClient().generic(  # type: ignore[arg-type]
        "POST", url.path, raw_email(), content_type="message/rfc822",  # type: ignore[arg-type]
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(credentials.encode()).decode())
    assert response.status_code == 201


def test_openapi_documents_basic_auth_and_the_deprecated_url() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)

    current = schema["paths"]["/api/v1/inbound/email/{queue_id}"]["post"]
    old = schema["paths"]["/api/v1/inbound/email/{queue_id}/{token}"]["post"]
    scheme = schema["components"]["securitySchemes"]["InboundEmailBasic"]

    assert current["security"] == [{"InboundEmailBasic": []}]
    assert "deprecated" not in current
    assert "401" in current["responses"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "basic")
    assert old["deprecated"] is True
    assert old["description"].startswith("Deprecated: use `POST /api/v1/inbound/email/{queue_id}`")

"""PostgreSQL down: every API call answers a JSON 503 with Retry-After, a page the styled 503
page, both within 3 s; `/healthz` still answers 200 and `/readyz` names PostgreSQL as failing.

The shared PostgreSQL cannot be stopped, so the test connection is pointed at a port nothing
listens on (a refused connect) or at an address that never answers (the connect timeout)."""

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from marketplace.infra.unavailable import RETRY_AFTER_SECONDS
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

REFUSED = ("127.0.0.1", "1")
# TEST-NET-1 (RFC 5737): nothing answers, so only the connect timeout ends the wait.
SILENT = ("192.0.2.1", "5432")


def database_at(host: str, port: str) -> Iterator[None]:
    saved = connection.settings_dict["HOST"], connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["HOST"], connection.settings_dict["PORT"] = host, port
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["HOST"], connection.settings_dict["PORT"] = saved


@pytest.fixture
def database_refuses() -> Iterator[None]:
    yield from database_at(*REFUSED)


@pytest.fixture
def database_silent() -> Iterator[None]:
    yield from database_at(*SILENT)


def timed(call: Any) -> tuple[Any, float]:
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


@pytest.fixture
def brand_key() -> str:
    return factories.api_key(of=factories.brand())


@pytest.fixture
def signed_in_client() -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(factories.brand_member(of=factories.brand()))
    return client


def assert_api_unavailable(response: Any) -> None:
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.json()["code"] == "service_unavailable"


def test_an_api_call_answers_json_503_with_retry_after(brand_key: str,
                                                       database_refuses: None) -> None:
    client = Client(raise_request_exception=False)

    listed, _ = timed(lambda: client.get("/api/v1/queues",
                                         HTTP_AUTHORIZATION=f"Bearer {brand_key}"))
    created = client.post("/api/v1/inquiries", {"subject": "Help"}, content_type="application/json",
                          HTTP_AUTHORIZATION=f"Bearer {brand_key}")

    assert_api_unavailable(listed)
    assert_api_unavailable(created)


def test_an_api_call_answers_within_3_seconds_when_postgresql_does_not_answer(
    brand_key: str, database_silent: None,
) -> None:
    client = Client(raise_request_exception=False)

    response, seconds = timed(lambda: client.get("/api/v1/queues",
                                                 HTTP_AUTHORIZATION=f"Bearer {brand_key}"))

    assert_api_unavailable(response)
    assert seconds < 3


def test_a_page_is_the_styled_503_page(signed_in_client: Client,
                                       database_refuses: None) -> None:
    response = signed_in_client.get("/")

    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["Content-Type"].startswith("text/html")
    assert b"Shiftline is briefly unavailable" in response.content
    assert b"pico" in response.content


def test_an_unexpected_error_is_still_the_500_page() -> None:
    """Only a database outage becomes a 503; other server errors keep their 500."""
    from marketplace.urls import handler500

    client = Client()
    request = client.get("/healthz").wsgi_request
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        response = handler500(request)

    assert response.status_code == 500


def test_healthz_stays_200_and_readyz_says_postgresql_is_failing(
    database_refuses: None,
) -> None:
    client = Client(raise_request_exception=False)

    alive = client.get("/healthz")
    ready, seconds = timed(lambda: client.get("/readyz"))

    assert alive.status_code == 200
    assert ready.status_code == 503
    report = ready.json()
    assert report["status"] == "failing"
    assert report["checks"]["postgres"]["status"] == "failing"
    assert report["checks"]["redis"]["status"] == "ok"
    assert seconds < 2

"""The API's throttles, counted in Redis: per API key on every operation (lifted per key by
ops), wrong credentials per client address, the inbound endpoints per queue; 429 in JSON with
Retry-After; and every throttle lets requests through, with a warning, while Redis is down."""

import logging
from typing import Any

import pytest
from rest_framework.test import APIClient

from marketplace.access.models import ApiKey
from marketplace.inquiries.models import Inquiry
from tests import factories
from tests.marketplace.intake.emails import post_email, raw_email
from tests.marketplace.intake.test_webhook_intake import post_signed

pytestmark = pytest.mark.django_db

PAYLOAD = {
    "external_id": "zd-1", "channel": "email", "subject": "Where is my order?",
    "body": "It has not arrived.", "language": "en",
    "customer": {"email": "sam@example.com", "name": "Sam"},
}
DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def rates(settings: Any) -> dict[str, str]:
    """Small limits for these tests; each test changes the ones it checks."""
    settings.SHIFTLINE_THROTTLE_RATES = {**settings.SHIFTLINE_THROTTLE_RATES}
    return settings.SHIFTLINE_THROTTLE_RATES  # type: ignore[no-any-return]


def client_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_a_key_over_its_rate_gets_a_json_429_with_retry_after(rates: dict[str, str]) -> None:
    rates["api_key"] = "3/minute"
    queue = factories.queue()
    client = client_with(factories.api_key(of=queue.brand))

    answers = [client.get("/api/v1/inquiries") for _ in range(4)]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused["Content-Type"] == "application/json"
    assert "throttled" in refused.json()["detail"]
    assert 1 <= int(refused["Retry-After"]) <= 60


def test_each_key_has_its_own_count(rates: dict[str, str]) -> None:
    rates["api_key"] = "2/minute"
    queue = factories.queue()
    first, second = factories.api_key(of=queue.brand), factories.api_key(of=queue.brand)

    spent = [client_with(first).get("/api/v1/inquiries").status_code for _ in range(3)]
    other = client_with(second).get("/api/v1/inquiries")

    assert spent == [200, 200, 429]
    assert other.status_code == 200


def test_a_key_whose_limits_ops_lifted_is_never_throttled(rates: dict[str, str]) -> None:
    rates["api_key"] = "2/minute"
    queue = factories.queue()
    raw = factories.api_key(of=queue.brand)
    ApiKey.objects.filter(brand=queue.brand).update(rate_limited=False)

    answers = [client_with(raw).get("/api/v1/inquiries").status_code for _ in range(5)]

    assert answers == [200] * 5


def test_new_keys_are_rate_limited_by_default() -> None:
    queue = factories.queue()
    factories.api_key(of=queue.brand)

    assert ApiKey.objects.get().rate_limited is True


def test_many_wrong_keys_from_one_address_get_429_instead_of_401(rates: dict[str, str]) -> None:
    rates["credential_failures"] = "3/minute"
    factories.queue()
    guesses = [f"sl_guess{number:03d}_{'x' * 32}" for number in range(5)]

    answers = [client_with(guess).get("/api/v1/inquiries") for guess in guesses]

    assert [answer.status_code for answer in answers] == [401, 401, 401, 429, 429]
    assert int(answers[-1]["Retry-After"]) >= 1
    assert "wrong credentials" in answers[-1].json()["detail"]


def test_wrong_keys_from_another_address_do_not_count(rates: dict[str, str]) -> None:
    rates["credential_failures"] = "2/minute"
    queue = factories.queue()
    good = factories.api_key(of=queue.brand)
    for _ in range(3):
        APIClient(REMOTE_ADDR="203.0.113.9").get(
            "/api/v1/inquiries", HTTP_AUTHORIZATION=f"Bearer sl_guess000_{'x' * 32}")

    answer = client_with(good).get("/api/v1/inquiries")

    assert answer.status_code == 200


def test_the_webhook_is_throttled_per_queue(rates: dict[str, str], captured_tasks: list) -> None:
    rates["inbound"] = "2/minute"
    queue, other = factories.queue(), factories.queue()

    answers = [post_signed(queue, {**PAYLOAD, "external_id": f"zd-{number}"},
                           delivery=f"dlv-{number}").status_code for number in range(3)]
    elsewhere = post_signed(other, PAYLOAD, delivery="dlv-other")

    assert answers == [201, 201, 429]
    assert elsewhere.status_code == 201
    assert Inquiry.objects.filter(queue=queue).count() == 2


def test_inbound_email_is_throttled_per_queue(rates: dict[str, str], captured_tasks: list
                                              ) -> None:
    rates["inbound"] = "1/minute"
    queue = factories.queue()

    first = post_email(queue, raw_email(message_id="<one@mail.example.com>"))
    second = post_email(queue, raw_email(message_id="<two@mail.example.com>"))

    assert (first.status_code, second.status_code) == (201, 429)
    assert second.json()["detail"].startswith("Request was throttled")
    assert int(second["Retry-After"]) >= 1


def test_guessing_inbound_email_tokens_gets_429(rates: dict[str, str]) -> None:
    rates["credential_failures"] = "2/minute"
    queue = factories.queue()

    answers = [post_email(queue, raw_email(), password=f"guess-{number}").status_code
               for number in range(4)]
    right_token_meanwhile = post_email(queue, raw_email())

    assert answers == [401, 401, 429, 429]
    assert right_token_meanwhile.status_code == 429


def test_bad_webhook_signatures_count_as_wrong_credentials(rates: dict[str, str]) -> None:
    rates["credential_failures"] = "2/minute"
    queue = factories.queue()

    answers = [post_signed(queue, PAYLOAD, secret="not-the-secret", delivery=f"d-{number}")
               .status_code for number in range(3)]

    assert answers == [401, 401, 429]


def test_intake_keeps_answering_201_while_redis_is_down(
    settings: Any, rates: dict[str, str], captured_tasks: list,
    caplog: pytest.LogCaptureFixture,
) -> None:
    rates.update({"api_key": "1/minute", "inbound": "1/minute", "credential_failures": "1/minute"})
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": DEAD_REDIS}}
    queue = factories.queue()
    client = client_with(factories.api_key(of=queue.brand))

    with caplog.at_level(logging.WARNING, logger="marketplace.infra.throttling"):
        api = [client.post("/api/v1/inquiries", {**PAYLOAD, "external_id": f"zd-{number}"},
                           format="json").status_code for number in range(3)]
        emails = [post_email(queue, raw_email(message_id=f"<{number}@mail.example.com>"))
                  .status_code for number in range(3)]
        webhooks = [post_signed(queue, {**PAYLOAD, "external_id": f"wh-{number}"},
                                delivery=f"dlv-{number}").status_code for number in range(3)]

    assert (api, emails, webhooks) == ([201] * 3, [201] * 3, [201] * 3)
    assert Inquiry.objects.filter(queue=queue).count() == 9
    warnings = [record.getMessage() for record in caplog.records
                if record.name == "marketplace.infra.throttling"]
    assert warnings
    assert all("letting the request through" in warning for warning in warnings)
    assert any("Throttle api_key skipped" in warning for warning in warnings)
    assert any("Throttle inbound skipped" in warning for warning in warnings)

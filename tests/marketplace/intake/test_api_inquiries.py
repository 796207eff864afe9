"""The intake API: API keys, validation, idempotency, tenant isolation."""

from datetime import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from marketplace.access import services as access_services
from marketplace.access.models import ApiKey
from marketplace.inquiries.models import Inquiry, Message
from tests import factories

pytestmark = pytest.mark.django_db

PAYLOAD = {
    "external_id": "zd-1",
    "channel": "email",
    "subject": "Where is my order?",
    "body": "It has not arrived.",
    "language": "en",
    "customer": {"email": "Sam@Example.com", "name": "Sam"},
}


def client_with(key: str | None) -> APIClient:
    client = APIClient()
    if key:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_create_inquiry_schedules_routing_after_commit(
    captured_tasks: list, django_capture_on_commit_callbacks
) -> None:
    queue = factories.queue()
    key = factories.api_key(of=queue.brand)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_with(key).post("/api/v1/inquiries", PAYLOAD, format="json")

    assert response.status_code == 201
    inquiry = Inquiry.objects.get()
    assert response.json()["id"] == inquiry.pk
    assert (inquiry.queue, inquiry.status, inquiry.customer.email) == (
        queue, "received", "sam@example.com")
    assert list(Message.objects.values_list("direction", "body")) == [
        ("inbound", "It has not arrived.")]
    assert captured_tasks == [("routing.route_inquiry", [inquiry.pk])]


def test_same_external_id_twice_gives_the_same_inquiry(captured_tasks: list) -> None:
    queue = factories.queue()
    key = factories.api_key(of=queue.brand)

    first = client_with(key).post("/api/v1/inquiries", PAYLOAD, format="json")
    second = client_with(key).post("/api/v1/inquiries", PAYLOAD, format="json")

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Inquiry.objects.count() == 1
    assert Message.objects.count() == 1


def test_same_external_id_at_two_brands_gives_two_inquiries(captured_tasks: list) -> None:
    one, other = factories.queue(), factories.queue()

    client_with(factories.api_key(of=one.brand)).post("/api/v1/inquiries", PAYLOAD, format="json")
    client_with(factories.api_key(of=other.brand)).post("/api/v1/inquiries", PAYLOAD,
                                                        format="json")

    assert Inquiry.objects.count() == 2


@pytest.mark.parametrize("key", [None, "sl_nothere_wrong", "not-a-key", "sl_12345678_wrong"])
def test_missing_or_wrong_key_is_401(key: str | None, captured_tasks: list) -> None:
    factories.queue()

    response = client_with(key).post("/api/v1/inquiries", PAYLOAD, format="json")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="shiftline"'
    assert Inquiry.objects.count() == 0


def test_revoked_key_is_refused_at_once(captured_tasks: list, now: datetime) -> None:
    queue = factories.queue()
    raw = factories.api_key(of=queue.brand)
    access_services.api_key_revoke(api_key=ApiKey.objects.get(),
                                   actor=factories.brand_owner(of=queue.brand), now=now)

    response = client_with(raw).post("/api/v1/inquiries", PAYLOAD, format="json")

    assert response.status_code == 401
    assert Inquiry.objects.count() == 0


def test_key_is_stored_hashed_with_visible_prefix() -> None:
    brand = factories.brand()

    api_key, raw = access_services.api_key_create(
        brand=brand, actor=factories.brand_owner(of=brand), name="Zendesk")

    assert raw.startswith(f"sl_{api_key.prefix}_")
    assert raw not in api_key.hashed_key
    assert len(api_key.hashed_key) == 64


def test_key_records_last_use() -> None:
    queue = factories.queue()
    raw = factories.api_key(of=queue.brand)

    client_with(raw).get("/api/v1/inquiries")

    last_used_at = ApiKey.objects.get().last_used_at
    assert last_used_at is not None
    assert last_used_at <= timezone.now()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"channel": "fax"}, "channel", '"fax" is not a valid choice.'),
        ({"language": "english"}, "language", "Use a two-letter ISO 639-1 code such as 'en'."),
        ({"customer": {"email": "nope"}}, "customer", None),
        ({"subject": ""}, "subject", "This field may not be blank."),
        ({"external_id": "x" * 201}, "external_id",
         "Ensure this field has no more than 200 characters."),
    ],
)
def test_bad_payload_is_400_with_field_errors(
    change: dict[str, object], field: str, message: str | None, captured_tasks: list
) -> None:
    queue = factories.queue()

    response = client_with(factories.api_key(of=queue.brand)).post(
        "/api/v1/inquiries", {**PAYLOAD, **change}, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()
    if message:
        assert response.json()[field] == [message]
    assert Inquiry.objects.count() == 0


def test_malformed_json_is_400(captured_tasks: list) -> None:
    queue = factories.queue()

    response = client_with(factories.api_key(of=queue.brand)).post(
        "/api/v1/inquiries", data="{not json", content_type="application/json"
    )

    assert response.status_code == 400


def test_unknown_queue_is_404(captured_tasks: list) -> None:
    queue = factories.queue()
    foreign = factories.queue()

    response = client_with(factories.api_key(of=queue.brand)).post(
        "/api/v1/inquiries", {**PAYLOAD, "queue": foreign.pk}, format="json"
    )

    assert response.status_code == 404
    assert Inquiry.objects.count() == 0


def test_brand_reads_its_inquiry_with_messages_and_timeline(
    captured_tasks: list, now: datetime
) -> None:
    queue = factories.queue()
    inquiry = factories.inquiry(on=queue, now=now)

    response = client_with(factories.api_key(of=queue.brand)).get(
        f"/api/v1/inquiries/{inquiry.pk}"
    )

    assert response.status_code == 200
    body = response.json()
    assert [message["direction"] for message in body["messages"]] == ["inbound"]
    assert [event["kind"] for event in body["timeline"]] == ["received"]


def test_another_brands_inquiry_answers_404(captured_tasks: list, now: datetime) -> None:
    mine, theirs = factories.queue(), factories.queue()
    foreign = factories.inquiry(on=theirs, now=now)
    client = client_with(factories.api_key(of=mine.brand))

    detail = client.get(f"/api/v1/inquiries/{foreign.pk}")
    messages = client.get(f"/api/v1/inquiries/{foreign.pk}/messages")
    listing = client.get("/api/v1/inquiries")

    assert (detail.status_code, messages.status_code) == (404, 404)
    assert listing.json()["count"] == 0


def test_list_is_paginated_and_filtered(captured_tasks: list, now: datetime) -> None:
    queue = factories.queue()
    for _ in range(3):
        factories.inquiry(on=queue, now=now)
    client = client_with(factories.api_key(of=queue.brand))

    page = client.get("/api/v1/inquiries?limit=2")
    filtered = client.get("/api/v1/inquiries?status=resolved")
    invalid = client.get("/api/v1/inquiries?status=nonsense")

    assert (page.json()["count"], len(page.json()["results"])) == (3, 2)
    assert page.json()["next"] is not None
    assert filtered.json()["count"] == 0
    assert invalid.status_code == 400


def test_session_user_without_key_cannot_use_brand_api(client, captured_tasks: list) -> None:
    queue = factories.queue()
    client.force_login(factories.brand_member(of=queue.brand))

    response = client.get("/api/v1/inquiries")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="shiftline"'


def test_openapi_schema_lists_the_operations(client) -> None:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    operation_ids = {
        operation["operationId"]
        for path in response.json()["paths"].values()
        for operation in path.values()
    }
    assert {"inquiry_create", "inquiry_list", "inquiry_retrieve",
            "inquiry_message_list"} <= operation_ids


def test_an_unreachable_broker_loses_nothing_and_answers_201(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The inquiry is committed before the routing task is sent; a broker that is down is
    logged and the reconciling sweep routes the inquiry later, instead of a 500 for saved work."""
    from kombu.exceptions import OperationalError

    def broker_down(*_: object, **__: object) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("marketplace.celery.app.send_task", broker_down)
    queue = factories.queue()
    key = factories.api_key(of=queue.brand)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_with(key).post("/api/v1/inquiries", PAYLOAD, format="json")

    assert response.status_code == 201
    assert Inquiry.objects.filter(pk=response.json()["id"], status="received").exists()
    assert "Connection refused" in caplog.text

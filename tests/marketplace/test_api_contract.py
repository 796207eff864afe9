"""The schema declares what the server enforces and the server refuses what the schema forbids:
each contract failure schemathesis found, reproduced (issue 11, section 3)."""

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from experts.shifts.models import ShiftSlot
from marketplace.infra.json_fields import NOT_BLANK_PATTERN
from marketplace.inquiries.models import Inquiry, Message
from tests import factories

pytestmark = pytest.mark.django_db

INQUIRY = {"external_id": "zd-1", "channel": "email", "subject": "Where is my order?",
           "body": "It has not arrived.", "language": "en",
           "customer": {"email": "sam@example.com", "name": "Sam"}}


def brand_client(brand: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {factories.api_key(of=brand)}")
    return client


def components() -> dict[str, Any]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return dict(schema["components"]["schemas"])


def responses_of(path: str, method: str) -> dict[str, Any]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return dict(schema["paths"][path][method]["responses"])


@pytest.mark.parametrize(("change", "field"), [
    ({"body": -7396}, "body"), ({"subject": 12}, "subject"), ({"external_id": 0}, "external_id"),
    ({"customer": {"email": "sam@example.com", "name": 0}}, "customer"),
    ({"channel": 1}, "channel"), ({"queue": "1"}, "queue"), ({"queue": True}, "queue"),
    ({"subject": "   "}, "subject"), ({"subject": "\x1d"}, "subject"),
    ({"language": " en"}, "language"), ({"language": "en\n"}, "language"),
])
def test_inquiry_input_of_another_json_type_or_blank_is_a_400(
        change: dict[str, Any], field: str, captured_tasks: list) -> None:
    queue = factories.queue()

    response = brand_client(queue.brand).post("/api/v1/inquiries", {**INQUIRY, **change},
                                              format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert Inquiry.objects.count() == 0


def test_a_customer_message_body_must_be_a_string(now: datetime, captured_tasks: list) -> None:
    queue = factories.queue()
    inquiry = factories.inquiry(on=queue, now=now)
    messages = Message.objects.count()

    response = brand_client(queue.brand).post(f"/api/v1/inquiries/{inquiry.pk}/messages",
                                              {"body": -7396}, format="json")

    assert response.status_code == 400
    assert response.json() == {"body": ["Send text (a JSON string)."]}
    assert Message.objects.count() == messages


def test_text_that_must_not_be_blank_declares_so() -> None:
    """As a class of the characters DRF trims: ECMA's `\\S` (what clients validate with)
    counts U+001C to U+001F as text, Python's str.strip() as space."""
    schemas = components()

    inquiry = schemas["InquiryCreateInput"]["properties"]
    assert inquiry["subject"]["pattern"] == inquiry["body"]["pattern"] == NOT_BLANK_PATTERN
    assert "pattern" not in schemas["InquiryReviewInput"]["properties"]["comment"]


def test_customer_email_in_responses_is_a_plain_string() -> None:
    """Inbound email keeps whatever address arrived (`Zoë <zoë@exämple.com>`), so a response
    cannot promise `format: email`."""
    customer_email = components()["InquiryOutput"]["properties"]["customer_email"]

    assert customer_email["type"] == "string"
    assert "format" not in customer_email


SLOT = {"queue": 0, "starts_at": "", "ends_at": "", "headcount": 2}


def slot(queue_id: int, **change: Any) -> dict[str, Any]:
    starts = timezone.now() + timedelta(days=2)
    return {**SLOT, "queue": queue_id, "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=4)).isoformat(), **change}


@pytest.mark.parametrize(("change", "field"), [
    ({"is_hot": 0}, "is_hot"), ({"is_hot": "true"}, "is_hot"), ({"headcount": "2"}, "headcount"),
    ({"headcount": 2.0}, "headcount"), ({"premium_tier": 1.25}, "premium_tier"),
    ({"premium_tier": "1.25"}, "premium_tier"), ({"premium_tier": "night"}, "premium_tier"),
])
def test_shift_slot_input_the_schema_forbids_is_a_400(change: dict[str, Any],
                                                      field: str) -> None:
    queue = factories.queue()

    response = brand_client(queue.brand).post("/api/v1/shift-slots", slot(queue.pk, **change),
                                              format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not ShiftSlot.objects.exists()


def test_a_slot_ending_when_it_starts_is_a_documented_422() -> None:
    queue = factories.queue()
    starts = (timezone.now() + timedelta(days=2)).isoformat()

    response = brand_client(queue.brand).post(
        "/api/v1/shift-slots", slot(queue.pk, starts_at=starts, ends_at=starts),
        format="json")

    assert response.status_code == 422
    assert response.json() == {"detail": "A shift must end after it starts.",
                               "code": "shift_ends_before_start"}
    assert not ShiftSlot.objects.exists()
    assert "422" in responses_of("/api/v1/shift-slots", "post")
    assert "422" in responses_of("/api/v1/shift-slots/pattern", "post")


def test_the_premium_tier_the_publisher_picks_is_stored() -> None:
    queue = factories.queue()

    response = brand_client(queue.brand).post(
        "/api/v1/shift-slots", slot(queue.pk, premium_tier="weekend", is_hot=True),
        format="json")

    assert response.status_code == 201, response.json()
    assert (response.json()["premium_tier"], response.json()["is_hot"]) == ("weekend", True)


@pytest.mark.parametrize("week", ["", "20261123", "2026-W48-1", "next week"])
def test_a_coverage_week_that_is_not_a_date_is_a_400(week: str) -> None:
    queue = factories.queue()

    response = brand_client(queue.brand).get(f"/api/v1/queues/{queue.pk}/coverage",
                                             {"week": week})

    assert response.status_code == 400
    assert list(response.json()) == ["week"]


@pytest.mark.parametrize(("path", "method", "status"), [
    ("/api/v1/messages/{message_id}/retry-delivery", "post", "409"),
    ("/api/v1/queues/{queue_id}/macros", "post", "409"),
    ("/api/v1/queues/{queue_id}/macros/{macro_id}", "put", "409"),
    ("/api/v1/queues", "post", "409"),
    ("/api/v1/queues/{queue_id}/macros", "post", "422"),
    ("/api/v1/queues/{queue_id}", "patch", "422"),
])
def test_conflicts_and_rule_violations_are_documented(path: str, method: str,
                                                       status: str) -> None:
    response = responses_of(path, method)[status]

    assert response["description"]
    assert "application/json" in response["content"]


def test_the_queue_input_refuses_and_declares_no_unknown_fields() -> None:
    schemas = components()

    assert schemas["QueueInput"]["additionalProperties"] is False
    assert schemas["PatchedQueueInput"]["additionalProperties"] is False


def inbound_url(queue: Any) -> str:
    return f"/api/v1/inbound/email/{queue.pk}/{queue.inbound_email_token}"


@pytest.mark.parametrize("payload", [
    {"from_email": "sam@example.com", "headers": False},
    {"from_email": "sam@example.com", "attachments": 0},
    {"from_email": "sam@example.com", "attachments": [{"filename": 5, "content": ""}]},
    {"from_email": "sam@example.com", "attachments": [{"content": "\u0084"}]},
    {"from_email": 5},
])
def test_inbound_json_that_is_not_anymails_shape_is_a_400(payload: dict[str, Any],
                                                          captured_tasks: list) -> None:
    queue = factories.queue()

    response = APIClient().post(inbound_url(queue), payload, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_email"


def test_inbound_email_schema_takes_plain_strings_and_requires_a_body() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/inbound/email/{queue_id}/{token}"]["post"]
    fields = schema["components"]["schemas"]["NormalizedEmail"]

    assert operation["requestBody"]["required"] is True
    assert not fields.get("required")
    assert fields["properties"]["from_email"] == {
        "type": "string", "nullable": True,
        "description": "The From header: 'Sam <sam@example.com>'."}
    assert all("format" not in field for field in fields["properties"].values())

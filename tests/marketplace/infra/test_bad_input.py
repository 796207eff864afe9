"""Bad input is a clear 4xx and stores nothing: never a 500."""

import json
import time
from typing import Any

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from marketplace.infra import signing
from marketplace.inquiries.models import Inquiry
from marketplace.queues.models import OverflowQueue
from tests import factories
from tests.marketplace.intake.emails import basic_auth, post_email

pytestmark = pytest.mark.django_db

GOOD = {"external_id": "x-1", "channel": "email", "subject": "Hi", "body": "Hello",
        "customer": {"email": "sam@example.com"}}


def api_post(queue: OverflowQueue, body: bytes, content_type: str = "application/json") -> Any:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {factories.api_key(of=queue.brand)}")
    return client.generic("POST", "/api/v1/inquiries", body, content_type=content_type)  # type: ignore[arg-type]


def webhook_post(queue: OverflowQueue, body: bytes,
                 content_type: str = "application/json") -> Any:
    timestamp = int(time.time())
    return APIClient().generic(  # type: ignore[arg-type]
        "POST", f"/api/v1/webhooks/queues/{queue.pk}/inquiries", body,  # type: ignore[arg-type]
        content_type=content_type, HTTP_X_SHIFTLINE_TIMESTAMP=str(timestamp),
        HTTP_X_SHIFTLINE_SIGNATURE=signing.sign(secret=queue.webhook_secret,
                                                timestamp=timestamp, body=body),
        HTTP_X_SHIFTLINE_DELIVERY="d-1")


def email_post(queue: OverflowQueue, body: bytes, content_type: str = "message/rfc822") -> Any:
    return post_email(queue, body, content_type=content_type)


NUL_IN_STRING = json.dumps({**GOOD, "body": "a\u0000b"}).encode()
NUL_IN_KEY = json.dumps({**GOOD, "customer": {"email": "sam@example.com", "n\u0000": 1}}).encode()
LONE_SURROGATE = json.dumps({**GOOD, "subject": "\ud800"}).encode()
INVALID_UTF8 = json.dumps(GOOD).encode().replace(b"Hello", b"Hel\xff\xfelo")
NOT_JSON = b'{"external_id": '


@pytest.mark.parametrize(("body", "detail"), [
    (NUL_IN_STRING, "NUL characters (\\u0000) are not allowed in text."),
    (NUL_IN_KEY, "NUL characters (\\u0000) are not allowed in text."),
    (LONE_SURROGATE, "The text holds an unpaired surrogate (invalid Unicode)."),
    (INVALID_UTF8, "The body is not valid UTF-8 (byte 72)."),
])
@pytest.mark.parametrize("send", [api_post, webhook_post])
def test_unstorable_text_is_400(send: Any, body: bytes, detail: str,
                                captured_tasks: list) -> None:
    queue = factories.queue()

    response = send(queue, body)

    assert response.status_code == 400
    assert response.json()["detail"] == detail
    assert Inquiry.objects.count() == 0


@pytest.mark.parametrize("send", [api_post, webhook_post])
def test_malformed_json_is_400(send: Any, captured_tasks: list) -> None:
    queue = factories.queue()

    response = send(queue, NOT_JSON)

    assert response.status_code == 400
    assert response.json()["detail"].startswith("The body is not valid JSON")
    assert Inquiry.objects.count() == 0


@pytest.mark.parametrize("send", [api_post, webhook_post, email_post])
def test_wrong_content_type_is_415(send: Any, captured_tasks: list) -> None:
    queue = factories.queue()

    response = send(queue, b"<xml/>", content_type="application/xml")

    assert response.status_code == 415
    assert Inquiry.objects.count() == 0


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
@pytest.mark.parametrize(("send", "content_type"), [
    (api_post, "application/json"), (webhook_post, "application/json"),
    (email_post, "message/rfc822"), (email_post, "application/json"),
])
def test_oversized_body_is_413(send: Any, content_type: str, captured_tasks: list) -> None:
    queue = factories.queue()
    body = json.dumps({**GOOD, "body": "x" * 2000}).encode()

    response = send(queue, body, content_type=content_type)

    assert response.status_code == 413
    assert response.json()["detail"] == "The request body is larger than the limit of 1000 bytes."
    assert Inquiry.objects.count() == 0


@pytest.mark.parametrize("path", [
    "/api/v1/webhooks/queues/{missing}/inquiries", "/api/v1/inbound/email/{missing}/token",
    "/api/v1/inbound/email/{missing}",
])
def test_unknown_queue_is_404(path: str, captured_tasks: list) -> None:
    queue = factories.queue()

    response = APIClient().generic("POST", path.format(missing=queue.pk + 999), b"{}",  # type: ignore[arg-type]
                                   content_type="application/json",
                                   HTTP_AUTHORIZATION=basic_auth(queue))

    assert response.status_code == 404
    assert response.json()["detail"] == "Queue not found."


def test_unknown_queue_in_the_api_body_is_404(captured_tasks: list) -> None:
    queue = factories.queue()

    response = api_post(queue, json.dumps({**GOOD, "queue": queue.pk + 999}).encode())

    assert response.status_code == 404
    assert Inquiry.objects.count() == 0


SUBJECT = "\ufffd("


def test_invalid_utf8_in_a_raw_email_header_is_kept_readable(captured_tasks: list) -> None:
    queue = factories.queue()
    raw = (b"From: \xff\xfe <ana@example.com>\r\nSubject: \xc3\x28\r\n"
           b"Message-ID: <u@x>\r\n\r\nhi\r\n")

    response = email_post(queue, raw)

    assert response.status_code == 201
    inquiry = Inquiry.objects.get()
    assert (inquiry.customer.email, inquiry.subject) == ("ana@example.com", SUBJECT)

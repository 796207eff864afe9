"""Every error under /api/ answers in JSON, `{"detail", "code"}`, also where no API view runs
(a URL that matches nothing, a server error); pages keep their HTML. JSON nested deeper than
the parser's limit is a 400 on every JSON endpoint, never a RecursionError (500)."""

import json
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from marketplace.inquiries.models import Inquiry
from marketplace.queues.models import OverflowQueue
from tests import factories
from tests.marketplace.infra.test_bad_input import GOOD, api_post, email_post, webhook_post

pytestmark = pytest.mark.django_db

# What a browser asks for: HTML first, anything else after.
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
NOT_FOUND = {"detail": "Not found.", "code": "not_found"}


def brand_client(queue: OverflowQueue) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {factories.api_key(of=queue.brand)}")
    return client


@pytest.mark.parametrize("path", [
    "/api/v1/inquiries/abc",
    "/api/v1/queues/1x/macros",
    "/api/v1/attachments/-1",
    "/api/v1/no-such-operation",
    "/api/v2/inquiries",
])
def test_a_path_that_matches_nothing_under_the_api_is_a_json_404(path: str) -> None:
    queue = factories.queue()

    response = brand_client(queue).get(path, HTTP_ACCEPT=BROWSER_ACCEPT)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == NOT_FOUND


def test_a_page_path_that_matches_nothing_is_still_the_html_404() -> None:
    response = Client().get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert b"<html" in response.content


def test_a_wrong_method_is_a_json_405() -> None:
    queue = factories.queue()

    response = brand_client(queue).delete("/api/v1/inquiries", HTTP_ACCEPT=BROWSER_ACCEPT)

    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": 'Method "DELETE" not allowed.'}


def test_a_server_error_under_the_api_is_json(settings: Any,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    settings.DEBUG = False
    queue = factories.queue()

    def explode(**_: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("marketplace.inquiries.selectors.inquiry_get_for_brand", explode)

    response = brand_client(queue).get("/api/v1/inquiries/1", HTTP_ACCEPT=BROWSER_ACCEPT)

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "A server error occurred.", "code": "error"}


def with_nested(document: dict[str, Any], depth: int) -> bytes:
    """`document` with arrays nested under the key "nested" (written as text: the encoder
    recurses too) so the whole body nests `depth` levels."""
    arrays = depth - 1
    text = json.dumps({**document, "nested": None})
    return text.replace('"nested": null', '"nested": ' + "[" * arrays + "1" + "]" * arrays
                        ).encode()


def inquiry_with(depth: int) -> bytes:
    """A valid inquiry with an extra field, which the serializer ignores."""
    return with_nested(GOOD, depth)


def email_with(depth: int) -> bytes:
    """A normalized email with an extra field, which the serializer ignores."""
    return with_nested({"from_email": "Sam <sam@example.com>", "subject": "Hi", "text": "Hi"},
                       depth)


@pytest.mark.parametrize("depth", [65, 1_000, 100_000])
@pytest.mark.parametrize("send", [api_post, webhook_post])
def test_json_nested_too_deep_is_400(send: Any, depth: int, captured_tasks: list) -> None:
    queue = factories.queue()

    response = send(queue, inquiry_with(depth))

    assert response.status_code == 400
    assert response.json() == {"detail": "The JSON nests deeper than 64 levels."}
    assert Inquiry.objects.count() == 0


def test_inbound_email_json_nested_too_deep_is_400(captured_tasks: list) -> None:
    queue = factories.queue()

    response = email_post(queue, email_with(1_000), content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"] == "The JSON nests deeper than 64 levels."
    assert Inquiry.objects.count() == 0


@pytest.mark.parametrize("depth", [60, 64])
@pytest.mark.parametrize("send", [api_post, webhook_post])
def test_json_nested_up_to_the_limit_is_accepted(send: Any, depth: int,
                                                 captured_tasks: list) -> None:
    queue = factories.queue()

    response = send(queue, inquiry_with(depth))

    assert response.status_code == 201
    assert Inquiry.objects.count() == 1


def test_inbound_email_json_nested_up_to_the_limit_is_not_refused(captured_tasks: list) -> None:
    queue = factories.queue()

    response = email_post(queue, email_with(64), content_type="application/json")

    assert response.status_code < 300

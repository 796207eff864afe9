"""The widget's HTTP API: the queue by origin (CORS for the brand's sites only), starting a
chat through intake with the honest promise, the State, messages idempotent by client id,
and the limits (size, files, rate)."""

from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from marketplace.inquiries.models import (
    Inquiry,
    InquiryChannel,
    InquirySource,
    InquiryStatus,
    Message,
)
from marketplace.widget.models import WidgetConversation
from routing.offers import services as offers_services
from tests.marketplace.widget.support import SITE, bearer, client, open_queue, start

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_queue_answers_an_allowed_site_with_cors_and_the_promise() -> None:
    queue = open_queue()

    response = client("https://SHOP.example:443").get(
        f"/widget/api/v1/queues/{queue.widget_public_id}?lang=en")

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://SHOP.example:443"
    assert "Origin" in response["Vary"]
    body = response.json()
    assert body["brand"] == queue.brand.name
    assert body["available"] is True
    assert body["unavailable_reason"] == ""
    assert body["required_fields"] == ["email"]
    assert body["waiting"] == 0
    assert body["long_wait_seconds"] == 120
    assert body["promise"]["seconds"] > 0
    assert body["promise"]["text"].startswith("An expert usually answers within")


@pytest.mark.parametrize("origin", ["https://evil.example", "http://shop.example", None])
def test_queue_refuses_any_other_site(origin: str | None) -> None:
    queue = open_queue(staffed=False)

    response = client(origin).get(f"/widget/api/v1/queues/{queue.widget_public_id}")

    assert response.status_code == 403
    assert response.json()["detail"] == "This site is not allowed to use this chat."
    # Readable by the page (the widget says why it cannot load), and nothing else is.
    assert response["Access-Control-Allow-Origin"] == "*"


def test_preflight_is_answered_for_an_allowed_site_only() -> None:
    queue = open_queue(staffed=False)
    path = f"/widget/api/v1/queues/{queue.widget_public_id}/conversations"

    allowed = client().options(path, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    refused = client("https://evil.example").options(path)

    assert allowed.status_code == 204
    assert allowed["Access-Control-Allow-Origin"] == SITE
    assert "POST" in allowed["Access-Control-Allow-Methods"]
    assert "Authorization" in allowed["Access-Control-Allow-Headers"]
    assert refused.status_code == 403


def test_unknown_queue_is_404() -> None:
    assert client().get("/widget/api/v1/queues/wq_nothing").status_code == 404


def test_queue_without_anyone_on_shift_says_so() -> None:
    queue = open_queue(staffed=False)

    body = client().get(f"/widget/api/v1/queues/{queue.widget_public_id}").json()

    assert body["available"] is False
    assert body["unavailable_reason"] == "nobody_on_shift"


def test_starting_a_chat_creates_a_routed_chat_inquiry_with_its_promise(
        captured_tasks: list, django_capture_on_commit_callbacks: Any) -> None:
    queue = open_queue()

    with django_capture_on_commit_callbacks(execute=True):
        response = start(queue)

    assert response.status_code == 201
    body = response.json()
    conversation = WidgetConversation.objects.get(public_id=body["conversation"])
    inquiry = Inquiry.objects.get(pk=conversation.inquiry_id)
    assert (inquiry.channel, inquiry.source, inquiry.language) == (
        InquiryChannel.CHAT, InquirySource.WIDGET, "en")
    assert inquiry.promised_reply_by is not None
    assert inquiry.customer.email == "sam@example.com"
    assert ("routing.route_inquiry", [inquiry.pk]) in captured_tasks
    assert conversation.token_hash != body["token"] and len(body["token"]) > 30
    state = body["state"]
    assert state["status"] == "queued"
    assert state["position"] == 1
    assert [(m["from"], m["body"], m["client_id"], m["delivery"]) for m in state["messages"]] \
        == [("customer", "Where is my order?", "c-1", "delivered")]
    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=timezone.now())
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.OFFERED


def test_a_chat_needs_the_required_fields() -> None:
    queue = open_queue()

    response = start(queue, email="")

    assert response.status_code == 400
    assert response.json()["errors"] == {"email": ["This field is required."]}
    assert not Inquiry.objects.exists()


def test_a_chat_nobody_can_take_offers_to_leave_a_message() -> None:
    queue = open_queue(staffed=False)

    response = start(queue)

    assert response.status_code == 409
    assert response.json()["leave_message"] is True
    assert not Inquiry.objects.exists()


def test_state_needs_the_conversations_token() -> None:
    queue = open_queue()
    body = start(queue).json()
    path = f"/widget/api/v1/conversations/{body['conversation']}"

    assert bearer(body["token"]).get(path).status_code == 200
    assert bearer("wrong").get(path).status_code == 401
    assert client().get(path).status_code == 401
    assert bearer(body["token"]).get("/widget/api/v1/conversations/wc_nothing").status_code \
        == 404
    assert bearer(body["token"], origin="https://evil.example").get(path).status_code == 403


def test_a_message_posted_twice_with_one_client_id_is_one_message() -> None:
    queue = open_queue()
    body = start(queue).json()
    path = f"/widget/api/v1/conversations/{body['conversation']}/messages"
    api = bearer(body["token"])

    first = api.post(path, {"body": "Order 1234", "client_id": "c-2"}, format="json")
    again = api.post(path, {"body": "Order 1234", "client_id": "c-2"}, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["client_id"] == "c-2"
    assert Message.objects.filter(body="Order 1234").count() == 1


def test_a_message_over_5000_characters_is_refused() -> None:
    queue = open_queue()
    body = start(queue).json()

    response = bearer(body["token"]).post(
        f"/widget/api/v1/conversations/{body['conversation']}/messages",
        {"body": "x" * 5001, "client_id": "c-3"}, format="json")

    assert response.status_code == 413
    assert "5000" in response.json()["detail"]
    assert Message.objects.count() == 1


def test_files_are_images_or_pdf_within_the_email_limit() -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    queue = open_queue()
    body = start(queue).json()
    path = f"/widget/api/v1/conversations/{body['conversation']}/messages"
    api = bearer(body["token"])

    def post(name: str, content: bytes, client_id: str) -> int:
        upload = SimpleUploadedFile(name, content, content_type="image/png")
        return api.post(path, {"body": "see", "client_id": client_id, "files": [upload]},
                        format="multipart").status_code

    assert post("script.png", b"<script>alert(1)</script>", "f-1") == 415
    with override_settings(SHIFTLINE_ATTACHMENT_MAX_BYTES=16):
        assert post("big.png", PNG, "f-2") == 413
    assert post("photo.png", PNG, "f-3") == 201
    stored = Message.objects.get(body="see").attachments.get()
    assert (stored.filename, stored.content_type, stored.size) == ("photo.png", "image/png", 40)


@override_settings(SHIFTLINE_THROTTLE_RATES={"widget_start": "2/hour"})
def test_starting_chats_is_rate_limited_per_address() -> None:
    queue = open_queue()

    codes = [start(queue, client_id=f"c-{n}").status_code for n in range(3)]
    refused = start(queue, client_id="c-9")

    assert codes == [201, 201, 429]
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert refused["Access-Control-Allow-Origin"] == SITE


def test_the_expert_opening_the_chat_reads_the_customers_messages(captured_tasks: list) -> None:
    from django.test import Client

    from routing.models import ExpertSeat
    queue = open_queue()
    body = start(queue).json()
    conversation = WidgetConversation.objects.get(public_id=body["conversation"])
    expert = ExpertSeat.objects.get(queue=queue).expert
    outcome = offers_services.inquiry_route(inquiry_id=conversation.inquiry_id,
                                            now=timezone.now())
    assert outcome.offer_id is not None
    offers_services.offer_accept(offer_id=outcome.offer_id, expert=expert, now=timezone.now())
    desk = Client()
    desk.force_login(expert.user)
    path = f"/widget/api/v1/conversations/{body['conversation']}"

    before = bearer(body["token"]).get(path).json()["messages"][0]["delivery"]
    page = desk.get(f"/expert/inquiries/{conversation.inquiry_id}/")
    after = bearer(body["token"]).get(path).json()

    assert page.status_code == 200
    assert f'data-typing-inquiry="{conversation.inquiry_id}"' in page.content.decode()
    assert f'id="customer-typing-{conversation.inquiry_id}"' in page.content.decode()
    assert (before, after["messages"][0]["delivery"]) == ("delivered", "read")
    assert after["status"] == "assigned"


@override_settings(SHIFTLINE_THROTTLE_RATES={"widget_message": "2/minute"})
def test_messages_are_rate_limited_per_conversation() -> None:
    queue = open_queue()
    body = start(queue).json()
    path = f"/widget/api/v1/conversations/{body['conversation']}/messages"
    api = bearer(body["token"])

    codes = [api.post(path, {"body": f"n{n}", "client_id": f"m-{n}"}, format="json")
             for n in range(3)]

    assert [response.status_code for response in codes] == [201, 201, 429]
    assert int(codes[-1]["Retry-After"]) > 0
    assert not Message.objects.filter(body="n2").exists()

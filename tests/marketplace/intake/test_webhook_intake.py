"""The signed helpdesk webhook: signature, tolerance, once-only deliveries."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from marketplace.infra import signing
from marketplace.inquiries.models import Inquiry, InquirySource
from marketplace.intake.models import InboundDelivery
from marketplace.onboarding.models import BrandMembership
from marketplace.queues import services as queue_channels
from marketplace.queues.models import OverflowQueue
from tests import factories

pytestmark = pytest.mark.django_db

PAYLOAD = {
    "external_id": "zd-7", "channel": "chat", "subject": "Refund", "body": "Please refund.",
    "language": "en", "customer": {"email": "ana@example.com", "name": "Ana"},
}


def post_signed(queue: OverflowQueue, payload: Any, *, delivery: str = "dlv-1",
                secret: str | None = None, age: timedelta = timedelta(0),
                raw: bytes | None = None) -> Any:
    body = raw if raw is not None else json.dumps(payload).encode()
    timestamp = int((timezone.now() - age).timestamp())
    signature = signing.sign(secret=secret or queue.webhook_secret, timestamp=timestamp,
                             body=body)
    return APIClient().generic(  # type: ignore[arg-type]
        "POST", f"/api/v1/webhooks/queues/{queue.pk}/inquiries", body,  # type: ignore[arg-type]
        content_type="application/json",
        HTTP_X_SHIFTLINE_TIMESTAMP=str(timestamp), HTTP_X_SHIFTLINE_SIGNATURE=signature,
        HTTP_X_SHIFTLINE_DELIVERY=delivery,
    )


def test_signed_webhook_creates_an_inquiry_with_its_promise(captured_tasks: list) -> None:
    queue = factories.queue()

    response = post_signed(queue, PAYLOAD)

    assert response.status_code == 201
    inquiry = Inquiry.objects.get()
    assert (inquiry.external_id, inquiry.channel, inquiry.source) == (
        "zd-7", "chat", InquirySource.WEBHOOK)
    assert response.json()["id"] == inquiry.pk
    assert response.json()["promise"]["text"] == inquiry.promise_text


def test_same_delivery_id_is_processed_once_and_answers_the_same(captured_tasks: list) -> None:
    queue = factories.queue()

    first = post_signed(queue, PAYLOAD)
    second = post_signed(queue, {**PAYLOAD, "external_id": "zd-8"})

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert second["X-Shiftline-Replayed"] == "true"
    assert list(Inquiry.objects.values_list("external_id", flat=True)) == ["zd-7"]
    assert InboundDelivery.objects.count() == 1


def test_same_delivery_id_on_another_queue_is_a_separate_delivery(captured_tasks: list) -> None:
    one, other = factories.queue(), factories.queue()

    post_signed(one, PAYLOAD)
    response = post_signed(other, PAYLOAD)

    assert response.status_code == 201
    assert Inquiry.objects.count() == 2


def test_message_event_adds_the_customer_reply(captured_tasks: list) -> None:
    queue = factories.queue()
    post_signed(queue, PAYLOAD)

    response = post_signed(queue, {"event": "message.created", "external_id": "zd-7",
                                   "body": "Any news?"}, delivery="dlv-2")

    assert response.status_code == 201
    assert list(Inquiry.objects.get().messages.values_list("body", flat=True)) == [
        "Please refund.", "Any news?"]


def test_message_event_for_an_unknown_inquiry_is_404_and_not_recorded(
    captured_tasks: list,
) -> None:
    queue = factories.queue()

    response = post_signed(queue, {"event": "message.created", "external_id": "nope",
                                   "body": "Hi"})

    assert response.status_code == 404
    assert InboundDelivery.objects.count() == 0


def test_bad_signature_is_401_and_nothing_is_stored(captured_tasks: list) -> None:
    queue = factories.queue()

    response = post_signed(queue, PAYLOAD, secret="not-the-secret")

    assert response.status_code == 401
    assert response.json()["detail"] == "The signature does not match the body and timestamp."
    assert Inquiry.objects.count() == 0
    assert InboundDelivery.objects.count() == 0


def test_old_timestamp_is_401_with_a_clear_message(captured_tasks: list) -> None:
    queue = factories.queue()

    response = post_signed(queue, PAYLOAD, age=timedelta(minutes=6))

    assert response.status_code == 401
    assert "away from our clock; the limit is 300 s" in response.json()["detail"]
    assert Inquiry.objects.count() == 0


def test_timestamp_within_five_minutes_is_accepted(captured_tasks: list) -> None:
    queue = factories.queue()

    response = post_signed(queue, PAYLOAD, age=timedelta(minutes=4, seconds=50))

    assert response.status_code == 201


def test_missing_signature_headers_are_401(captured_tasks: list) -> None:
    queue = factories.queue()

    response = APIClient().post(f"/api/v1/webhooks/queues/{queue.pk}/inquiries", PAYLOAD,
                                format="json")

    assert response.status_code == 401
    assert Inquiry.objects.count() == 0


def test_rotated_secret_refuses_the_old_one(captured_tasks: list) -> None:
    queue = factories.queue()
    old = queue.webhook_secret

    admin = BrandMembership.objects.get(user=factories.brand_member(of=queue.brand))
    new = queue_channels.queue_rotate_webhook_secret(queue=queue, membership=admin)
    response = post_signed(queue, PAYLOAD, secret=old)

    assert new != old
    assert response.status_code == 401
    assert post_signed(queue, PAYLOAD, secret=new).status_code == 201


def test_unknown_queue_is_404(captured_tasks: list) -> None:
    queue = factories.queue()
    queue.pk = queue.pk + 1000

    response = post_signed(queue, PAYLOAD)

    assert response.status_code == 404


@pytest.mark.parametrize("delivery", ["", "has space", "x" * 101])
def test_missing_or_malformed_delivery_id_is_400(delivery: str, captured_tasks: list) -> None:
    queue = factories.queue()

    response = post_signed(queue, PAYLOAD, delivery=delivery)

    assert response.status_code == 400
    assert Inquiry.objects.count() == 0


def test_invalid_payload_is_400_and_the_delivery_can_be_sent_again(captured_tasks: list) -> None:
    queue = factories.queue()

    refused = post_signed(queue, {**PAYLOAD, "channel": "fax"})
    accepted = post_signed(queue, PAYLOAD)

    assert (refused.status_code, accepted.status_code) == (400, 201)
    assert Inquiry.objects.count() == 1


def test_signature_helper_accepts_one_of_several_signatures() -> None:
    now = timezone.now()
    body = b'{"a":1}'
    good = signing.sign(secret="s3cret", timestamp=int(now.timestamp()), body=body)

    signing.verify(secret="s3cret", timestamp_header=str(int(now.timestamp())),
                   signature_header=f"v1=deadbeef, {good}", body=body, now=now)
    with pytest.raises(signing.SignatureRejected):
        signing.verify(secret="s3cret", timestamp_header="soon", signature_header=good,
                       body=body, now=now)

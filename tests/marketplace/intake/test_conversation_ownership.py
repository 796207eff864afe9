"""Nobody writes into another customer's conversation: Message-IDs we send cannot be guessed, a
mail joins a conversation only from its customer's address, and the REST message endpoint and
the webhook's message.created take only the brand's own key or secret (issue 11, section 1)."""

import json
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from marketplace.delivery import services as delivery
from marketplace.infra import signing
from marketplace.inquiries.models import Inquiry, InquiryStatus, Message
from marketplace.intake.models import InboundDelivery
from tests import factories
from tests.conftest import SUNDAY_AFTERNOON
from tests.marketplace.intake.emails import post_email, raw_email

pytestmark = pytest.mark.django_db

RANDOM_ID = re.compile(r"<[0-9a-f]{32}@shiftline\.localhost>")
STRANGER = "Mallory <mallory@attacker.example>"


def acknowledged_inquiry() -> tuple[Any, Inquiry, str]:
    queue = factories.queue()
    post_email(queue, raw_email())
    inquiry = Inquiry.objects.get()
    delivery.inquiry_send_acknowledgement(inquiry_id=inquiry.pk, now=SUNDAY_AFTERNOON)
    return queue, inquiry, mail.outbox[-1].extra_headers["Message-ID"]


def test_acknowledgement_message_ids_are_random_and_kept_on_the_inquiry(
    captured_tasks: list,
) -> None:
    queue = factories.queue()
    post_email(queue, raw_email(message_id="<one@mail.example.com>"))
    post_email(queue, raw_email(message_id="<two@mail.example.com>", sender="b@example.com"))
    one, two = Inquiry.objects.order_by("pk")

    for inquiry in (one, two):
        delivery.inquiry_send_acknowledgement(inquiry_id=inquiry.pk, now=SUNDAY_AFTERNOON)

    sent = [message.extra_headers["Message-ID"] for message in mail.outbox]
    one.refresh_from_db()
    two.refresh_from_db()
    assert [one.acknowledgement_message_id, two.acknowledgement_message_id] == sent
    assert all(RANDOM_ID.fullmatch(message_id) for message_id in sent)
    assert sent[0] != sent[1]
    assert f"ack-{one.pk}" not in sent[0]


def test_reply_message_ids_are_random(captured_tasks: list) -> None:
    queue = factories.queue()

    first, _ = factories.expert_reply(on=queue, now=SUNDAY_AFTERNOON)
    second, _ = factories.expert_reply(on=queue, now=SUNDAY_AFTERNOON)

    assert RANDOM_ID.fullmatch(first.email_message_id)
    assert RANDOM_ID.fullmatch(second.email_message_id)
    assert first.email_message_id != second.email_message_id


def test_a_stranger_quoting_the_acknowledgement_opens_a_new_inquiry(captured_tasks: list) -> None:
    queue, inquiry, ack_id = acknowledged_inquiry()

    response = post_email(queue, raw_email(
        message_id="<iban@attacker.example>", sender=STRANGER, subject="Re: Broken zip",
        body="Send my refund to this IBAN instead.", in_reply_to=ack_id))

    assert response.status_code == 201
    assert (response.json()["outcome"], response.json()["threaded"]) == ("inquiry", False)
    assert list(inquiry.messages.values_list("body", flat=True)) == ["The zip broke on day one."]
    new = Inquiry.objects.exclude(pk=inquiry.pk).get()
    assert (new.customer.email, new.quoted_inquiry_id) == ("mallory@attacker.example",
                                                           inquiry.pk)
    assert new.events.filter(kind="quoted_another_conversation").get().data == {
        "quoted_inquiry_ids": [inquiry.pk], "sender": "mallory@attacker.example"}
    assert inquiry.events.filter(kind="quoted_by_another_sender").get().data == {
        "inquiry_id": new.pk, "sender": "mallory@attacker.example"}


def test_a_stranger_quoting_an_answered_conversation_does_not_reach_its_expert(
    captured_tasks: list, monkeypatch: pytest.MonkeyPatch,
) -> None:
    queue = factories.queue()
    reply, _ = factories.expert_reply(on=queue, now=SUNDAY_AFTERNOON,
                                      customer_email="ana@example.com")
    pushed: list[object] = []
    monkeypatch.setattr("marketplace.intake.services.push_to_expert_on_commit",
                        lambda *args, **kwargs: pushed.append(args))

    response = post_email(queue, raw_email(
        message_id="<iban@attacker.example>", sender=STRANGER, body="New IBAN: …",
        references=reply.email_message_id))

    inquiry = reply.inquiry
    inquiry.refresh_from_db()
    assert response.json()["outcome"] == "inquiry"
    assert inquiry.status == InquiryStatus.WAITING_ON_CUSTOMER
    assert inquiry.messages.count() == 2
    assert pushed == []


@pytest.mark.parametrize("sender", ["Ana Silva <Ana@Example.com>", "ana@example.com",
                                    "ANA@EXAMPLE.COM"])
def test_the_customer_replying_to_the_acknowledgement_joins_the_conversation(
    sender: str, captured_tasks: list,
) -> None:
    queue, inquiry, ack_id = acknowledged_inquiry()

    response = post_email(queue, raw_email(message_id="<thanks@mail.example.com>",
                                           sender=sender, body="Thanks!", in_reply_to=ack_id))

    assert response.json()["outcome"] == "threaded"
    assert list(inquiry.messages.values_list("body", flat=True)) == [
        "The zip broke on day one.", "Thanks!"]


@pytest.mark.parametrize("sender", ["Ana Silva <ana@example.com>", STRANGER])
def test_old_guessable_acknowledgement_ids_thread_nothing(sender: str,
                                                          captured_tasks: list) -> None:
    queue = factories.queue()
    post_email(queue, raw_email())
    inquiry = Inquiry.objects.get()

    response = post_email(queue, raw_email(
        message_id="<guess@mail.example.com>", sender=sender, body="Hello",
        in_reply_to=f"<ack-{inquiry.pk}@shiftline.localhost>"))

    assert response.json()["outcome"] == "inquiry"
    assert inquiry.messages.count() == 1
    assert Inquiry.objects.exclude(pk=inquiry.pk).get().quoted_inquiry_id is None


def test_the_console_shows_that_an_inquiry_quoted_another_conversation(
    captured_tasks: list,
) -> None:
    queue, inquiry, ack_id = acknowledged_inquiry()
    post_email(queue, raw_email(message_id="<iban@attacker.example>", sender=STRANGER,
                                in_reply_to=ack_id))
    new = Inquiry.objects.exclude(pk=inquiry.pk).get()
    client = Client()
    client.force_login(factories.brand_member(of=queue.brand))

    page = " ".join(client.get(f"/brand/inquiries/{new.pk}/").content.decode().split())
    quoted = " ".join(client.get(f"/brand/inquiries/{inquiry.pk}/").content.decode().split())

    assert f'This email quoted <a href="/brand/inquiries/{inquiry.pk}/">inquiry #{inquiry.pk}' \
        "</a>, but its sender is not that conversation's customer, so it was kept apart." in page
    assert "Quoted another conversation" in page
    assert "Quoted by another sender" in quoted
    assert f"it was not added here but opened inquiry #{new.pk}" in quoted


def bearer(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_another_brands_key_cannot_post_a_customer_message(captured_tasks: list) -> None:
    inquiry = factories.inquiry(on=factories.queue(), now=SUNDAY_AFTERNOON)
    other_key = factories.api_key(of=factories.brand())

    response = bearer(other_key).post(f"/api/v1/inquiries/{inquiry.pk}/messages",
                                      {"body": "Send my refund elsewhere."}, format="json")

    assert response.status_code == 404
    assert list(Message.objects.values_list("body", flat=True)) == ["It has not arrived."]
    assert inquiry.events.count() == 1


def signed_message_created(queue: Any, *, secret: str, external_id: str) -> Any:
    body = json.dumps({"event": "message.created", "external_id": external_id,
                       "body": "Send my refund elsewhere."}).encode()
    timestamp = int(timezone.now().timestamp())
    return APIClient().generic(  # type: ignore[arg-type]
        "POST", f"/api/v1/webhooks/queues/{queue.pk}/inquiries", body,  # type: ignore[arg-type]
        content_type="application/json", HTTP_X_SHIFTLINE_TIMESTAMP=str(timestamp),
        HTTP_X_SHIFTLINE_SIGNATURE=signing.sign(secret=secret, timestamp=timestamp, body=body),
        HTTP_X_SHIFTLINE_DELIVERY="dlv-evil")


def test_another_brands_webhook_secret_is_refused_on_message_created(
    captured_tasks: list,
) -> None:
    queue, other_queue = factories.queue(), factories.queue()
    inquiry = factories.inquiry(on=queue, now=SUNDAY_AFTERNOON, external_id="zd-1")

    response = signed_message_created(queue, secret=other_queue.webhook_secret,
                                      external_id="zd-1")

    assert response.status_code == 401
    assert inquiry.messages.count() == 1
    assert InboundDelivery.objects.count() == 0


def test_a_brands_own_webhook_cannot_reach_another_brands_inquiry(captured_tasks: list) -> None:
    queue, other_queue = factories.queue(), factories.queue()
    inquiry = factories.inquiry(on=queue, now=SUNDAY_AFTERNOON, external_id="zd-1")

    response = signed_message_created(other_queue, secret=other_queue.webhook_secret,
                                      external_id="zd-1")

    assert response.status_code == 404
    assert inquiry.messages.count() == 1
    assert InboundDelivery.objects.count() == 0


def test_the_customer_can_still_reply_after_a_stranger_quoted_the_conversation(
    captured_tasks: list,
) -> None:
    queue, inquiry, ack_id = acknowledged_inquiry()
    post_email(queue, raw_email(message_id="<iban@attacker.example>", sender=STRANGER,
                                in_reply_to=ack_id))

    response = post_email(queue, raw_email(message_id="<real@mail.example.com>",
                                           body="Any news?", in_reply_to=ack_id))

    assert response.json()["outcome"] == "threaded"
    assert response.json()["inquiry"]["id"] == inquiry.pk


def test_a_reused_message_id_from_a_stranger_is_not_taken_for_a_redelivery(
    captured_tasks: list,
) -> None:
    queue = factories.queue()
    post_email(queue, raw_email(message_id="<first@mail.example.com>"))

    response = post_email(queue, raw_email(message_id="<first@mail.example.com>",
                                           sender=STRANGER, body="Mine now."))

    assert (response.status_code, response.json()["outcome"]) == (201, "inquiry")
    assert Inquiry.objects.count() == 2
    assert Message.objects.get(inquiry__customer__email="mallory@attacker.example").body == \
        "Mine now."


def test_the_expert_replies_thread_only_for_the_customer(captured_tasks: list) -> None:
    queue = factories.queue()
    # Now, not a fixed day: the customer's reply returns to an expert still on shift.
    reply, _ = factories.expert_reply(on=queue, now=timezone.now(),
                                      customer_email="ana@example.com")

    response = post_email(queue, raw_email(message_id="<ok@mail.example.com>",
                                           body="Photo attached.",
                                           references=reply.email_message_id))

    assert response.json()["outcome"] == "threaded"
    inquiry = reply.inquiry
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.ASSIGNED

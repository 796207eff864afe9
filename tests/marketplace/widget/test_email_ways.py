"""The widget's ways to email: a message left when nobody can chat (an email inquiry with its
promise emailed), a chat turned into email when the wait is long (replies then go by email),
and the transcript."""

from datetime import datetime
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from marketplace.delivery import services as delivery_services
from marketplace.inquiries.models import Inquiry, InquiryChannel, InquirySource
from marketplace.widget import services as widget_services
from marketplace.widget.models import WidgetConversation
from routing.assignments import services as assignments_services
from routing.models import ExpertSeat
from routing.offers import services as offers_services
from tests.marketplace.widget.support import bearer, client, open_queue, start

pytestmark = pytest.mark.django_db


def test_a_message_left_is_an_email_inquiry_acknowledged_with_its_promise(
        django_capture_on_commit_callbacks: Any, captured_tasks: list) -> None:
    queue = open_queue(staffed=False)

    with django_capture_on_commit_callbacks(execute=True):
        response = client().post(
            f"/widget/api/v1/queues/{queue.widget_public_id}/messages",
            {"name": "Sam", "email": "sam@example.com", "language": "en",
             "message": "Call me back about order 1234."}, format="json")

    assert response.status_code == 201
    inquiry = Inquiry.objects.get()
    assert (inquiry.channel, inquiry.source) == (InquiryChannel.EMAIL, InquirySource.WIDGET)
    assert ("marketplace.send_acknowledgement", [inquiry.pk]) in captured_tasks
    assert ("routing.route_inquiry", [inquiry.pk]) in captured_tasks
    assert response.json()["text"].startswith("We will email you a reply")
    delivery_services.inquiry_send_acknowledgement(inquiry_id=inquiry.pk, now=timezone.now())
    assert [(sent.to, sent.body) for sent in mail.outbox] == [
        (["sam@example.com"], inquiry.promise_text)]


def test_a_message_left_needs_an_email_address() -> None:
    queue = open_queue(staffed=False)

    response = client().post(f"/widget/api/v1/queues/{queue.widget_public_id}/messages",
                             {"message": "Hello"}, format="json")

    assert response.status_code == 400
    assert "email" in response.json()["errors"]
    assert not Inquiry.objects.exists()


def test_a_waiting_chat_turns_into_email_and_its_replies_go_by_email(
        django_capture_on_commit_callbacks: Any, captured_tasks: list) -> None:
    queue = open_queue()
    body = start(queue).json()
    conversation = WidgetConversation.objects.get(public_id=body["conversation"])
    path = f"/widget/api/v1/conversations/{body['conversation']}"

    with django_capture_on_commit_callbacks(execute=True):
        response = bearer(body["token"]).post(f"{path}/email-instead", {}, format="json")

    assert response.status_code == 200
    inquiry = Inquiry.objects.get(pk=conversation.inquiry_id)
    assert inquiry.channel == InquiryChannel.EMAIL
    assert inquiry.promised_reply_by == datetime.fromisoformat(response.json()["reply_by"])
    assert ("marketplace.send_acknowledgement", [inquiry.pk]) in captured_tasks
    assert bearer(body["token"]).get(path).json()["status"] == "email"
    now = timezone.now()
    expert = ExpertSeat.objects.get(queue=queue).expert
    outcome = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)
    assert outcome.offer_id is not None
    offers_services.offer_accept(offer_id=outcome.offer_id, expert=expert, now=now)
    reply = assignments_services.assignment_reply(inquiry_id=inquiry.pk, expert=expert,
                                                  author=expert.user, body="On its way.",
                                                  now=now)
    delivery_services.message_deliver(message_id=reply.pk, now=now)
    assert reply.delivery_log.get().route == "email"
    assert [sent.body for sent in mail.outbox if sent.to == ["sam@example.com"]][-1] \
        == "On its way."


def test_a_chat_an_expert_holds_cannot_turn_into_email(captured_tasks: list) -> None:
    queue = open_queue()
    body = start(queue).json()
    conversation = WidgetConversation.objects.get(public_id=body["conversation"])
    now = timezone.now()
    expert = ExpertSeat.objects.get(queue=queue).expert
    outcome = offers_services.inquiry_route(inquiry_id=conversation.inquiry_id, now=now)
    assert outcome.offer_id is not None
    offers_services.offer_accept(offer_id=outcome.offer_id, expert=expert, now=now)

    response = bearer(body["token"]).post(
        f"/widget/api/v1/conversations/{body['conversation']}/email-instead", {},
        format="json")

    assert response.status_code == 409
    assert Inquiry.objects.get(pk=conversation.inquiry_id).channel == InquiryChannel.CHAT


def test_the_transcript_is_emailed_to_the_customer(captured_tasks: list) -> None:
    queue = open_queue()
    body = start(queue).json()
    conversation = WidgetConversation.objects.get(public_id=body["conversation"])
    bearer(body["token"]).post(f"/widget/api/v1/conversations/{body['conversation']}/messages",
                               {"body": "It is order 1234.", "client_id": "c-2"},
                               format="json")

    response = bearer(body["token"]).post(
        f"/widget/api/v1/conversations/{body['conversation']}/transcript", {}, format="json")
    widget_services.widget_transcript_send(conversation_id=conversation.pk,
                                           now=timezone.now())

    assert response.status_code == 202
    sent = mail.outbox[-1]
    assert sent.to == ["sam@example.com"]
    assert sent.subject == f"Transcript of your chat with {queue.brand.name}"
    assert "Where is my order?" in sent.body and "It is order 1234." in sent.body


def test_a_chat_without_an_email_asks_for_one_for_the_transcript(captured_tasks: list) -> None:
    queue = open_queue()
    queue.widget_required_fields = []
    queue.save(update_fields=["widget_required_fields"])
    body = start(queue, email="").json()
    path = f"/widget/api/v1/conversations/{body['conversation']}/transcript"

    refused = bearer(body["token"]).post(path, {}, format="json")
    accepted = bearer(body["token"]).post(path, {"email": "kim@example.com"}, format="json")

    assert refused.status_code == 400
    assert accepted.status_code == 202
    conversation = WidgetConversation.objects.get(public_id=body["conversation"])
    assert conversation.email_given
    assert Inquiry.objects.get(pk=conversation.inquiry_id).customer.email == "kim@example.com"

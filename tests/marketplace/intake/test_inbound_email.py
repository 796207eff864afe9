"""Inbound email: raw MIME and anymail's normalized fields, threading, attachments."""

import base64
import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.test import override_settings
from django.utils import timezone

from marketplace.delivery import services as delivery
from marketplace.inquiries.models import Attachment, Inquiry, InquirySource, Message
from marketplace.intake.models import MailLogEntry
from routing.assignments import services as assignments_services
from routing.models import ExpertSeat, Offer
from routing.offers import services as offers_services
from tests import factories
from tests.conftest import SUNDAY_AFTERNOON
from tests.marketplace.intake.emails import post_email, post_json, raw_email

pytestmark = pytest.mark.django_db


def test_raw_email_opens_an_email_inquiry(captured_tasks: list) -> None:
    queue = factories.queue()

    response = post_email(queue, raw_email())

    assert response.status_code == 201
    inquiry = Inquiry.objects.get()
    assert (inquiry.channel, inquiry.source, inquiry.subject) == ("email", InquirySource.EMAIL,
                                                                  "Broken zip")
    assert (inquiry.customer.email, inquiry.customer.name) == ("ana@example.com", "Ana Silva")
    message = inquiry.messages.get()
    assert (message.body, message.email_message_id) == ("The zip broke on day one.",
                                                        "<first@mail.example.com>")
    assert response.json()["threaded"] is False
    assert response.json()["inquiry"]["promise"]["text"] == inquiry.promise_text


def test_same_email_twice_is_one_inquiry_and_one_message(captured_tasks: list) -> None:
    queue = factories.queue()

    first = post_email(queue, raw_email())
    second = post_email(queue, raw_email())

    assert (first.status_code, second.status_code) == (201, 200)
    assert Inquiry.objects.count() == 1
    assert Message.objects.count() == 1


def test_reply_threads_onto_its_inquiry_through_in_reply_to(captured_tasks: list) -> None:
    queue = factories.queue()
    post_email(queue, raw_email())

    response = post_email(queue, raw_email(message_id="<second@mail.example.com>",
                                           subject="Re: Broken zip", body="Any news?",
                                           in_reply_to="<first@mail.example.com>"))

    assert response.status_code == 201
    assert response.json()["threaded"] is True
    inquiry = Inquiry.objects.get()
    assert list(inquiry.messages.values_list("body", flat=True)) == [
        "The zip broke on day one.", "Any news?"]


def test_reply_to_our_outbound_message_threads_through_references(captured_tasks: list) -> None:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=SUNDAY_AFTERNOON)
    post_email(queue, raw_email())
    inquiry = Inquiry.objects.get()
    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=SUNDAY_AFTERNOON)
    offer = Offer.objects.get()
    offers_services.offer_accept(offer_id=offer.pk, expert=expert, now=SUNDAY_AFTERNOON)
    reply = assignments_services.assignment_reply(inquiry_id=inquiry.pk, expert=expert,
                                              author=expert.user, body="Send a photo?",
                                              now=SUNDAY_AFTERNOON)
    # The mail arrives at the real time: the expert's shift must still run then.
    ExpertSeat.objects.filter(expert=expert).update(
        shift_ends_at=timezone.now() + timedelta(hours=1))

    response = post_email(queue, raw_email(
        message_id="<third@mail.example.com>", body="Photo attached.",
        references=f"<first@mail.example.com> {reply.email_message_id}"))

    assert response.json()["threaded"] is True
    inquiry.refresh_from_db()
    assert inquiry.messages.count() == 3
    assert inquiry.status == "assigned"


def test_reply_does_not_thread_onto_another_brands_inquiry(captured_tasks: list) -> None:
    one, other = factories.queue(), factories.queue()
    post_email(one, raw_email())

    response = post_email(other, raw_email(message_id="<second@mail.example.com>",
                                           in_reply_to="<first@mail.example.com>"))

    assert response.json()["threaded"] is False
    assert Inquiry.objects.filter(brand=other.brand).count() == 1


def test_attachments_are_listed_and_stored(captured_tasks: list) -> None:
    queue = factories.queue()

    post_email(queue, raw_email(attachments=(("receipt.pdf", "application/pdf", b"%PDF-1.4"),)))

    attachment = Attachment.objects.get()
    assert (attachment.filename, attachment.content_type, attachment.size, attachment.stored) == (
        "receipt.pdf", "application/pdf", 8, True)
    with default_storage.open(attachment.file.name) as stored:
        assert stored.read() == b"%PDF-1.4"


@override_settings(SHIFTLINE_ATTACHMENT_MAX_BYTES=4)
def test_attachment_over_the_limit_is_listed_without_content(captured_tasks: list) -> None:
    queue = factories.queue()

    response = post_email(queue, raw_email(attachments=(("big.bin", "application/octet-stream",
                                                         b"123456"),)))

    assert response.status_code == 201
    attachment = Attachment.objects.get()
    assert (attachment.filename, attachment.size, attachment.stored, attachment.file.name) == (
        "big.bin", 6, False, "")


def test_anymail_normalized_payload_opens_an_inquiry_with_attachments(
    captured_tasks: list,
) -> None:
    queue = factories.queue()
    payload = {
        "from_email": "Ana Silva <ana@example.com>", "to": "support@northwind.example",
        "subject": "Wrong size", "text": "I need a medium.",
        "headers": {"Message-ID": "<norm@mail.example.com>"},
        "attachments": [{"filename": "photo.png", "content_type": "image/png",
                         "content": base64.b64encode(b"\x89PNG....").decode()}],
    }

    response = post_json(queue, payload)

    assert response.status_code == 201
    message = Message.objects.get()
    assert (message.body, message.email_message_id) == ("I need a medium.",
                                                        "<norm@mail.example.com>")
    assert list(message.attachments.values_list("filename", "content_type", "size")) == [
        ("photo.png", "image/png", 8)]


def test_normalized_reply_threads_through_in_reply_to(captured_tasks: list) -> None:
    queue = factories.queue()
    post_email(queue, raw_email())

    response = post_json(queue, {
        "from_email": "ana@example.com", "text": "Hello again",
        "headers": {"Message-ID": "<n2@x>", "In-Reply-To": "<first@mail.example.com>"}})

    assert response.json()["threaded"] is True
    assert Inquiry.objects.count() == 1


def test_wrong_password_is_401_and_stores_nothing(captured_tasks: list) -> None:
    queue = factories.queue()

    response = post_email(queue, raw_email(), password="wrong-secret")

    assert response.status_code == 401
    assert Inquiry.objects.count() == 0


def test_email_without_from_is_kept_in_the_mail_log_as_unreadable(captured_tasks: list) -> None:
    queue = factories.queue()

    response = post_email(queue, b"Subject: hi\r\n\r\nno sender\r\n")

    assert response.status_code == 201
    assert response.json()["outcome"] == "mail_log"
    entry = MailLogEntry.objects.get()
    assert (entry.kind, entry.subject, entry.text) == ("unreadable", "hi", "no sender")
    assert entry.reason == "Could not be read: no sender address to answer (no From)."
    assert Inquiry.objects.count() == 0


def test_email_with_nul_in_the_body_is_kept_without_it(captured_tasks: list) -> None:
    queue = factories.queue()

    response = post_email(queue, raw_email(body="bad \x00 byte"))

    assert response.status_code == 201
    assert Message.objects.get().body == "bad  byte"


@pytest.mark.parametrize("payload", [
    [], {"from_email": 5}, {"from_email": "a@b.example", "attachments": [{"content": "!!"}]},
    {"from_email": "a@b.example", "headers": "Message-ID: x"},
])
def test_malformed_normalized_payload_is_400(payload: Any, captured_tasks: list) -> None:
    queue = factories.queue()

    response = post_json(queue, payload)

    assert response.status_code == 400
    assert Inquiry.objects.count() == 0


@pytest.mark.parametrize(("sent", "stored"), [
    ("../../etc/passwd", "....etcpasswd"), ("..", "attachment"), ("my receipt.pdf",
                                                                  "my_receipt.pdf"),
])
def test_attachment_names_are_made_safe(sent: str, stored: str, captured_tasks: list) -> None:
    queue = factories.queue()

    response = post_email(queue, raw_email(attachments=((sent, "text/plain", b"x"),)))

    assert response.status_code == 201
    attachment = Attachment.objects.get()
    assert attachment.filename == stored
    assert ".." not in attachment.file.name.split("/")


def test_a_reply_copied_to_two_brands_reaches_both(captured_tasks: list) -> None:
    one, other = factories.queue(), factories.queue()
    post_email(one, raw_email())
    post_email(other, raw_email(message_id="<other-first@mail.example.com>"))
    reply = raw_email(message_id="<both@mail.example.com>", body="Same to you both",
                      references="<first@mail.example.com> <other-first@mail.example.com>")

    first = post_email(one, reply)
    second = post_email(other, reply)

    assert (first.status_code, second.status_code) == (201, 201)
    assert (first.json()["threaded"], second.json()["threaded"]) == (True, True)
    for queue in (one, other):
        inquiry = Inquiry.objects.get(brand=queue.brand)
        assert inquiry.messages.last().body == "Same to you both"  # type: ignore[union-attr]


def test_new_email_is_acknowledged_with_the_promise(
    captured_tasks: list, django_capture_on_commit_callbacks: Any,
) -> None:
    queue = factories.queue()

    with django_capture_on_commit_callbacks(execute=True):
        post_email(queue, raw_email())

    inquiry = Inquiry.objects.get()
    assert captured_tasks == [("routing.route_inquiry", [inquiry.pk]),
                              ("marketplace.send_acknowledgement", [inquiry.pk])]


@pytest.mark.parametrize(("header", "kind"), [
    (("Auto-Submitted", "auto-replied"), "auto_reply"), (("X-Autoreply", "yes"), "auto_reply"),
    (("Precedence", "bulk"), "mailing_list"), (("List-Id", "<news.shop.example>"), "mailing_list"),
])
def test_automatic_email_goes_to_the_mail_log_and_is_not_acknowledged(
    header: tuple[str, str], kind: str, captured_tasks: list,
    django_capture_on_commit_callbacks: Any,
) -> None:
    queue = factories.queue()

    with django_capture_on_commit_callbacks(execute=True):
        response = post_email(queue, raw_email(extra_headers=(header,)))

    assert response.status_code == 201
    assert response.json()["outcome"] == "mail_log"
    assert MailLogEntry.objects.get().kind == kind
    assert Inquiry.objects.count() == 0
    assert captured_tasks == []


def test_reply_to_the_acknowledgement_threads_onto_its_inquiry(captured_tasks: list) -> None:
    queue = factories.queue()
    post_email(queue, raw_email())
    inquiry = Inquiry.objects.get()
    delivery.inquiry_send_acknowledgement(inquiry_id=inquiry.pk, now=SUNDAY_AFTERNOON)
    ack_id = mail.outbox[0].extra_headers["Message-ID"]

    response = post_email(queue, raw_email(message_id="<after-ack@mail.example.com>",
                                           body="Thanks!", in_reply_to=ack_id))

    inquiry.refresh_from_db()
    assert re.fullmatch(r"<[0-9a-f]{32}@shiftline\.localhost>", ack_id)
    assert inquiry.acknowledgement_message_id == ack_id
    assert response.json()["threaded"] is True
    assert Inquiry.objects.count() == 1


def test_out_of_office_reply_is_kept_without_reopening_or_notifying(
    captured_tasks: list, monkeypatch: pytest.MonkeyPatch,
) -> None:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=SUNDAY_AFTERNOON)
    post_email(queue, raw_email())
    inquiry = Inquiry.objects.get()
    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=SUNDAY_AFTERNOON)
    offers_services.offer_accept(offer_id=Offer.objects.get().pk, expert=expert,
                                  now=SUNDAY_AFTERNOON)
    reply = assignments_services.assignment_reply(inquiry_id=inquiry.pk, expert=expert,
                                              author=expert.user, body="Done.",
                                              now=SUNDAY_AFTERNOON)
    pushed: list[object] = []
    monkeypatch.setattr("marketplace.intake.services.push_to_expert_on_commit",
                        lambda *args, **kwargs: pushed.append(args))

    post_email(queue, raw_email(message_id="<ooo@mail.example.com>", body="I am away.",
                                in_reply_to=reply.email_message_id,
                                extra_headers=(("Auto-Submitted", "auto-replied"),)))

    inquiry.refresh_from_db()
    assert inquiry.status == "waiting_on_customer"
    assert inquiry.messages.last().body == "I am away."  # type: ignore[union-attr]
    assert inquiry.events.last().kind == "auto_reply"  # type: ignore[union-attr]
    assert pushed == []

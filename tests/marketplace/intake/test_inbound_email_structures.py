"""Real email arrives whole and never gets a 5xx (issue 11, section 2): hand-written messages for
each structure real mail has (an empty text part beside HTML, HTML only, several text parts,
inline images without a disposition, an attached message, delivery-status bounces, broken From
headers, mislabelled charsets) and what each becomes."""

import base64
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client, override_settings

from marketplace.delivery import services as delivery
from marketplace.inquiries.models import Attachment, DeliveryStatus, Inquiry, Message
from marketplace.intake.models import MailLogEntry
from tests import factories
from tests.conftest import SUNDAY_AFTERNOON
from tests.marketplace.intake.emails import mime, post_email, post_json, raw_email

pytestmark = pytest.mark.django_db

FROM_ANA = """
From: Ana Silva <ana@example.com>
To: support@northwind.example
Message-ID: <structure@mail.example.com>
MIME-Version: 1.0
"""

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
JPEG = b"\xff\xd8\xff\xe0 a tiny photo \xff\xd9"


def stored_content(attachment: Attachment) -> bytes:
    with default_storage.open(attachment.file.name) as stored:
        return bytes(stored.read())


def received(queue: Any, raw: bytes) -> Message:
    response = post_email(queue, raw)
    assert response.status_code == 201, response.content
    return Message.objects.get(pk=response.json()["message_id"])


def test_an_empty_text_part_beside_html_gives_the_html_as_text(captured_tasks: list) -> None:
    paragraph = "<p>Sehr geehrte Damen und Herren,&nbsp;die Gr&ouml;&szlig;e passt nicht.</p>\n"
    raw = mime(FROM_ANA + """
        Subject: Falsche Größe
        Content-Type: multipart/alternative; boundary="alt"
        """, f"""
--alt
Content-Type: text/plain; charset=utf-8

--alt
Content-Type: text/html; charset=utf-8

<html><body>{paragraph * 500}<p>Gr&uuml;&szlig;e, J&#252;rgen &amp; Ana</p></body></html>
--alt--
""")
    assert len(raw) > 37_000

    message = received(factories.queue(), raw)

    lines = message.body.split("\n\n")
    assert lines[0] == "Sehr geehrte Damen und Herren, die Größe passt nicht."
    assert lines[-1] == "Grüße, Jürgen & Ana"
    assert "&" + "nbsp;" not in message.body


def test_html_only_mail_is_rendered_to_text(captured_tasks: list) -> None:
    raw = mime(FROM_ANA + """
        Subject: Order 123
        Content-Type: text/html; charset=iso-8859-1
        Content-Transfer-Encoding: quoted-printable
        """, """<div>Hello&nbsp;there,</div><ul><li>order 123</li></ul>=
<p>Caf=E9 <a href=3D"https://shop.example/o/123">tracking</a></p>
""")

    message = received(factories.queue(), raw)

    assert message.body == ("Hello there,\n  * order 123\n\n"
                            "Café [tracking](https://shop.example/o/123)")


def test_several_text_parts_all_reach_the_conversation(captured_tasks: list) -> None:
    raw = mime(FROM_ANA + """
        Subject: Three parts
        Content-Type: multipart/mixed; boundary="mixed"
        """, """
--mixed
Content-Type: text/plain; charset=us-ascii

One
--mixed
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64

VHfDtg==
--mixed
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Thr=C3=A9e
--mixed--
""")

    message = received(factories.queue(), raw)

    assert message.body == "One\n\nTwö\n\nThrée"
    assert message.attachments.count() == 0


def test_inline_images_without_a_disposition_are_stored_and_listed(captured_tasks: list) -> None:
    raw = mime(FROM_ANA + """
        Subject: Photo
        Content-Type: multipart/related; boundary="rel"
        """, f"""
--rel
Content-Type: text/html; charset=utf-8

<p>See the photo: <img src="cid:photo1"> and <img src="cid:photo2"></p>
--rel
Content-Type: image/png
Content-ID: <photo1>
Content-Transfer-Encoding: base64

{base64.b64encode(PNG).decode()}
--rel
Content-Type: image/jpeg
Content-ID: <photo2>
Content-Disposition: inline; filename*=UTF-8''Eelanal%C3%BC%C3%BCsi%20p%C3%A4ring.jpg
Content-Transfer-Encoding: base64

{base64.b64encode(JPEG).decode()}
--rel--
""")

    message = received(factories.queue(), raw)

    assert message.body == "See the photo: and"
    files = list(message.attachments.order_by("pk"))
    assert [(item.filename, item.content_type, item.stored) for item in files] == [
        ("part-3.png", "image/png", True), ("Eelanalüüsi_päring.jpg", "image/jpeg", True)]
    assert [stored_content(item) for item in files] == [PNG, JPEG]


def test_an_attached_message_is_one_eml_attachment(captured_tasks: list) -> None:
    inner = ("From: shop@northwind.example\r\nSubject: Order confirmation\r\n"
             "Content-Type: text/plain\r\n\r\nYour order 123 is confirmed.\r\n")
    raw = mime(FROM_ANA + """
        Subject: Fwd: Order confirmation
        Content-Type: multipart/mixed; boundary="fwd"
        """, f"""
--fwd
Content-Type: text/plain

See the confirmation below.
--fwd
Content-Type: message/rfc822

{inner}
--fwd--
""")

    message = received(factories.queue(), raw)

    assert message.body == "See the confirmation below."
    attachment = message.attachments.get()
    assert (attachment.filename, attachment.content_type) == ("Order_confirmation.eml",
                                                              "message/rfc822")
    content = stored_content(attachment)
    assert b"Subject: Order confirmation" in content
    assert b"Your order 123 is confirmed." in content


def bounce_of(message_id: str, *, sender: str = "MAILER-DAEMON@mx.example.net") -> bytes:
    return mime(f"""
        From: Mail Delivery System <{sender}>
        To: support@shiftline.localhost
        Subject: Undelivered Mail Returned to Sender
        Message-ID: <bounce-{abs(hash(message_id))}@mx.example.net>
        Auto-Submitted: auto-replied
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=delivery-status; boundary="report"
        """, f"""
--report
Content-Type: text/plain

I'm sorry to have to inform you that your message could not be delivered.
--report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; ana@example.com
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <ana@example.com>: Recipient address rejected

--report
Content-Type: text/rfc822-headers

From: Northwind <support@shiftline.localhost>
To: ana@example.com
Subject: Re: Where is my order?
Message-ID: {message_id}

--report--
""")


def test_a_bounce_of_our_reply_is_a_delivery_failure_on_its_inquiry(
    captured_tasks: list, django_capture_on_commit_callbacks: Any,
) -> None:
    queue = factories.queue()
    reply, expert = factories.expert_reply(on=queue, now=SUNDAY_AFTERNOON,
                                           customer_email="ana@example.com")
    delivery.message_deliver(message_id=reply.pk, now=SUNDAY_AFTERNOON)
    captured_tasks.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = post_email(queue, bounce_of(reply.email_message_id))

    assert (response.status_code, response.json()["outcome"]) == (201, "delivery_failure")
    reply.refresh_from_db()
    reason = "ana@example.com: smtp; 550 5.1.1 <ana@example.com>: Recipient address rejected"
    assert (reply.delivery_status, reply.delivery_error) == (DeliveryStatus.FAILED,
                                                             f"Bounced: {reason}")
    assert list(reply.inquiry.messages.values_list("direction", flat=True)) == [
        "inbound", "outbound"]
    assert reply.inquiry.events.last().kind == "delivery_bounced"  # type: ignore[union-attr]
    assert MailLogEntry.objects.get().inquiry_id == reply.inquiry_id
    assert [name for name, _ in captured_tasks if name == "marketplace.send_acknowledgement"] == []
    brand_client, expert_client = Client(), Client()
    brand_client.force_login(factories.brand_member(of=queue.brand))
    expert_client.force_login(expert.user)
    for page in (brand_client.get(f"/brand/inquiries/{reply.inquiry_id}/"),
                 expert_client.get(f"/expert/inquiries/{reply.inquiry_id}/")):
        assert f"Not delivered: Bounced: {reason}" in page.content.decode().replace(
            "&lt;", "<").replace("&gt;", ">")


def test_the_same_bounce_twice_is_recorded_once(captured_tasks: list) -> None:
    queue = factories.queue()
    reply, _ = factories.expert_reply(on=queue, now=SUNDAY_AFTERNOON)

    first = post_email(queue, bounce_of(reply.email_message_id))
    second = post_email(queue, bounce_of(reply.email_message_id))

    assert (first.status_code, second.status_code) == (201, 200)
    assert reply.inquiry.events.filter(kind="delivery_bounced").count() == 1
    assert MailLogEntry.objects.count() == 1


def test_a_bounce_of_the_acknowledgement_is_recorded_on_its_inquiry(captured_tasks: list) -> None:
    queue = factories.queue()
    post_email(queue, raw_email())
    inquiry = Inquiry.objects.get()
    delivery.inquiry_send_acknowledgement(inquiry_id=inquiry.pk, now=SUNDAY_AFTERNOON)
    inquiry.refresh_from_db()

    response = post_email(queue, bounce_of(str(inquiry.acknowledgement_message_id)))

    assert response.json()["outcome"] == "delivery_failure"
    assert inquiry.events.last().kind == "acknowledgement_bounced"  # type: ignore[union-attr]
    assert inquiry.messages.count() == 1


@pytest.mark.parametrize("sender", ["MAILER-DAEMON@mx.example.net", "postmaster@example.net"])
def test_a_bounce_of_mail_we_did_not_send_goes_to_the_mail_log_unacknowledged(
    sender: str, captured_tasks: list, django_capture_on_commit_callbacks: Any,
) -> None:
    queue = factories.queue()

    with django_capture_on_commit_callbacks(execute=True):
        response = post_email(queue, bounce_of("<someone-else@elsewhere.example>",
                                               sender=sender))

    assert (response.status_code, response.json()["outcome"]) == (201, "mail_log")
    entry = MailLogEntry.objects.get()
    assert (entry.kind, entry.inquiry_id) == ("bounce", None)
    assert Inquiry.objects.count() == 0
    assert captured_tasks == []


def test_a_plain_text_postmaster_bounce_is_not_acknowledged(
    captured_tasks: list, django_capture_on_commit_callbacks: Any,
) -> None:
    queue = factories.queue()
    raw = mime("""
        From: postmaster@mail.example.org
        Subject: Delivery failure
        Message-ID: <pm-1@mail.example.org>
        """, "Your message to bob@example.org could not be delivered.\n")

    with django_capture_on_commit_callbacks(execute=True):
        response = post_email(queue, raw)

    assert response.json()["outcome"] == "mail_log"
    assert MailLogEntry.objects.get().kind == "bounce"
    assert captured_tasks == []


@pytest.mark.parametrize(("from_line", "outcome", "sender"), [
    ("From: <>", "mail_log", None),
    ("From: ?", "mail_log", None),
    ('From: "Ana Silva <ana@example.com>', "inquiry", "ana@example.com"),
    ("From: Ana Silva <ana@example.com", "inquiry", "ana@example.com"),
    ("From: =?utf-8?q?J=C3=BCrgen?= <jurgen@example.com>", "inquiry", "jurgen@example.com"),
])
def test_broken_from_headers_are_kept(from_line: str, outcome: str, sender: str | None,
                                      captured_tasks: list) -> None:
    queue = factories.queue()
    raw = mime(f"""
        {from_line}
        Subject: My order
        Message-ID: <broken-from@mail.example.com>
        """, "Where is my order?\n")

    response = post_email(queue, raw)

    assert (response.status_code, response.json()["outcome"]) == (201, outcome)
    if sender is None:
        entry = MailLogEntry.objects.get()
        assert (entry.kind, entry.text, entry.sender) == ("unreadable", "Where is my order?",
                                                          from_line.removeprefix("From: "))
        assert entry.reason.startswith("Could not be read: no sender address to answer")
    else:
        assert Inquiry.objects.get().customer.email == sender


@pytest.mark.parametrize("payload", [
    {"from_email": "?"}, {"from_email": "?", "subject": "Hi", "text": "Hello"},
    {"from_email": "<>", "headers": {"Message-ID": "<json@x>"}},
])
def test_normalized_mail_with_a_broken_sender_is_kept(payload: dict[str, Any],
                                                      captured_tasks: list) -> None:
    queue = factories.queue()

    response = post_json(queue, payload)

    assert (response.status_code, response.json()["outcome"]) == (201, "mail_log")
    entry = MailLogEntry.objects.get()
    assert (entry.kind, entry.text) == ("unreadable", payload.get("text", ""))
    assert entry.original.name.endswith("original.json")


GREETING = "Grüße aus Köln – “danke” für die schnelle Antwort"
RUSSIAN = "Здравствуйте! Мой заказ не пришёл, пожалуйста, помогите мне."


@pytest.mark.parametrize(("declared", "content", "expected"), [
    ("iso-8859-1", GREETING.encode("utf-8"), GREETING),
    ("us-ascii", GREETING.encode("utf-8"), GREETING),
    ("utf-8", GREETING.encode("cp1252"), GREETING),
    (None, GREETING.encode("cp1252"), GREETING),
    ("iso-8859-1", GREETING.encode("cp1252"), GREETING),
    ("iso-8859-1", RUSSIAN.encode("cp1251"), RUSSIAN),
    ("x-unknown-charset", GREETING.encode("utf-8"), GREETING),
])
def test_mislabelled_and_undeclared_charsets_are_repaired(
    declared: str | None, content: bytes, expected: str, captured_tasks: list,
) -> None:
    charset = f"; charset={declared}" if declared else ""
    raw = mime(FROM_ANA + f"""
        Subject: Charset
        Content-Type: text/plain{charset}
        Content-Transfer-Encoding: 8bit
        """, content + b"\n")

    message = received(factories.queue(), raw)

    assert message.body == expected


def test_entities_in_a_text_part_are_decoded(captured_tasks: list) -> None:
    message = received(factories.queue(), raw_email(
        body="Hello&nbsp;there &amp; thanks &#8211; R&D team, AT&T, a&b=1"))

    assert message.body == "Hello there & thanks – R&D team, AT&T, a&b=1"


@override_settings(SHIFTLINE_ATTACHMENT_MAX_BYTES=4)
def test_an_attachment_over_the_limit_is_listed_with_the_reason(captured_tasks: list) -> None:
    message = received(factories.queue(), raw_email(
        attachments=(("big.bin", "application/octet-stream", b"123456"),)))

    attachment = message.attachments.get()
    assert (attachment.stored, attachment.not_stored_reason) == (
        False, "Not kept: 6 bytes is over the limit of 4 bytes.")
    client = Client()
    client.force_login(factories.brand_member(of=message.inquiry.brand))
    page = " ".join(client.get(f"/brand/inquiries/{message.inquiry_id}/").content.decode()
                    .split())
    assert "big.bin · application/octet-stream · 6 bytes (Not kept: 6 bytes is over the limit " \
        "of 4 bytes.)" in page


def nested(depth: int) -> bytes:
    head = "".join(f'--b{level}\r\nContent-Type: multipart/mixed; boundary="b{level + 1}"\r\n\r\n'
                   for level in range(depth))
    tail = "".join(f"--b{level}--\r\n" for level in reversed(range(depth)))
    return mime(FROM_ANA + """
        Subject: Deep
        Content-Type: multipart/mixed; boundary="b0"
        """, (head + f"--b{depth}\r\nContent-Type: text/plain\r\n\r\nDeep down\r\n"
              f"--b{depth}--\r\n" + tail).encode())


def test_mail_nested_too_deep_is_kept_as_could_not_be_read(captured_tasks: list) -> None:
    raw = nested(40)

    message = received(factories.queue(), raw)

    assert message.body == "(The email had no text.)"
    assert message.unreadable_reason == "parts nested more than 30 deep were kept unread"
    original = message.attachments.get(filename="original.eml")
    assert stored_content(original) == raw
    client = Client()
    client.force_login(factories.brand_member(of=message.inquiry.brand))
    page = " ".join(client.get(f"/brand/inquiries/{message.inquiry_id}/").content.decode()
                    .split())
    assert "<strong>Could not be read</strong> (parts nested more than 30 deep were kept " \
        "unread); the original email is attached." in page


def test_the_mail_log_is_on_the_channels_page_paginated_with_the_original(
    captured_tasks: list,
) -> None:
    queue = factories.queue()
    for number in range(21):
        post_email(queue, raw_email(message_id=f"<ooo-{number}@mail.example.com>",
                                    subject=f"Out of office {number}",
                                    extra_headers=(("Auto-Submitted", "auto-replied"),)))
    client = Client()
    client.force_login(factories.brand_member(of=queue.brand))

    first = client.get(f"/brand/queues/{queue.pk}/channels/").content.decode()
    second = client.get(f"/brand/queues/{queue.pk}/channels/?page=2").content.decode()

    assert first.count('<section id="mail-log">') == 1
    assert "Out of office 20" in first and "Out of office 0" not in first
    assert "Out of office 0" in second
    assert "Page 1 of 2" in first
    assert "Automatic reply (Auto-Submitted: auto-replied) that belongs to no conversation of " \
        "its sender: kept here, not acknowledged." in first
    entry = MailLogEntry.objects.get(subject="Out of office 0")
    download = client.get(f"/brand/mail-log/{entry.pk}/original/")
    assert download.status_code == 200
    assert download.content == raw_email(message_id="<ooo-0@mail.example.com>",
                                         subject="Out of office 0",
                                         extra_headers=(("Auto-Submitted", "auto-replied"),))
    stranger = Client()
    stranger.force_login(factories.brand_member(of=factories.brand()))
    assert stranger.get(f"/brand/mail-log/{entry.pk}/original/").status_code == 404


def test_an_empty_request_is_the_only_raw_mail_refused(captured_tasks: list) -> None:
    queue = factories.queue()

    empty = post_email(queue, b"\r\n")
    garbage = post_email(queue, b"\x89PNG\r\n\x1a\n\x00\x00 not mail at all")

    assert empty.status_code == 400
    assert (garbage.status_code, garbage.json()["outcome"]) == (201, "mail_log")


def test_mail_the_parser_gives_up_on_is_kept_with_its_original(
    captured_tasks: list, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def give_up(raw: bytes) -> None:
        raise AssertionError("should be exactly one message")

    monkeypatch.setattr("marketplace.intake.mail.parsing.AnymailInboundMessage."
                        "parse_raw_mime_bytes", give_up)
    raw = raw_email(subject="Refund please")

    message = received(factories.queue(), raw)

    assert (message.inquiry.subject, message.inquiry.customer.email) == ("Refund please",
                                                                         "ana@example.com")
    assert message.unreadable_reason == ("The email could not be parsed: AssertionError: "
                                         "should be exactly one message")
    assert stored_content(message.attachments.get(filename="original.eml")) == raw


def test_a_part_that_cannot_be_read_is_kept_as_a_file(
    captured_tasks: list, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fail(payload: bytes, declared: str | None) -> str:
        raise ValueError("the HTML parser failed")

    monkeypatch.setattr("marketplace.intake.mail.parts.html_text", fail)
    raw = mime(FROM_ANA + """
        Subject: Two parts
        Content-Type: multipart/mixed; boundary="mixed"
        """, """
--mixed
Content-Type: text/plain

Readable part.
--mixed
Content-Type: text/html

<p>Unreadable part</p>
--mixed--
""")

    message = received(factories.queue(), raw)

    assert message.body == "Readable part."
    assert message.unreadable_reason == ("part 3 (text/html) could not be read: ValueError: "
                                         "the HTML parser failed")
    assert sorted(message.attachments.values_list("filename", flat=True)) == [
        "original.eml", "part-3.html"]
    assert b"<p>Unreadable part</p>" in stored_content(
        message.attachments.get(filename="part-3.html"))

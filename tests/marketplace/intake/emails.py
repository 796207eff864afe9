"""Mail for the inbound email tests: a builder for ordinary messages, raw MIME written by hand
for the structures real mail has, and posting either to a queue's inbound endpoint."""

import base64
from email.message import EmailMessage
from typing import Any

from rest_framework.test import APIClient

from marketplace.queues.models import OverflowQueue


def raw_email(*, message_id: str = "<first@mail.example.com>", subject: str = "Broken zip",
              body: str = "The zip broke on day one.", in_reply_to: str | None = None,
              references: str | None = None, sender: str = "Ana Silva <Ana@Example.com>",
              attachments: tuple[tuple[str, str, bytes], ...] = (),
              extra_headers: tuple[tuple[str, str], ...] = ()) -> bytes:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = "support@northwind.example"
    email["Subject"] = subject
    email["Message-ID"] = message_id
    if in_reply_to:
        email["In-Reply-To"] = in_reply_to
    if references:
        email["References"] = references
    for name, value in extra_headers:
        email[name] = value
    email.set_content(body)
    for filename, content_type, content in attachments:
        maintype, subtype = content_type.split("/")
        email.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return email.as_bytes()


def mime(headers: str, body: str | bytes) -> bytes:
    """A message written by hand: header lines, a blank line, the body, with CRLF endings."""
    head = "\r\n".join(line.strip() for line in headers.splitlines() if line.strip())
    content = body if isinstance(body, bytes) else body.lstrip("\n").encode()
    return head.encode() + b"\r\n\r\n" + content.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def basic_auth(queue: OverflowQueue, *, password: str | None = None,
               username: str = "shiftline") -> str:
    """The Authorization header a mail provider sends for the queue's inbound URL."""
    secret = queue.inbound_email_token if password is None else password
    return "Basic " + base64.b64encode(f"{username}:{secret}".encode()).decode()


def post_email(queue: OverflowQueue, body: bytes | str, *,
               content_type: str = "message/rfc822", password: str | None = None) -> Any:
    return APIClient().generic(  # type: ignore[arg-type]
        "POST", f"/api/v1/inbound/email/{queue.pk}", body,  # type: ignore[arg-type]
        content_type=content_type, HTTP_AUTHORIZATION=basic_auth(queue, password=password))


def post_json(queue: OverflowQueue, payload: Any) -> Any:
    return APIClient().post(f"/api/v1/inbound/email/{queue.pk}", payload, format="json",
                            HTTP_AUTHORIZATION=basic_auth(queue))

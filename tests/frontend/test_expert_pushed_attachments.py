"""A customer's message pushed live into the expert's open conversation keeps its attachments'
links (the pushed fragment has the message, not the page's inquiry)."""

import pytest
from django.template.loader import render_to_string

from marketplace.inquiries.models import Message
from tests.marketplace.widget.support import bearer, open_queue, start

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_a_pushed_message_links_its_attachment() -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    queue = open_queue()
    body = start(queue).json()
    posted = bearer(body["token"]).post(
        f"/widget/api/v1/conversations/{body['conversation']}/messages",
        {"body": "Here is the zip", "client_id": "c-2",
         "files": [SimpleUploadedFile("zip.png", PNG, content_type="image/png")]},
        format="multipart")
    assert posted.status_code == 201
    message = Message.objects.get(pk=posted.json()["id"])
    attachment = message.attachments.get()

    html = render_to_string("frontend/expert/_message_pushed.html", {
        "message": message, "customer": message.inquiry.customer,
        "inquiry_id": message.inquiry_id})

    assert f'href="/expert/inquiries/{message.inquiry_id}/attachments/{attachment.pk}/"' in html
    assert "zip.png" in html

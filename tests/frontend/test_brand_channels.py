"""Brand console: queue channel settings and the retry of a failed delivery, by role."""

from datetime import datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from marketplace.delivery.models import DeliveryAttempt
from marketplace.inquiries.models import DeliveryStatus, Message
from marketplace.intake import services as intake
from marketplace.onboarding.models import BrandRole
from routing.models import Assignment
from tests import factories

pytestmark = pytest.mark.django_db


def logged_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_admin_sees_and_rotates_the_webhook_secret() -> None:
    queue = factories.queue()
    client = logged_in(factories.brand_member(of=queue.brand, role=BrandRole.ADMIN))
    old = queue.webhook_secret

    page = client.get(f"/brand/queues/{queue.pk}/channels/")
    response = client.post(f"/brand/queues/{queue.pk}/channels/update/",
                           {"action": "rotate_webhook_secret"})

    assert page.status_code == 200
    assert old in page.content.decode()
    assert (f'<code id="inbound-email-url">http://shiftline:{queue.inbound_email_token}'
            f"@testserver/api/v1/inbound/email/{queue.pk}</code>") in page.content.decode()
    assert 'data-copy="inbound-email-url"' in page.content.decode()
    assert response.status_code == 302
    queue.refresh_from_db()
    assert queue.webhook_secret not in ("", old)


def test_viewer_sees_no_secret_and_cannot_rotate() -> None:
    queue = factories.queue()
    client = logged_in(factories.brand_member(of=queue.brand, role=BrandRole.VIEWER))
    old = queue.webhook_secret

    page = client.get(f"/brand/queues/{queue.pk}/channels/")
    response = client.post(f"/brand/queues/{queue.pk}/channels/update/",
                           {"action": "rotate_webhook_secret"})

    assert old not in page.content.decode()
    assert queue.inbound_email_token not in page.content.decode()
    assert response.status_code == 403
    queue.refresh_from_db()
    assert queue.webhook_secret == old


def test_another_brands_queue_is_404() -> None:
    queue = factories.queue()
    client = logged_in(factories.brand_member(of=factories.brand()))

    assert client.get(f"/brand/queues/{queue.pk}/channels/").status_code == 404
    assert client.post(f"/brand/queues/{queue.pk}/channels/update/",
                       {"action": "rotate_webhook_secret"}).status_code == 404


def test_admin_sets_the_outbound_webhook_and_bad_urls_are_refused() -> None:
    queue = factories.queue()
    client = logged_in(factories.brand_member(of=queue.brand))
    update = f"/brand/queues/{queue.pk}/channels/update/"

    client.post(update, {"action": "set_outbound_webhook",
                         "url": "https://helpdesk.example/hook"})
    refused = client.post(update, {"action": "set_outbound_webhook", "url": "ftp://nope"},
                          follow=True)

    queue.refresh_from_db()
    assert queue.outbound_webhook_url == "https://helpdesk.example/hook"
    assert "Enter a full http:// or https:// URL." in refused.content.decode()


def failed_reply(now: datetime) -> Message:
    reply, _ = factories.expert_reply(on=factories.queue(), now=now)
    Message.objects.filter(pk=reply.pk).update(delivery_status=DeliveryStatus.FAILED,
                                               delivery_attempts=1)
    DeliveryAttempt.objects.create(message=reply, number=1, route="webhook", attempted_at=now,
                                   succeeded=False, status_code=503,
                                   error="The helpdesk answered HTTP 503.")
    return reply


def test_inquiry_page_shows_the_delivery_log_and_the_admin_retries(
    now: datetime, captured_tasks: list,
) -> None:
    reply = failed_reply(now)
    client = logged_in(factories.brand_member(of=reply.inquiry.brand))

    page = client.get(f"/brand/inquiries/{reply.inquiry_id}/").content.decode()
    response = client.post(f"/brand/messages/{reply.pk}/retry/")

    assert "The helpdesk answered HTTP 503." in page
    assert reply.inquiry.promise_text in page
    assert f'href="/brand/queues/{reply.inquiry.queue_id}/channels/"' in page
    assert f'id="retry-{reply.pk}"' in page
    assert response.status_code == 302
    assert response["Location"] == f"/brand/inquiries/{reply.inquiry_id}/"
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.PENDING


def test_viewer_and_other_brands_cannot_retry(now: datetime, captured_tasks: list) -> None:
    reply = failed_reply(now)
    viewer = logged_in(factories.brand_member(of=reply.inquiry.brand, role=BrandRole.VIEWER))
    stranger = logged_in(factories.brand_member(of=factories.brand()))
    stranger_viewer = logged_in(factories.brand_member(of=factories.brand(),
                                                       role=BrandRole.VIEWER))

    assert viewer.post(f"/brand/messages/{reply.pk}/retry/").status_code == 403
    assert stranger.post(f"/brand/messages/{reply.pk}/retry/").status_code == 404
    assert stranger_viewer.post(f"/brand/messages/{reply.pk}/retry/").status_code == 404
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.FAILED


def test_ops_and_viewers_see_the_failure_but_no_retry_button(
    now: datetime, captured_tasks: list,
) -> None:
    reply = failed_reply(now)
    ops = logged_in(factories.user(is_staff=True))
    viewer = logged_in(factories.brand_member(of=reply.inquiry.brand, role=BrandRole.VIEWER))

    ops_page = ops.get(f"/ops/inquiries/{reply.inquiry_id}/").content.decode()
    viewer_page = viewer.get(f"/brand/inquiries/{reply.inquiry_id}/").content.decode()

    for page in (ops_page, viewer_page):
        assert "The helpdesk answered HTTP 503." in page
        assert f'id="retry-{reply.pk}"' not in page


def test_attachments_download_for_the_brand_the_api_and_the_assigned_expert(
    now: datetime, captured_tasks: list,
) -> None:
    reply = failed_reply(now)
    inquiry = reply.inquiry
    customer_message, _ = intake.inquiry_add_customer_message(
        inquiry_id=inquiry.pk, body="Photo attached", now=now,
        attachments=[intake.IncomingAttachment("photo.png", "image/png", b"\x89PNG")])
    attachment = customer_message.attachments.get()
    expert = Assignment.objects.get(inquiry=inquiry).expert
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {factories.api_key(of=inquiry.brand)}")

    brand_file = logged_in(factories.brand_member(of=inquiry.brand)).get(
        f"/brand/attachments/{attachment.pk}/")
    expert_file = logged_in(expert.user).get(
        f"/expert/inquiries/{inquiry.pk}/attachments/{attachment.pk}/")
    api_file = api.get(f"/api/v1/attachments/{attachment.pk}")
    expert_page = logged_in(expert.user).get(f"/expert/inquiries/{inquiry.pk}/")

    assert brand_file.content == b"\x89PNG"
    assert brand_file["Content-Disposition"] == 'attachment; filename="photo.png"'
    assert brand_file["X-Content-Type-Options"] == "nosniff"
    assert expert_file.content == b"\x89PNG"
    assert b"".join(api_file.streaming_content) == b"\x89PNG"  # type: ignore[attr-defined]
    assert f"/expert/inquiries/{inquiry.pk}/attachments/{attachment.pk}/" in \
        expert_page.content.decode()


def test_attachments_are_404_for_everyone_else(now: datetime, captured_tasks: list) -> None:
    reply = failed_reply(now)
    message, _ = intake.inquiry_add_customer_message(
        inquiry_id=reply.inquiry_id, body="Photo", now=now,
        attachments=[intake.IncomingAttachment("photo.png", "image/png", b"\x89PNG")])
    attachment = message.attachments.get()
    other_expert = factories.expert(now=now)
    stranger_api = APIClient()
    stranger_api.credentials(HTTP_AUTHORIZATION=f"Bearer {factories.api_key(of=factories.brand())}")

    stranger = logged_in(factories.brand_member(of=factories.brand())).get(
        f"/brand/attachments/{attachment.pk}/")
    other = logged_in(other_expert.user).get(
        f"/expert/inquiries/{reply.inquiry_id}/attachments/{attachment.pk}/")

    assert stranger.status_code == 404
    assert other.status_code == 404
    assert stranger_api.get(f"/api/v1/attachments/{attachment.pk}").status_code == 404


def test_retry_of_a_message_that_did_not_fail_says_why(now: datetime,
                                                       captured_tasks: list) -> None:
    reply = failed_reply(now)
    Message.objects.filter(pk=reply.pk).update(delivery_status=DeliveryStatus.DELIVERED)
    client = logged_in(factories.brand_member(of=reply.inquiry.brand))

    page = client.post(f"/brand/messages/{reply.pk}/retry/", follow=True).content.decode()

    assert "Only a failed delivery can be retried; this message is delivered." in page
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.DELIVERED


def test_admin_shows_the_delivery_log_and_the_promise(now: datetime,
                                                      captured_tasks: list) -> None:
    reply = failed_reply(now)
    superuser = get_user_model().objects.create_superuser("root", "root@example.test", "pw")
    client = logged_in(superuser)

    message_page = client.get(f"/admin/marketplace/message/{reply.pk}/change/")
    inquiry_page = client.get(f"/admin/marketplace/inquiry/{reply.inquiry_id}/change/")
    deliveries = client.get("/admin/marketplace/inbounddelivery/")

    assert message_page.status_code == 200
    assert "The helpdesk answered HTTP 503." in message_page.content.decode()
    assert reply.inquiry.promise_text in inquiry_page.content.decode()
    assert deliveries.status_code == 200

"""REST: customer messages on an inquiry, the filtered and paginated list, the timeline and the
brand's retry of a failed delivery."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from marketplace.inquiries.models import DeliveryStatus, Inquiry, InquiryStatus, Message
from routing.assignments import services as assignments_services
from routing.models import Assignment, AssignmentStatus, ExpertSeat, Offer
from routing.offers import services as offers_services
from tests import factories
from tests.conftest import SUNDAY_AFTERNOON

pytestmark = pytest.mark.django_db


def client_for(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def answered_inquiry(captured_tasks: list) -> tuple[Inquiry, Message, Any]:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=SUNDAY_AFTERNOON)
    inquiry = factories.inquiry(on=queue, now=SUNDAY_AFTERNOON)
    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=SUNDAY_AFTERNOON)
    offer = Offer.objects.get(inquiry=inquiry)
    offers_services.offer_accept(offer_id=offer.pk, expert=expert, now=SUNDAY_AFTERNOON)
    reply = assignments_services.assignment_reply(inquiry_id=inquiry.pk, expert=expert,
                                              author=expert.user, body="On its way.",
                                              now=SUNDAY_AFTERNOON)
    return inquiry, reply, expert


def test_customer_reply_to_an_answered_inquiry_goes_back_to_its_expert(
    captured_tasks: list, monkeypatch: pytest.MonkeyPatch,
) -> None:
    inquiry, _, expert = answered_inquiry(captured_tasks)
    # The API writes at the real time: the expert's shift must still run then.
    ExpertSeat.objects.filter(expert=expert).update(
        shift_ends_at=timezone.now() + timedelta(hours=1))
    pushed: list[tuple[int, str, dict[str, Any]]] = []
    monkeypatch.setattr("marketplace.intake.services.push_to_expert_on_commit",
                        lambda expert_id, kind, **payload: pushed.append((expert_id, kind,
                                                                          payload)))
    key = factories.api_key(of=inquiry.brand)

    response = client_for(key).post(f"/api/v1/inquiries/{inquiry.pk}/messages",
                                    {"body": "Tracking number please?"}, format="json")

    assert response.status_code == 201
    assert response.json()["direction"] == "inbound"
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.ASSIGNED
    assert list(inquiry.messages.values_list("direction", "body")) == [
        ("inbound", "It has not arrived."), ("outbound", "On its way."),
        ("inbound", "Tracking number please?")]
    assert inquiry.events.last().kind == "customer_replied"  # type: ignore[union-attr]
    message_id = inquiry.messages.order_by("created_at", "id").last().pk  # type: ignore[union-attr]
    assert pushed == [
        (expert.pk, "inquiry.message", {"inquiry_id": inquiry.pk, "message_id": message_id}),
        (expert.pk, "inquiry.customer_replied",
         {"inquiry_id": inquiry.pk, "subject": "Where is my order?"}),
        (expert.pk, "assignments.changed", {})]


def test_customer_message_on_a_waiting_inquiry_keeps_its_status(captured_tasks: list) -> None:
    queue = factories.queue()
    inquiry = factories.inquiry(on=queue, now=SUNDAY_AFTERNOON)
    key = factories.api_key(of=queue.brand)

    response = client_for(key).post(f"/api/v1/inquiries/{inquiry.pk}/messages",
                                    {"body": "Also, the size was wrong."}, format="json")

    assert response.status_code == 201
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.RECEIVED
    assert inquiry.events.last().kind == "customer_message"  # type: ignore[union-attr]


def test_customer_message_on_another_brands_inquiry_is_404(captured_tasks: list) -> None:
    inquiry = factories.inquiry(on=factories.queue(), now=SUNDAY_AFTERNOON)
    other_key = factories.api_key(of=factories.brand())

    response = client_for(other_key).post(f"/api/v1/inquiries/{inquiry.pk}/messages",
                                          {"body": "Hello"}, format="json")

    assert response.status_code == 404
    assert inquiry.messages.count() == 1


def test_empty_customer_message_is_400(captured_tasks: list) -> None:
    queue = factories.queue()
    inquiry = factories.inquiry(on=queue, now=SUNDAY_AFTERNOON)

    response = client_for(factories.api_key(of=queue.brand)).post(
        f"/api/v1/inquiries/{inquiry.pk}/messages", {"body": ""}, format="json")

    assert response.status_code == 400
    assert inquiry.messages.count() == 1


def test_list_filters_by_channel_and_received_dates(captured_tasks: list) -> None:
    queue = factories.queue()
    early = factories.inquiry(on=queue, now=SUNDAY_AFTERNOON - timedelta(days=2))
    chat = factories.inquiry(on=queue, now=SUNDAY_AFTERNOON, channel="chat")
    late_email = factories.inquiry(on=queue, now=SUNDAY_AFTERNOON)
    client = client_for(factories.api_key(of=queue.brand))

    by_channel = client.get("/api/v1/inquiries", {"channel": "chat"})
    by_date = client.get("/api/v1/inquiries", {
        "received_after": (SUNDAY_AFTERNOON - timedelta(hours=1)).isoformat(),
        "channel": "email"})
    before = client.get("/api/v1/inquiries", {
        "received_before": (SUNDAY_AFTERNOON - timedelta(days=1)).isoformat()})

    assert [row["id"] for row in by_channel.json()["results"]] == [chat.pk]
    assert [row["id"] for row in by_date.json()["results"]] == [late_email.pk]
    assert [row["id"] for row in before.json()["results"]] == [early.pk]


@pytest.mark.parametrize(("params", "field"), [
    ({"status": "lost"}, "status"), ({"channel": "fax"}, "channel"),
    ({"received_after": "yesterday"}, "received_after"),
    ({"status": ""}, "status"), ({"received_before": ""}, "received_before"),
    ({"limit": "abc"}, "limit"), ({"limit": "0"}, "limit"), ({"limit": "201"}, "limit"),
    ({"limit": "12.0"}, "limit"), ({"offset": "-1"}, "offset"), ({"offset": ""}, "offset"),
])
def test_invalid_list_filters_are_400(params: dict[str, str], field: str,
                                      captured_tasks: list) -> None:
    queue = factories.queue()

    response = client_for(factories.api_key(of=queue.brand)).get("/api/v1/inquiries", params)

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_a_reversed_date_range_selects_nothing(captured_tasks: list) -> None:
    queue = factories.queue()
    factories.inquiry(on=queue, now=SUNDAY_AFTERNOON)

    response = client_for(factories.api_key(of=queue.brand)).get("/api/v1/inquiries", {
        "received_after": "2026-11-24T00:00:00Z", "received_before": "2026-11-23T00:00:00Z"})

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_list_is_paginated_with_next_and_previous(captured_tasks: list) -> None:
    queue = factories.queue()
    created = [factories.inquiry(on=queue, now=SUNDAY_AFTERNOON + timedelta(minutes=minute))
               for minute in range(3)]
    client = client_for(factories.api_key(of=queue.brand))

    first = client.get("/api/v1/inquiries", {"limit": 2}).json()
    second = client.get(first["next"]).json()

    assert first["count"] == 3
    assert [row["id"] for row in first["results"]] == [created[2].pk, created[1].pk]
    assert first["previous"] is None
    assert [row["id"] for row in second["results"]] == [created[0].pk]
    assert second["next"] is None and second["previous"] is not None


def test_retrieve_shows_promise_messages_and_timeline(captured_tasks: list) -> None:
    inquiry, reply, _ = answered_inquiry(captured_tasks)

    body = client_for(factories.api_key(of=inquiry.brand)).get(
        f"/api/v1/inquiries/{inquiry.pk}").json()

    assert [event["kind"] for event in body["timeline"]] == [
        "received", "coverage", "offered", "accepted", "replied"]
    assert body["promise"]["kept"] is True
    assert body["promise"]["text"] == inquiry.promise_text
    assert [message["id"] for message in body["messages"]][-1] == reply.pk
    assert body["messages"][-1]["delivery_status"] == "pending"


def test_brand_retries_a_failed_delivery(captured_tasks: list,
                                         django_capture_on_commit_callbacks: Any) -> None:
    inquiry, reply, _ = answered_inquiry(captured_tasks)
    Message.objects.filter(pk=reply.pk).update(delivery_status=DeliveryStatus.FAILED)
    captured_tasks.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(factories.api_key(of=inquiry.brand)).post(
            f"/api/v1/messages/{reply.pk}/retry-delivery")

    assert response.status_code == 202
    assert response.json()["delivery_status"] == "pending"
    assert captured_tasks == [("marketplace.deliver_message", [reply.pk])]
    assert inquiry.events.last().kind == "delivery_retried"  # type: ignore[union-attr]


def test_retry_of_a_message_that_did_not_fail_is_409(captured_tasks: list) -> None:
    inquiry, reply, _ = answered_inquiry(captured_tasks)

    response = client_for(factories.api_key(of=inquiry.brand)).post(
        f"/api/v1/messages/{reply.pk}/retry-delivery")

    assert response.status_code == 409
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.PENDING


def test_retry_of_another_brands_message_is_404(captured_tasks: list) -> None:
    _, reply, _ = answered_inquiry(captured_tasks)
    Message.objects.filter(pk=reply.pk).update(delivery_status=DeliveryStatus.FAILED)

    response = client_for(factories.api_key(of=factories.brand())).post(
        f"/api/v1/messages/{reply.pk}/retry-delivery")

    assert response.status_code == 404
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.FAILED


def test_customer_reply_with_nobody_holding_the_inquiry_goes_back_to_the_queue(
    captured_tasks: list, django_capture_on_commit_callbacks: Any,
) -> None:
    inquiry, _, _ = answered_inquiry(captured_tasks)
    Assignment.objects.filter(inquiry=inquiry).update(status=AssignmentStatus.RELEASED)
    captured_tasks.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(factories.api_key(of=inquiry.brand)).post(
            f"/api/v1/inquiries/{inquiry.pk}/messages", {"body": "Hello?"}, format="json")

    assert response.status_code == 201
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.QUEUED
    assert captured_tasks == [("routing.route_inquiry", [inquiry.pk])]

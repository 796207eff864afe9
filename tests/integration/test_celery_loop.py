"""The loop through real processes: the API on uvicorn, routing and delivery on a real Celery
worker, the offer pushed over the Redis channel layer to a websocket client."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from websockets.sync.client import ClientConnection, connect

from billing.models import LedgerEntry, LedgerTransaction
from experts.attendance import services as attendance
from marketplace.inquiries.models import DeliveryStatus, Inquiry, InquiryStatus, Message
from routing.assignments import services as assignments_services
from routing.models import ExpertSeat, Offer, OfferStatus
from routing.offers import services as offers_services
from routing.sweeps import services as sweeps_services
from tests import factories
from tests.live import LivePlatform

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@contextmanager
def expert_socket(live: LivePlatform, user: User) -> Iterator[ClientConnection]:
    client = Client()
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    with connect(live.ws_url, additional_headers={"Cookie": cookie, "Origin": live.base_url},
                 open_timeout=10) as socket:
        yield socket


def frame_with(socket: ClientConnection, text: str, timeout: float = 15) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        frame = str(socket.recv(timeout=max(0.1, deadline - time.monotonic())))
        if text in frame:
            return frame
    raise AssertionError(f"no frame with {text!r} within {timeout} s")


def wait_until(check: object, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def payload(external_id: str) -> dict[str, object]:
    return {"external_id": external_id, "channel": "email", "subject": "Parcel missing",
            "body": "Where is it?", "language": "en",
            "customer": {"email": "sam@example.com", "name": "Sam"}}


def test_inquiry_travels_from_the_api_to_a_paid_expert(live: LivePlatform) -> None:
    now = timezone.now()
    queue = factories.queue(price_minor=450, rate_minor=300)
    expert = factories.on_shift_expert(on=queue, now=now)
    api_key = factories.api_key(of=queue.brand)

    with expert_socket(live, expert.user) as socket:
        created = live.post_json("/api/v1/inquiries", payload("loop-1"), api_key=api_key)
        frame = frame_with(socket, "offer-")

    inquiry = Inquiry.objects.get(pk=created["id"])
    offer = Offer.objects.get(inquiry=inquiry)
    assert created["_status"] == 201
    assert f'id="offer-{offer.pk}"' in frame and "Parcel missing" in frame
    offers_services.offer_accept(offer_id=offer.pk, expert=expert, now=timezone.now())
    reply = assignments_services.assignment_reply(
        inquiry_id=inquiry.pk,
        expert=expert,
        author=expert.user,
        body="It ships today.",
        now=timezone.now(),
    )
    wait_until(lambda: Message.objects.get(pk=reply.pk).delivery_status
               == DeliveryStatus.DELIVERED)
    assignments_services.assignment_resolve(
        inquiry_id=inquiry.pk, expert=expert, now=timezone.now()
    )
    assignments_services.assignment_resolve(
        inquiry_id=inquiry.pk, expert=expert, now=timezone.now()
    )
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.RESOLVED
    ledger = LedgerTransaction.objects.get(reference_inquiry_id=inquiry.pk)
    amounts = sorted(LedgerEntry.objects.filter(transaction=ledger)
                     .values_list("amount_minor", flat=True))
    assert amounts == [-300, -150, 450]


def test_same_external_id_through_the_live_api_is_one_inquiry(live: LivePlatform) -> None:
    queue = factories.queue()
    api_key = factories.api_key(of=queue.brand)

    first = live.post_json("/api/v1/inquiries", payload("twice"), api_key=api_key)
    second = live.post_json("/api/v1/inquiries", payload("twice"), api_key=api_key)

    assert (first["_status"], second["_status"]) == (201, 200)
    assert first["id"] == second["id"]
    assert Inquiry.objects.filter(external_id="twice").count() == 1
    # The worker routes the inquiry meanwhile; let it finish before the test's tables are
    # truncated, or the two lock each other.
    wait_until(lambda: Inquiry.objects.get(pk=first["id"]).status != InquiryStatus.RECEIVED)


def test_unanswered_offer_expires_and_reaches_the_next_expert_live(live: LivePlatform) -> None:
    now = timezone.now()
    queue = factories.queue()
    slot = factories.shift(on=queue, now=now)
    first = factories.on_shift_expert(on=queue, now=now, slot=slot,
                                      idle_since=now - timedelta(hours=1))
    second = factories.on_shift_expert(on=queue, now=now, slot=slot)
    api_key = factories.api_key(of=queue.brand)

    with expert_socket(live, first.user) as first_socket, \
            expert_socket(live, second.user) as second_socket:
        created = live.post_json("/api/v1/inquiries", payload("expiring"), api_key=api_key)
        first_frame = frame_with(first_socket, "offer-")
        expired = sweeps_services.offers_expire_due(now=timezone.now() + timedelta(seconds=121))
        removal = frame_with(first_socket, 'data-offer-gone="expired"')
        second_frame = frame_with(second_socket, "offer-")

    offers = dict(Offer.objects.filter(inquiry_id=created["id"])
                  .values_list("expert_id", "status"))
    assert expired == 1
    assert offers == {first.pk: OfferStatus.EXPIRED, second.pk: OfferStatus.PENDING}
    assert "Parcel missing" in first_frame and "Parcel missing" in second_frame
    assert "offer-" in removal


def test_waiting_inquiry_is_offered_when_an_expert_checks_in(live: LivePlatform) -> None:
    now = timezone.now()
    queue = factories.queue()
    latecomer = factories.on_shift_expert(on=queue, now=now, checked_in=False)
    api_key = factories.api_key(of=queue.brand)
    created = live.post_json("/api/v1/inquiries", payload("waiting"), api_key=api_key)
    wait_until(lambda: Inquiry.objects.get(pk=created["id"]).status == InquiryStatus.QUEUED)

    with expert_socket(live, latecomer.user) as socket:
        booking = latecomer.bookings.get()
        attendance.shift_booking_check_in(booking_id=booking.pk, expert=latecomer,
                                               now=timezone.now())
        frame = frame_with(socket, "offer-")

    assert ExpertSeat.objects.filter(expert=latecomer).exists()
    assert Offer.objects.get(inquiry_id=created["id"]).expert_id == latecomer.pk
    assert "Parcel missing" in frame

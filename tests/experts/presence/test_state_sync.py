"""State sync on reconnect: an expert's socket, on every (re)connect, first receives every offer
pending for them and their open inquiries; an offer made while no socket was open is not lost."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing.websocket import WebsocketCommunicator
from django.utils import timezone

from experts.presence.consumers import ExpertConsumer
from routing.models import Assignment, Offer, OfferStatus
from routing.offers import services as offers_services
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def first_frame(user: object) -> str:
    async def scenario() -> str:
        connection = WebsocketCommunicator(ExpertConsumer.as_asgi(), "/ws/expert/")
        connection.scope["user"] = user
        assert (await connection.connect())[0]
        frame = await connection.receive_from(timeout=5)
        await connection.disconnect()
        return frame

    return async_to_sync(scenario)()


def test_an_offer_made_while_no_socket_was_open_is_delivered_on_connect(
        captured_tasks: list) -> None:
    now = timezone.now()
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)
    inquiry = factories.inquiry(on=queue, now=now, subject="Parcel went to the wrong town")
    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)
    offer = Offer.objects.get(inquiry=inquiry, expert=expert)

    frame = first_frame(expert.user)
    again = first_frame(expert.user)

    assert '<div id="offers" hx-swap-oob="innerHTML">' in frame
    assert f'id="offer-{offer.pk}"' in frame
    assert "Parcel went to the wrong town" in frame
    assert frame.count(f'id="offer-{offer.pk}"') == 1
    assert again == frame


def test_an_offer_no_longer_pending_is_not_sent(captured_tasks: list) -> None:
    now = timezone.now()
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)
    inquiry = factories.inquiry(on=queue, now=now, subject="Expired meanwhile")
    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)
    Offer.objects.filter(inquiry=inquiry).update(status=OfferStatus.EXPIRED)

    frame = first_frame(expert.user)

    assert "Expired meanwhile" not in frame
    assert "data-offer-id" not in frame


def test_the_open_inquiries_state_is_sent_on_connect(captured_tasks: list) -> None:
    now = timezone.now()
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)
    inquiry = factories.inquiry(on=queue, now=now, subject="Strap came loose")
    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)
    offer = Offer.objects.get(inquiry=inquiry, expert=expert)
    offers_services.offer_accept(offer_id=offer.pk, expert=expert, now=now)
    assert Assignment.objects.filter(inquiry=inquiry, expert=expert).exists()

    frame = first_frame(expert.user)

    assert '<nav id="open-inquiries"' in frame
    assert 'hx-swap-oob="true"' in frame
    assert f'id="open-inquiry-{inquiry.pk}"' in frame
    assert f'href="/expert/inquiries/{inquiry.pk}/"' in frame
    assert "Strap came loose" in frame
    assert "data-offer-id" not in frame


def test_with_nothing_pending_the_state_empties_the_page(captured_tasks: list) -> None:
    now = timezone.now()
    expert = factories.on_shift_expert(on=factories.queue(), now=now)

    frame = first_frame(expert.user)

    assert '<div id="offers" hx-swap-oob="innerHTML">' in frame
    assert "<li" not in frame

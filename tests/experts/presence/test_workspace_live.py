"""What the expert's one live socket per tab pushes to the workspace, over the real Redis
channel layer: customer messages, each reply's delivery state, open-inquiry status, and why an
offer vanished, in words."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.utils import timezone

from experts.presence.consumers import ExpertConsumer
from experts.profiles.models import ExpertProfile
from marketplace.delivery import services as delivery_services
from marketplace.intake import services as intake_services
from routing.assignments import services as assignments_services
from routing.models import Offer
from routing.offers import services as offers_services
from routing.sweeps.services import TARGET_PASSED
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def frames_after(user: object, action: Callable[[], object]) -> str:
    """Connects as `user`, skips the live state every connect sends, runs `action` and returns
    every frame that follows within 3 s of the last (the machine may be busy)."""
    async def scenario() -> str:
        connection = WebsocketCommunicator(ExpertConsumer.as_asgi(), "/ws/expert/")
        connection.scope["user"] = user
        assert (await connection.connect())[0]
        await connection.receive_from(timeout=60)
        await database_sync_to_async(action)()
        frames = []
        while not await connection.receive_nothing(timeout=3):
            frames.append(await connection.receive_from(timeout=5))
        await connection.disconnect()
        return "\n".join(frames)

    return async_to_sync(scenario)()


def test_a_replys_delivery_state_reaches_its_author_live(captured_tasks: list) -> None:
    now = timezone.now()
    reply, expert = factories.expert_reply(on=factories.queue(), now=now)

    html = frames_after(expert.user, lambda: delivery_services.message_deliver(
        message_id=reply.pk, now=now))

    assert (f'<span id="delivery-{reply.pk}" class="delivery delivery-delivered" '
            'data-delivery="delivered" hx-swap-oob="true">Sent</span>') in html


def test_a_failed_delivery_says_failed_live(captured_tasks: list) -> None:
    now = timezone.now()
    reply, expert = factories.expert_reply(on=factories.queue(), now=now)
    delivery_services.message_deliver(message_id=reply.pk, now=now)

    html = frames_after(expert.user, lambda: delivery_services.message_record_bounce(
        message_id=reply.pk, reason="mailbox full", now=now))

    assert f'id="delivery-{reply.pk}"' in html
    assert ">Failed</span>" in html


def test_a_customer_message_joins_the_open_conversation(captured_tasks: list) -> None:
    now = timezone.now()
    reply, expert = factories.expert_reply(on=factories.queue(), now=now)

    html = frames_after(expert.user, lambda: intake_services.inquiry_add_customer_message(
        inquiry_id=reply.inquiry_id, body="Still stuck, sorry!", now=now))

    assert f'hx-swap-oob="beforeend:#conversation-{reply.inquiry_id}"' in html
    assert "Still stuck, sorry!" in html
    assert f'id="inquiry-status-{reply.inquiry_id}" class="status" hx-swap-oob="true">Assigned' \
        in html


def test_replying_updates_the_open_inquiry_status_live(captured_tasks: list) -> None:
    now = timezone.now()
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)
    inquiry = factories.inquiry(on=queue, now=now, subject="Late parcel")
    offer_id = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now).offer_id
    assert offer_id is not None
    offers_services.offer_accept(offer_id=offer_id, expert=expert, now=now)

    html = frames_after(expert.user, lambda: assignments_services.assignment_reply(
        inquiry_id=inquiry.pk, expert=expert, author=expert.user, body="On its way.", now=now))

    assert '<nav id="open-inquiries" class="open-inquiries" aria-label="Your open inquiries" ' \
           'hx-swap-oob="true">' in html
    assert f'id="inquiry-status-{inquiry.pk}" class="status" hx-swap-oob="true">' \
           'Waiting on customer' in html


def offered_to_one(subject: str) -> tuple[ExpertProfile, Offer]:
    now = timezone.now()
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)
    inquiry = factories.inquiry(on=queue, now=now, subject=subject)
    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)
    return expert, Offer.objects.select_related("inquiry__queue").get(inquiry=inquiry)


def test_an_offer_taken_by_another_expert_says_so(captured_tasks: list) -> None:
    now = timezone.now()
    expert, offer = offered_to_one("Refund please")
    rival = factories.on_shift_expert(on=offer.inquiry.queue, now=now)
    rivals_offer = Offer.objects.create(inquiry=offer.inquiry, expert=rival, created_at=now,
                                        expires_at=now + timedelta(minutes=2))

    html = frames_after(expert.user, lambda: offers_services.offer_accept(
        offer_id=rivals_offer.pk, expert=rival, now=now))

    assert f'<article id="offer-{offer.pk}" class="offer offer-gone" data-offer-gone="taken"' \
        in html
    assert "another expert accepted it first." in html


def test_an_offer_handed_back_at_the_target_says_so(captured_tasks: list) -> None:
    expert, offer = offered_to_one("Refund please")

    html = frames_after(expert.user, lambda: assignments_services.inquiry_hand_back(
        inquiry_id=offer.inquiry_id, reason=TARGET_PASSED, now=timezone.now()))

    assert "nobody could take it before its first-response target." in html


def test_an_expired_offer_says_so(captured_tasks: list) -> None:
    expert, offer = offered_to_one("Refund please")

    html = frames_after(expert.user, lambda: offers_services.offer_expire(
        offer_id=offer.pk, now=offer.expires_at + timedelta(seconds=1)))

    assert "the time to accept ran out, so it went to the next expert." in html


def test_a_withdrawn_offer_gives_the_reason(captured_tasks: list) -> None:
    expert, offer = offered_to_one("Refund please")

    html = frames_after(expert.user, lambda: offers_services.offer_withdraw(
        offer_id=offer.pk, reason="Your shift ended.", now=timezone.now()))

    assert "withdrawn: Your shift ended.." not in html
    assert "withdrawn: Your shift ended." in html


def test_an_offer_accepted_here_simply_goes(captured_tasks: list) -> None:
    expert, offer = offered_to_one("Refund please")

    html = frames_after(expert.user, lambda: offers_services.offer_accept(
        offer_id=offer.pk, expert=expert, now=timezone.now()))

    assert f'<div id="offer-{offer.pk}" hx-swap-oob="delete"></div>' in html
    assert "offer-gone" not in html

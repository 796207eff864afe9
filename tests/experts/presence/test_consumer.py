"""The expert websocket over the real Redis channel layer."""

from datetime import datetime

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing.websocket import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.utils import timezone

from experts.applications.services import decisions as applications_decisions
from experts.presence.consumers import ExpertConsumer
from experts.profiles.models import ExpertStatus
from marketplace.infra.push import expert_group
from routing.models import Offer
from routing.offers import services as offers_services
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def communicator(user: object) -> WebsocketCommunicator:
    connection = WebsocketCommunicator(ExpertConsumer.as_asgi(), "/ws/expert/")
    connection.scope["user"] = user
    return connection


def test_settings_use_the_redis_channel_layer() -> None:
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == (
        "channels_redis.core.RedisChannelLayer")


def test_anonymous_socket_is_closed() -> None:
    async def scenario() -> tuple[bool, int | None]:
        connection = communicator(AnonymousUser())
        connected, code = await connection.connect()
        return connected, code

    assert async_to_sync(scenario)() == (False, 4401)


@pytest.mark.parametrize("status", [ExpertStatus.APPLIED, ExpertStatus.REJECTED,
                                    ExpertStatus.SUSPENDED])
def test_socket_of_an_unapproved_expert_is_closed(now: datetime, status: ExpertStatus) -> None:
    applicant_user = factories.expert(now=now, status=status).user

    async def scenario() -> tuple[bool, int | None]:
        connected, code = await communicator(applicant_user).connect()
        return connected, code

    assert async_to_sync(scenario)() == (False, 4403)


def test_offer_reaches_the_experts_socket_and_nobody_elses(captured_tasks: list) -> None:
    now = timezone.now()
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)
    bystander = factories.expert(now=now)
    inquiry = factories.inquiry(on=queue, now=now, subject="Wrong size")
    expert_user, bystander_user = expert.user, bystander.user

    async def scenario() -> tuple[str, bool, str]:
        mine, theirs = communicator(expert_user), communicator(bystander_user)
        assert (await mine.connect())[0] and (await theirs.connect())[0]
        await mine.receive_from(timeout=5)  # the live state every connect sends first
        await theirs.receive_from(timeout=5)
        await database_sync_to_async(offers_services.inquiry_route)(inquiry_id=inquiry.pk, now=now)
        frame = await mine.receive_from(timeout=5)
        bystander_silent = await theirs.receive_nothing(timeout=0.5)
        offer = await database_sync_to_async(Offer.objects.get)(inquiry=inquiry)
        await get_channel_layer().group_send(
            expert_group(expert.pk), {"type": "offer.closed", "offer_id": offer.pk}
        )
        removal = await mine.receive_from(timeout=5)
        await mine.disconnect()
        await theirs.disconnect()
        return frame, bystander_silent, removal

    frame, bystander_silent, removal = async_to_sync(scenario)()

    offer = Offer.objects.get(inquiry=inquiry)
    assert f'id="offer-{offer.pk}"' in frame
    assert "Wrong size" in frame
    assert 'hx-swap-oob="afterbegin"' in frame
    assert bystander_silent is True
    assert removal == f'<div id="offer-{offer.pk}" hx-swap-oob="delete"></div>'


def _connect_then_run(user: object, action: object) -> dict[str, object]:
    async def scenario() -> dict[str, object]:
        connection = communicator(user)
        connected, _ = await connection.connect()
        assert connected
        await connection.receive_from(timeout=5)  # the live state
        await database_sync_to_async(action)()  # type: ignore[arg-type]
        return await connection.receive_output(timeout=5)

    return async_to_sync(scenario)()


def test_suspending_an_expert_closes_their_socket(now: datetime) -> None:
    expert = factories.expert(now=now)
    expert_user, ops_user = expert.user, factories.user(is_staff=True)

    closed = _connect_then_run(expert_user, lambda: applications_decisions.expert_decide(
        expert=expert, to_status=ExpertStatus.SUSPENDED, decided_by=ops_user,
        reason="Complaint", now=now))

    assert closed == {"type": "websocket.close", "code": 4403}


def test_logging_out_closes_the_experts_socket(now: datetime) -> None:
    expert_user = factories.expert(now=now).user
    client = Client()
    client.force_login(expert_user)

    closed = _connect_then_run(expert_user, lambda: client.post("/accounts/logout/"))

    assert closed == {"type": "websocket.close", "code": 4401}

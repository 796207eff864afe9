"""A password change (or reset) closes every open socket of that user, the brand console's and
the expert workspace's alike, over the real Redis channel layer; other people's stay open."""

from datetime import datetime
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.test import Client

from experts.presence.consumers import ExpertConsumer
from marketplace.access import services as access_services
from marketplace.inquiries.consumers import BrandConsumer
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "a-brand-new-passphrase-42"


def communicator(consumer: Any, path: str, user: object) -> WebsocketCommunicator:
    connection = WebsocketCommunicator(consumer.as_asgi(), path)
    connection.scope["user"] = user
    return connection


def test_changing_the_password_closes_the_users_sockets_and_no_one_elses() -> None:
    brand = factories.brand()
    member, colleague = factories.brand_member(of=brand), factories.brand_member(of=brand)
    client = Client()
    client.force_login(member)

    async def scenario() -> tuple[dict, dict, bool]:
        first = communicator(BrandConsumer, "/ws/brand/", member)
        second = communicator(BrandConsumer, "/ws/brand/", member)
        theirs = communicator(BrandConsumer, "/ws/brand/", colleague)
        for connection in (first, second, theirs):
            assert (await connection.connect(timeout=5))[0]
            await connection.receive_from(timeout=5)  # the state every connect sends first
        changed = await database_sync_to_async(client.post)("/accounts/password/change/", {
            "old_password": factories.PASSWORD, "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD})
        assert changed.status_code == 302
        closed = await first.receive_output(timeout=5), await second.receive_output(timeout=5)
        colleague_open = await theirs.receive_nothing(timeout=0.5)
        await theirs.disconnect()
        return closed[0], closed[1], colleague_open

    first_closed, second_closed, colleague_open = async_to_sync(scenario)()

    assert first_closed == second_closed == {"type": "websocket.close", "code": 4401}
    assert colleague_open is True


def test_a_password_reset_closes_the_experts_workspace_socket(now: datetime) -> None:
    expert_user = factories.expert(now=now).user

    async def scenario() -> dict:
        connection = communicator(ExpertConsumer, "/ws/expert/", expert_user)
        assert (await connection.connect(timeout=5))[0]
        await connection.receive_from(timeout=5)  # the state every connect sends first
        await database_sync_to_async(access_services.account_password_changed)(user=expert_user)
        return await connection.receive_output(timeout=5)

    assert async_to_sync(scenario)() == {"type": "websocket.close", "code": 4401}

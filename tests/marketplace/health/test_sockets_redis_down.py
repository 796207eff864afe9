"""Redis down: a live socket's handshake is refused cleanly (closed with 1013, "try again
later"), never a server error, for the brand console and the expert workspace alike; the page's
client then says it is reconnecting."""

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing.websocket import WebsocketCommunicator
from django.conf import settings

from experts.presence.consumers import ExpertConsumer
from marketplace.infra.consumers import CLOSE_TRY_AGAIN_LATER
from marketplace.inquiries.consumers import BrandConsumer
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def dead_channel_layer(settings: Any) -> None:
    settings.CHANNEL_LAYERS = {"default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [{"address": DEAD_REDIS, "socket_connect_timeout": 0.5}],
                   "prefix": "wt-health-dead"},
    }}


def handshake(consumer: Any, path: str, user: object) -> tuple[bool, int | str | None]:
    async def scenario() -> tuple[bool, int | str | None]:
        connection = WebsocketCommunicator(consumer.as_asgi(), path)
        connection.scope["user"] = user
        connected, code = await connection.connect(timeout=10)
        await connection.wait(timeout=1)
        return connected, code

    return async_to_sync(scenario)()


def test_the_brand_console_socket_is_refused_cleanly_while_redis_is_down(
    dead_channel_layer: None,
) -> None:
    member = factories.brand_member(of=factories.brand())

    assert handshake(BrandConsumer, "/ws/brand/", member) == (False, CLOSE_TRY_AGAIN_LATER)


def test_the_expert_socket_is_refused_cleanly_while_redis_is_down(
    dead_channel_layer: None, now: datetime,
) -> None:
    expert_user = factories.expert(now=now).user

    assert handshake(ExpertConsumer, "/ws/expert/", expert_user) == (False, CLOSE_TRY_AGAIN_LATER)


def test_the_page_says_it_is_reconnecting_when_the_socket_closes() -> None:
    script = (Path(settings.BASE_DIR) / "frontend/static/frontend/shiftline.js").read_text()

    assert 'addEventListener("htmx:wsClose"' in script
    assert "Reconnecting…" in script

"""The channel layer waits for messages with a blocking pop; redis-py 8 reads with a 5 s socket
timeout by default, which cut that pop and tore every idle websocket down every few seconds
(and with it the presence heartbeat). The socket timeout must outlast the pop."""

from typing import Any

from channels_redis.core import RedisChannelLayer
from django.conf import settings


def test_the_socket_timeout_outlasts_the_layers_blocking_pop() -> None:
    layer: Any = settings.CHANNEL_LAYERS["default"]
    host = layer["CONFIG"]["hosts"][0]

    assert host["address"] == settings.REDIS_URL
    assert host["socket_timeout"] > RedisChannelLayer.brpop_timeout

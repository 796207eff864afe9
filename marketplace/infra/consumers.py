"""The base of every live connection: a notification pipe for one signed-in user's group.
It authenticates the session (closing with 4401 otherwise), lets the subclass name the group
(4403 when the user may not join any) and forwards events; writes go over HTTP into services.
While the channel layer (Redis) is down the handshake is refused cleanly (closed with 1013,
"try again later", never a server error), an open socket is closed the same way, and the
page's socket client reconnects with backoff, saying "Reconnecting…"."""


import asyncio
import logging
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer
from redis.exceptions import RedisError

from marketplace.infra.push import user_group

CLOSE_UNAUTHENTICATED = 4401


CLOSE_FORBIDDEN = 4403


CLOSE_TRY_AGAIN_LATER = 1013
# Joining the groups waits at most this long for the channel layer before refusing.
GROUP_JOIN_TIMEOUT_SECONDS = 3.0
logger = logging.getLogger(__name__)


LAYER_ERRORS = (OSError, TimeoutError, RedisError)


class LayerOutage:
    """The consumer's channel layer, with `receive` (the consumer's own listening loop) turned
    from a crash into a clean close when Redis is gone: the socket closes with 1013 if it was
    open, and the loop then waits for the client's disconnect, which ends the consumer (a
    refused handshake has already been closed by `connect`). Everything else is the layer's."""

    def __init__(self, layer: Any, consumer: "UserGroupConsumer") -> None:
        self._layer = layer
        self._consumer = consumer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._layer, name)

    async def receive(self, channel: str) -> dict[str, Any]:
        try:
            return dict(await self._layer.receive(channel))
        except LAYER_ERRORS as error:
            logger.warning("Live socket closed: the channel layer is unavailable (%s: %s)",
                           type(error).__name__, error)
            if hasattr(self._consumer, "group_name"):
                await self._consumer.close(code=CLOSE_TRY_AGAIN_LATER)
            await asyncio.Future()  # never done: the client's disconnect stops the consumer
            raise


class UserGroupConsumer(AsyncWebsocketConsumer):
    """A socket that joins one channel-layer group chosen for its signed-in user: closed with
    4401 without a session and 4403 when `group_for` finds no group for the user. Shared by the
    brand console and the expert workspace (experts/presence/consumers.py).

    Every socket also joins its user's own group (`user_group`), where `session.ended` closes
    it with 4401: a password change ends the sessions the user's sockets were opened with."""

    group_name: str
    user_group_name: str
    _channel_layer: Any = None

    @property  # type: ignore[override]
    def channel_layer(self) -> Any:
        return self._channel_layer

    @channel_layer.setter
    def channel_layer(self, layer: Any) -> None:
        """Channels sets the layer when the connection starts; a lost Redis must not crash the
        consumer's listening loop (`LayerOutage`)."""
        self._channel_layer = None if layer is None else LayerOutage(layer, self)

    async def group_for(self, user: Any) -> str | None:
        raise NotImplementedError

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        group = await self.group_for(user)
        if group is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        try:
            async with asyncio.timeout(GROUP_JOIN_TIMEOUT_SECONDS):
                await self.channel_layer.group_add(group, self.channel_name)
                await self.channel_layer.group_add(user_group(user.pk), self.channel_name)
        except LAYER_ERRORS as error:
            logger.warning("Live socket refused: the channel layer is unavailable (%s: %s)",
                           type(error).__name__, error)
            await self.close(code=CLOSE_TRY_AGAIN_LATER)
            return
        self.group_name = group
        self.user_group_name = user_group(user.pk)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group_name"):
            await self.channel_layer.group_discard(self.group_name, self.channel_name)
        if hasattr(self, "user_group_name"):
            await self.channel_layer.group_discard(self.user_group_name, self.channel_name)

    async def session_ended(self, event: dict[str, Any]) -> None:
        await self.close(code=CLOSE_UNAUTHENTICATED)

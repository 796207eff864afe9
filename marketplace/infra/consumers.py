"""The base of every live connection: a notification pipe for one signed-in user's group.
It authenticates the session (closing with 4401 otherwise), lets the subclass name the group
(4403 when the user may not join any) and forwards events; writes go over HTTP into services."""


from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer

from marketplace.infra.push import user_group

CLOSE_UNAUTHENTICATED = 4401


CLOSE_FORBIDDEN = 4403


class UserGroupConsumer(AsyncWebsocketConsumer):
    """A socket that joins one channel-layer group chosen for its signed-in user: closed with
    4401 without a session and 4403 when `group_for` finds no group for the user. Shared by the
    brand console and the expert workspace (experts/presence/consumers.py).

    Every socket also joins its user's own group (`user_group`), where `session.ended` closes
    it with 4401: a password change ends the sessions the user's sockets were opened with."""

    group_name: str
    user_group_name: str

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
        self.group_name = group
        self.user_group_name = user_group(user.pk)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.channel_layer.group_add(self.user_group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group_name"):
            await self.channel_layer.group_discard(self.group_name, self.channel_name)
        if hasattr(self, "user_group_name"):
            await self.channel_layer.group_discard(self.user_group_name, self.channel_name)

    async def session_ended(self, event: dict[str, Any]) -> None:
        await self.close(code=CLOSE_UNAUTHENTICATED)

"""The brand console's live connection: a notification pipe. It authenticates the session,
requires a brand membership, joins the brand's group and forwards each changed inquiry as a
table row that htmx swaps in by id (out of band). It never writes."""

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.template.loader import render_to_string
from django.utils import timezone

from marketplace import selectors
from marketplace.errors import NotFound
from marketplace.push import brand_group

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403


class UserGroupConsumer(AsyncWebsocketConsumer):
    """A socket that joins one channel-layer group chosen for its signed-in user: closed with
    4401 without a session and 4403 when `group_for` finds no group for the user. Shared by the
    brand console and the expert workspace (routing/consumers.py)."""

    group_name: str

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
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group_name"):
            await self.channel_layer.group_discard(self.group_name, self.channel_name)


class BrandConsumer(UserGroupConsumer):
    brand_id: int

    async def group_for(self, user: Any) -> str | None:
        membership = await database_sync_to_async(selectors.brand_membership_for_user)(
            user=user
        )
        if membership is None:
            return None
        self.brand_id = membership.brand_id
        return brand_group(membership.brand_id)

    async def inquiry_changed(self, event: dict[str, Any]) -> None:
        html = await database_sync_to_async(self._render_row)(
            int(event["inquiry_id"]), bool(event.get("is_new"))
        )
        if html:
            await self.send(text_data=html)

    def _render_row(self, inquiry_id: int, is_new: bool) -> str | None:
        """A new inquiry goes on top of the live table (only the unfiltered first page has the
        `live-rows` target); a changed one replaces its row wherever it is shown."""
        try:
            inquiry = selectors.inquiry_get_for_brand_id(
                brand_id=self.brand_id, inquiry_id=inquiry_id
            )
        except NotFound:
            return None
        return render_to_string("frontend/brand/_inquiry_row_pushed.html", {
            "inquiry": inquiry, "is_new": is_new, "now": timezone.now(),
        })

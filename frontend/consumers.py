"""The ops live board's connection (/ws/ops/), open to ops staff only: on every (re)connect
and on every `board.changed` it sends the board as it is now, which htmx swaps in place."""

from typing import Any

from channels.db import database_sync_to_async
from django.template.loader import render_to_string
from django.utils import timezone

from frontend.ops_overview import board_rows
from marketplace.infra.consumers import UserGroupConsumer
from marketplace.infra.push import OPS_BOARD_GROUP


class OpsBoardConsumer(UserGroupConsumer):
    async def group_for(self, user: Any) -> str | None:
        return OPS_BOARD_GROUP if user.is_staff else None

    async def connect(self) -> None:
        await super().connect()
        if hasattr(self, "group_name"):
            await self.send(text_data=await database_sync_to_async(self._render_board)())

    async def board_changed(self, event: dict[str, Any]) -> None:
        await self.send(text_data=await database_sync_to_async(self._render_board)())

    def _render_board(self) -> str:
        now = timezone.now()
        return render_to_string("frontend/ops/_board.html", {
            "rows": board_rows(now=now), "now": now, "oob": True,
        })

"""The brand console's live connection: a notification pipe. On every (re)connect it first sends
the live queue as it is now (`_live_rows_state.html`), so a change made while the socket was
down is not missed."""

from typing import Any

from channels.db import database_sync_to_async
from django.template.loader import render_to_string
from django.utils import timezone

from marketplace.accounts import selectors as accounts_selectors
from marketplace.infra.consumers import UserGroupConsumer
from marketplace.infra.errors import NotFound
from marketplace.infra.push import brand_group
from marketplace.inquiries import selectors as inquiries_selectors
from marketplace.onboarding import selectors as onboarding_selectors

LIVE_QUEUE_ROWS = 25
"""The console's first page: what a (re)connect refreshes."""


class BrandConsumer(UserGroupConsumer):
    """Renders its rows in the member's own time zone, as their pages are."""

    brand_id: int
    time_zone: str

    async def group_for(self, user: Any) -> str | None:
        membership = await database_sync_to_async(onboarding_selectors.brand_membership_for_user)(
            user=user
        )
        if membership is None:
            return None
        self.brand_id = membership.brand_id
        self.time_zone = await database_sync_to_async(accounts_selectors.account_time_zone)(
            user=user)
        return brand_group(membership.brand_id)

    async def connect(self) -> None:
        await super().connect()
        if hasattr(self, "group_name"):
            await self.send(text_data=await database_sync_to_async(self._render_state)())

    def _render_state(self) -> str:
        with timezone.override(self.time_zone):
            return self._render_state_here()

    def _render_state_here(self) -> str:
        return render_to_string("frontend/brand/_live_rows_state.html", {
            "inquiries": inquiries_selectors.inquiry_list_open_for_brand_id(
                brand_id=self.brand_id, limit=LIVE_QUEUE_ROWS),
            "now": timezone.now(),
        })

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
            inquiry = inquiries_selectors.inquiry_get_for_brand_id(
                brand_id=self.brand_id, inquiry_id=inquiry_id
            )
        except NotFound:
            return None
        with timezone.override(self.time_zone):
            return render_to_string("frontend/brand/_inquiry_row_pushed.html", {
                "inquiry": inquiry, "is_new": is_new, "now": timezone.now(),
            })

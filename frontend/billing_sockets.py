"""The live money pages' sockets, notification pipes like the console's: ops watching a payout
batch being sent (`/ws/ops/payouts/<batch id>/`, staff only) and a brand's billing page
(`/ws/brand/billing/`, that brand's members only). Each (re)connect first sends the fragment as
it is now, so a change made while the socket was down is not missed; every push after commit
(billing's `payout.progress` and `usage.changed`) sends it again, and htmx's ws extension swaps
it in by its id. While the socket is down the fragment polls instead (its `hx-trigger`)."""

from typing import Any

from channels.db import database_sync_to_async
from django.template.loader import render_to_string

from billing.payouts import selectors as payouts_selectors
from frontend.views.billing import brand_usage_context
from frontend.views.ops_payouts import payout_progress_context
from marketplace.infra.consumers import UserGroupConsumer
from marketplace.infra.errors import NotFound
from marketplace.infra.push import brand_billing_group, ops_payout_batch_group
from marketplace.onboarding import selectors as onboarding_selectors


class OpsPayoutBatchConsumer(UserGroupConsumer):
    batch_id: int

    async def group_for(self, user: Any) -> str | None:
        if not user.is_staff:
            return None
        self.batch_id = int(self.scope["url_route"]["kwargs"]["batch_id"])
        try:
            await database_sync_to_async(payouts_selectors.payout_batch_get)(
                batch_id=self.batch_id)
        except NotFound:
            return None
        return ops_payout_batch_group(self.batch_id)

    async def connect(self) -> None:
        await super().connect()
        if hasattr(self, "group_name"):
            await self.send(text_data=await database_sync_to_async(self._render)())

    def _render(self) -> str:
        return render_to_string("frontend/ops/_payout_progress.html",
                                payout_progress_context(self.batch_id))

    async def payout_progress(self, event: dict[str, Any]) -> None:
        await self.send(text_data=await database_sync_to_async(self._render)())


class BrandBillingConsumer(UserGroupConsumer):
    brand_id: int

    async def group_for(self, user: Any) -> str | None:
        membership = await database_sync_to_async(onboarding_selectors.brand_membership_for_user)(
            user=user)
        if membership is None:
            return None
        self.brand_id = membership.brand_id
        return brand_billing_group(membership.brand_id)

    async def connect(self) -> None:
        await super().connect()
        if hasattr(self, "group_name"):
            await self.send(text_data=await database_sync_to_async(self._render)())

    def _render(self) -> str:
        return render_to_string("frontend/brand/_usage.html",
                                {"usage": brand_usage_context(self.brand_id)})

    async def usage_changed(self, event: dict[str, Any]) -> None:
        await self.send(text_data=await database_sync_to_async(self._render)())

"""The live money pages over the real Redis channel layer: ops watching a payout batch get its
progress bar pushed as each payout is sent; a brand's billing page gets its usage pushed when a
ticket is billed, and another brand's page gets nothing; a non-ops user is refused."""

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from billing.payouts.models import Payout, PayoutBatch
from billing.payouts.services import batches, execution
from frontend.billing_sockets import BrandBillingConsumer, OpsPayoutBatchConsumer
from tests import factories
from tests.billing.invoices.helpers import bill_ticket
from tests.billing.payouts.conftest import (
    AFTER_CUTOFF,
    IN_THE_WEEK,
    bank_details,
    earn,
    use_payout_settings,
)

pytestmark = pytest.mark.django_db(transaction=True)


def ops_socket(user: object, batch_id: int) -> WebsocketCommunicator:
    connection = WebsocketCommunicator(OpsPayoutBatchConsumer.as_asgi(),
                                       f"/ws/ops/payouts/{batch_id}/")
    connection.scope["user"] = user
    connection.scope["url_route"] = {"kwargs": {"batch_id": batch_id}}
    return connection


def billing_socket(user: object) -> WebsocketCommunicator:
    connection = WebsocketCommunicator(BrandBillingConsumer.as_asgi(), "/ws/brand/billing/")
    connection.scope["user"] = user
    return connection


def connect(socket: WebsocketCommunicator) -> tuple[bool, int | None]:
    async def scenario() -> tuple[bool, int | None]:
        connected, code = await socket.connect()
        if connected:
            await socket.disconnect()
        return connected, code

    return async_to_sync(scenario)()


def executing_batch(settings: Any) -> PayoutBatch:
    use_payout_settings(settings)
    bank_details(1)
    earn(expert_id=1, inquiry_id=10, at=IN_THE_WEEK, rate_minor=1500)
    batch, _ = batches.payout_batch_draft(now=AFTER_CUTOFF, holds={},
                                          disputed_expert_ids=frozenset())
    batches.payout_batch_approve(batch_id=batch.pk, approved_by_id=1, now=AFTER_CUTOFF)
    execution.payout_batch_execute(batch_id=batch.pk, now=AFTER_CUTOFF)
    return batch


def test_anonymous_sockets_are_closed() -> None:
    assert connect(ops_socket(AnonymousUser(), 1)) == (False, 4401)
    assert connect(billing_socket(AnonymousUser())) == (False, 4401)


def test_a_non_ops_user_is_refused_the_payout_socket(settings: Any,
                                                      captured_tasks: list[Any]) -> None:
    batch = executing_batch(settings)
    member = factories.brand_member(of=factories.brand())

    assert connect(ops_socket(member, batch.pk)) == (False, 4403)
    assert connect(ops_socket(factories.user(is_staff=True), batch.pk + 1)) == (False, 4403)


def test_someone_without_a_brand_is_refused_the_billing_socket() -> None:
    assert connect(billing_socket(factories.user(is_staff=True))) == (False, 4403)


def test_ops_see_the_progress_bar_move_as_a_payout_is_sent(settings: Any,
                                                           captured_tasks: list[Any]) -> None:
    batch = executing_batch(settings)
    payout = Payout.objects.get()
    ops = factories.user(is_staff=True)

    async def scenario() -> tuple[str, str]:
        socket = ops_socket(ops, batch.pk)
        assert (await socket.connect())[0]
        first = await socket.receive_from(timeout=20)
        await database_sync_to_async(execution.payout_send)(payout_id=payout.pk,
                                                            now=AFTER_CUTOFF)
        pushed = await socket.receive_from(timeout=20)
        await socket.disconnect()
        return first, pushed

    first, pushed = async_to_sync(scenario)()

    assert 'id="payout-progress"' in first and "Sent 0 of 1 payouts (0%)" in first
    assert "Sent 1 of 1 payouts (100%)" in pushed


def test_a_billed_ticket_is_pushed_to_its_brands_billing_page_only() -> None:
    brand, other = factories.brand(), factories.brand()
    member = factories.brand_member(of=brand)
    bystander = factories.brand_member(of=other)

    async def scenario() -> tuple[str, str, bool]:
        mine, theirs = billing_socket(member), billing_socket(bystander)
        assert (await mine.connect())[0] and (await theirs.connect())[0]
        first = await mine.receive_from(timeout=20)
        await theirs.receive_from(timeout=20)
        await database_sync_to_async(lambda: bill_ticket(
            inquiry_id=1, brand_id=brand.pk, now=timezone.now(), queue_name="Night desk"))()
        pushed = await mine.receive_from(timeout=20)
        silent = await theirs.receive_nothing(timeout=0.5)
        await mine.disconnect()
        await theirs.disconnect()
        return first, pushed, silent

    first, pushed, silent = async_to_sync(scenario)()

    assert 'id="usage"' in first and "Night desk" not in first
    assert "Night desk" in pushed
    assert silent

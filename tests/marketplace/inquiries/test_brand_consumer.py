"""The brand console's websocket over the real Redis channel layer: every inquiry change is
pushed, after commit, to that brand's consoles only, as a row htmx swaps in."""

from datetime import datetime

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.test import Client
from django.utils import timezone

from marketplace.inquiries import services as inquiries_services
from marketplace.inquiries.consumers import BrandConsumer
from marketplace.inquiries.models import InquiryStatus
from marketplace.onboarding.models import BrandRole
from routing.offers import services as offers_services
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def communicator(user: object) -> WebsocketCommunicator:
    connection = WebsocketCommunicator(BrandConsumer.as_asgi(), "/ws/brand/")
    connection.scope["user"] = user
    return connection


def _connect(user: object) -> tuple[bool, int | None]:
    async def scenario() -> tuple[bool, int | None]:
        connected, code = await communicator(user).connect()
        return connected, code

    return async_to_sync(scenario)()


def test_anonymous_socket_is_closed() -> None:
    assert _connect(AnonymousUser()) == (False, 4401)


def test_socket_of_someone_without_a_brand_is_closed(now: datetime) -> None:
    assert _connect(factories.expert(now=now).user) == (False, 4403)


def test_viewer_socket_is_accepted() -> None:
    viewer = factories.brand_member(of=factories.brand(), role=BrandRole.VIEWER)

    assert _connect(viewer) == (True, None)


def _frames(member: object, bystander: object, action: object) -> tuple[list[str], bool]:
    async def scenario() -> tuple[list[str], bool]:
        mine, theirs = communicator(member), communicator(bystander)
        assert (await mine.connect())[0] and (await theirs.connect())[0]
        await mine.receive_from(timeout=5)  # the live queue every connect sends first
        await theirs.receive_from(timeout=5)
        await database_sync_to_async(action)()  # type: ignore[arg-type]
        frames = [await mine.receive_from(timeout=5)]
        while not await mine.receive_nothing(timeout=0.3):
            frames.append(await mine.receive_from(timeout=1))
        silent = await theirs.receive_nothing(timeout=0.3)
        await mine.disconnect()
        await theirs.disconnect()
        return frames, silent

    return async_to_sync(scenario)()


def test_new_inquiry_goes_on_top_of_the_live_queue_of_its_brand_only(
    captured_tasks: list,
) -> None:
    """Intake leaves the push to routing's first step, so the row arrives with the coverage
    decision; every later frame replaces that row."""
    queue = factories.queue()
    member = factories.brand_member(of=queue.brand)
    bystander = factories.brand_member(of=factories.brand())

    def receive_and_route() -> None:
        inquiry = factories.inquiry(on=queue, now=timezone.now(), subject="Where is my parcel?")
        offers_services.inquiry_route(inquiry_id=inquiry.pk, now=timezone.now())

    frames, bystander_silent = _frames(member, bystander, receive_and_route)

    assert frames[0].startswith(
        '<tbody id="live-rows" hx-swap-oob="afterbegin"><tr id="inquiry-row-')
    assert "Where is my parcel?" in frames[0]
    assert " left</time>" in frames[0]
    assert len(frames) > 1
    assert not any(frame.startswith("<tbody") for frame in frames[1:])
    assert bystander_silent is True


def test_intake_itself_keeps_off_the_channel_layer(captured_tasks: list) -> None:
    queue = factories.queue()
    member = factories.brand_member(of=queue.brand)

    async def scenario() -> bool:
        console = communicator(member)
        assert (await console.connect())[0]
        await console.receive_from(timeout=5)  # the live queue every connect sends first
        await database_sync_to_async(factories.inquiry)(on=queue, now=timezone.now())
        silent = await console.receive_nothing(timeout=0.5)
        await console.disconnect()
        return silent

    assert async_to_sync(scenario)() is True
    assert [name for name, _ in captured_tasks] == ["routing.route_inquiry"]


def test_status_change_replaces_the_row_after_commit(captured_tasks: list) -> None:
    queue = factories.queue()
    inquiry = factories.inquiry(on=queue, now=timezone.now())
    member = factories.brand_member(of=queue.brand)
    bystander = factories.brand_member(of=factories.brand())

    def escalate() -> None:
        with transaction.atomic():
            locked = inquiries_services.inquiry_lock(inquiry_id=inquiry.pk)
            inquiries_services.inquiry_change_status(
                inquiry=locked,
                status=InquiryStatus.ESCALATED,
                kind="escalated",
                description="Needs a refund decision.",
                now=timezone.now(),
            )

    frames, bystander_silent = _frames(member, bystander, escalate)

    assert len(frames) == 1
    assert frames[0].startswith(f'<tr id="inquiry-row-{inquiry.pk}" hx-swap-oob="true">')
    assert "Escalated" in frames[0]
    assert bystander_silent is True


def test_rolled_back_change_is_not_pushed(captured_tasks: list) -> None:
    queue = factories.queue()
    inquiry = factories.inquiry(on=queue, now=timezone.now())
    member = factories.brand_member(of=queue.brand)

    def escalate_then_fail() -> None:
        try:
            with transaction.atomic():
                locked = inquiries_services.inquiry_lock(inquiry_id=inquiry.pk)
                inquiries_services.inquiry_change_status(
                    inquiry=locked,
                    status=InquiryStatus.ESCALATED,
                    kind="escalated",
                    description="x",
                    now=timezone.now(),
                )
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass

    async def scenario() -> bool:
        connection = communicator(member)
        assert (await connection.connect())[0]
        await connection.receive_from(timeout=5)  # the live queue every connect sends first
        await database_sync_to_async(escalate_then_fail)()
        silent = await connection.receive_nothing(timeout=0.5)
        await connection.disconnect()
        return silent

    assert async_to_sync(scenario)() is True
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.RECEIVED


def _connect_through_asgi(user: object, origin: bytes) -> tuple[bool, int | None]:
    from marketplace.asgi import application

    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()

    async def scenario() -> tuple[bool, int | None]:
        connection = WebsocketCommunicator(application, "/ws/brand/", headers=[
            (b"origin", origin), (b"cookie", cookie), (b"host", b"127.0.0.1")])
        connected, code = await connection.connect()
        if connected:
            await connection.disconnect()
        return connected, code

    return async_to_sync(scenario)()


def test_the_brand_socket_checks_the_origin_and_the_session() -> None:
    member = factories.brand_member(of=factories.brand())

    assert _connect_through_asgi(member, b"http://127.0.0.1")[0] is True
    assert _connect_through_asgi(member, b"https://evil.example")[0] is False

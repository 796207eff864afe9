"""Presence: the heartbeat keeps an expert available; idle turns them away, silence offline;
their own choice of away stands; routing offers nothing to away or offline experts, and coming
back pulls waiting work."""

import asyncio
import time
from datetime import datetime, timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from experts.attendance import services as attendance
from experts.presence import services as presence
from experts.presence.consumers import ExpertConsumer
from experts.presence.models import ExpertPresence, PresenceStatus
from marketplace.infra.errors import DomainError
from routing.models import ExpertSeat, Offer
from routing.offers import services as offers_services
from tests import factories

IDLE = timedelta(seconds=300)


def status_of(expert_id: int) -> tuple[str, bool]:
    seat_available = ExpertSeat.objects.filter(expert_id=expert_id) \
        .values_list("available", flat=True).get()
    return ExpertPresence.objects.get(expert_id=expert_id).status, seat_available


def beats(until: int, *, active_at: tuple[int, ...] = (0,)) -> list[tuple[int, bool]]:
    """A heartbeat every 20 s from 0 to `until` seconds, active at the given seconds."""
    return [(second, second in active_at) for second in range(0, until + 1, 20)]


@pytest.mark.django_db
@pytest.mark.parametrize(("heartbeats", "sweep_at", "expected"), [
    (beats(0), 30, PresenceStatus.AVAILABLE),
    (beats(0), 60, PresenceStatus.AVAILABLE),
    (beats(0), 61, PresenceStatus.OFFLINE),
    (beats(300), 300, PresenceStatus.AVAILABLE),
    (beats(320), 320, PresenceStatus.AWAY),
    (beats(400, active_at=(0, 280)), 400, PresenceStatus.AVAILABLE),
    ([*beats(320), (340, True)], 340, PresenceStatus.AVAILABLE),
    (beats(320), 381, PresenceStatus.OFFLINE),
], ids=["fresh", "beat-60s-ago", "silent-61s", "idle-300s", "idle-320s", "active-again",
        "back-from-away", "away-then-silent"])
def test_presence_follows_heartbeats_and_activity(
    now: datetime, captured_tasks: list, heartbeats: list[tuple[int, bool]], sweep_at: int,
    expected: str,
) -> None:
    expert = factories.on_shift_expert(on=factories.queue(), now=now)

    for second, active in heartbeats:
        presence.presence_heartbeat(expert_id=expert.pk, active=active,
                                    now=now + timedelta(seconds=second))
    presence.presence_sweep(now=now + timedelta(seconds=sweep_at))

    assert status_of(expert.pk) == (expected, expected == PresenceStatus.AVAILABLE)


@pytest.mark.django_db
def test_idle_expert_goes_away_and_activity_brings_them_back_with_waiting_work(
    now: datetime, captured_tasks: list, django_capture_on_commit_callbacks: Any,
) -> None:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)
    idle_at = now + IDLE + timedelta(seconds=10)
    presence.presence_heartbeat(expert_id=expert.pk, active=False, now=idle_at)
    assert status_of(expert.pk) == (PresenceStatus.AWAY, False)
    inquiry = factories.inquiry(on=queue, now=idle_at)
    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=idle_at)
    assert Offer.objects.count() == 0
    captured_tasks.clear()

    with django_capture_on_commit_callbacks(execute=True):
        presence.presence_heartbeat(expert_id=expert.pk, active=True,
                                    now=idle_at + timedelta(seconds=20))

    assert status_of(expert.pk) == (PresenceStatus.AVAILABLE, True)
    assert ("routing.expert_capacity_freed", [expert.pk]) in captured_tasks
    offers_services.expert_pull_waiting_work(expert_id=expert.pk,
                                              now=idle_at + timedelta(seconds=20))
    assert Offer.objects.get().expert_id == expert.pk


@pytest.mark.django_db
def test_away_by_choice_stays_away_despite_activity_until_the_expert_says_available(
    now: datetime, captured_tasks: list,
) -> None:
    expert = factories.on_shift_expert(on=factories.queue(), now=now)

    presence.presence_choose(expert_id=expert.pk, chosen=PresenceStatus.AWAY, now=now)
    presence.presence_heartbeat(expert_id=expert.pk, active=True,
                                now=now + timedelta(seconds=20))
    away = status_of(expert.pk)
    presence.presence_choose(expert_id=expert.pk, chosen=PresenceStatus.AVAILABLE,
                             now=now + timedelta(seconds=30))

    assert away == (PresenceStatus.AWAY, False)
    assert status_of(expert.pk) == (PresenceStatus.AVAILABLE, True)


@pytest.mark.django_db
def test_offline_is_not_a_choice(now: datetime) -> None:
    expert = factories.expert(now=now)

    with pytest.raises(DomainError, match="available or away"):
        presence.presence_choose(expert_id=expert.pk, chosen=PresenceStatus.OFFLINE, now=now)

    assert not ExpertPresence.objects.filter(expert=expert).exists()


@pytest.mark.django_db(transaction=True)
def test_the_socket_heartbeat_reaches_the_presence_service(captured_tasks: list) -> None:
    now = timezone.now()
    expert = factories.on_shift_expert(on=factories.queue(), now=now - IDLE * 2)
    ExpertPresence.objects.filter(expert=expert).update(
        status=PresenceStatus.OFFLINE, last_heartbeat_at=None, last_activity_at=None)
    ExpertSeat.objects.filter(expert=expert).update(available=False)
    user = expert.user

    async def scenario() -> str:
        connection = WebsocketCommunicator(ExpertConsumer.as_asgi(), "/ws/expert/")
        connection.scope["user"] = user
        assert (await connection.connect())[0]
        await connection.receive_from(timeout=5)  # the live state every connect sends first
        await connection.send_to(text_data='{"type": "heartbeat", "active": false}')
        await connection.send_to(text_data="not json")
        await connection.receive_nothing(timeout=0.3)
        await connection.disconnect()
        return "done"

    async_to_sync(scenario)()

    stored = ExpertPresence.objects.get(expert=expert)
    assert stored.status == PresenceStatus.AVAILABLE
    assert stored.last_heartbeat_at is not None and stored.last_heartbeat_at >= now
    assert ExpertSeat.objects.get(expert=expert).available is True


@pytest.mark.django_db
def test_the_expert_sets_away_on_the_workspace(now: datetime, captured_tasks: list) -> None:
    expert = factories.on_shift_expert(on=factories.queue(), now=timezone.now())
    client = Client()
    client.force_login(expert.user)

    response = client.post("/expert/presence/", {"status": "away"}, follow=True)

    assert ExpertPresence.objects.get(expert=expert).chosen_status == PresenceStatus.AWAY
    assert ExpertSeat.objects.get(expert=expert).available is False
    assert b'data-presence="away"' in response.content


@pytest.mark.django_db(transaction=True)
def test_a_presence_change_is_pushed_to_the_experts_page(captured_tasks: list) -> None:
    now = timezone.now()
    expert = factories.on_shift_expert(on=factories.queue(), now=now)
    user, expert_id = expert.user, expert.pk

    async def scenario() -> str:
        connection = WebsocketCommunicator(ExpertConsumer.as_asgi(), "/ws/expert/")
        connection.scope["user"] = user
        assert (await connection.connect())[0]
        await connection.receive_from(timeout=5)  # the live state every connect sends first
        await database_sync_to_async(presence.presence_choose)(
            expert_id=expert_id, chosen=PresenceStatus.AWAY, now=timezone.now())
        frame = await connection.receive_from(timeout=5)
        await connection.disconnect()
        return str(frame)

    frame = async_to_sync(scenario)()

    assert frame == ('<strong id="presence" hx-swap-oob="true" class="presence-away" '
                     'data-presence="away">Away</strong>')


@pytest.mark.django_db
def test_an_expert_away_by_choice_checks_in_without_getting_offers(
    now: datetime, captured_tasks: list
) -> None:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now, checked_in=False)
    presence.presence_choose(expert_id=expert.pk, chosen=PresenceStatus.AWAY, now=now)
    booking = expert.bookings.get()

    attendance.shift_booking_check_in(booking_id=booking.pk, expert=expert, now=now)

    assert status_of(expert.pk) == (PresenceStatus.AWAY, False)


@pytest.mark.django_db(transaction=True)
def test_closing_one_tab_keeps_the_expert_present_and_closing_the_last_makes_them_offline(
    settings: Any, captured_tasks: list
) -> None:
    """Two tabs, each its own socket, with a 2 s offline window: while one tab still sends its
    heartbeat the expert stays available however long ago the other closed; once the last one
    closes they stay available for the window (a reconnect changes nothing), then the sweep
    makes them offline and closes their routing seat."""
    settings.PRESENCE_OFFLINE_SECONDS = 2
    expert = factories.on_shift_expert(on=factories.queue(), now=timezone.now())
    user, expert_id = expert.user, expert.pk
    sweep = database_sync_to_async(presence.presence_sweep)
    status = database_sync_to_async(status_of)

    async def tab() -> WebsocketCommunicator:
        connection = WebsocketCommunicator(ExpertConsumer.as_asgi(), "/ws/expert/")
        connection.scope["user"] = user
        assert (await connection.connect())[0]
        await connection.receive_from(timeout=5)  # the live state every connect sends first
        return connection

    async def scenario() -> tuple[list[tuple[str, bool]], tuple[str, bool], float]:
        first, second = await tab(), await tab()
        await first.disconnect()
        seen = []
        deadline = time.monotonic() + 3  # longer than the offline window
        while time.monotonic() < deadline:
            await second.send_to(text_data='{"type": "heartbeat", "active": true}')
            await second.receive_nothing(timeout=0.3)
            await sweep(now=timezone.now())
            seen.append(await status(expert_id))
        await second.disconnect()
        closed_at = time.monotonic()
        await sweep(now=timezone.now())
        just_after = await status(expert_id)
        while await status(expert_id) != (PresenceStatus.OFFLINE, False):
            assert time.monotonic() - closed_at < 10
            await asyncio.sleep(0.1)
            await sweep(now=timezone.now())
        return seen, just_after, time.monotonic() - closed_at

    seen, just_after, offline_after = async_to_sync(scenario)()

    assert set(seen) == {(PresenceStatus.AVAILABLE, True)}
    assert just_after == (PresenceStatus.AVAILABLE, True)
    assert 1.0 <= offline_after <= 2 + 1.0

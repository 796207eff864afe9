"""Beat runs once: of two beats, only the holder of the Redis lock sends the schedule; the
other stands by and takes over once the holder's lock expires."""

import uuid
from typing import Any

import pytest
import redis
from django.conf import settings
from django_celery_beat.schedulers import DatabaseScheduler

from marketplace.infra import beat_lock
from marketplace.infra.beat_lock import BeatLock, SingleBeatScheduler


@pytest.fixture
def client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


@pytest.fixture
def key(client: redis.Redis):  # type: ignore[no-untyped-def]
    name = f"{settings.REDIS_KEY_PREFIX}:test-beat-lock:{uuid.uuid4().hex}"
    yield name
    client.delete(name)


def test_only_one_beat_holds_the_lock_and_keeps_it_by_refreshing(client, key) -> None:  # type: ignore[no-untyped-def]
    first, second = BeatLock(client, key, seconds=30), BeatLock(client, key, seconds=30)
    assert first.hold()
    assert not second.hold()
    client.expire(key, 2)
    assert first.hold()  # the holder's tick refreshes the expiry
    assert client.ttl(key) > 20
    assert not second.hold()


def test_the_standby_takes_over_when_the_holder_stops_refreshing(client, key) -> None:  # type: ignore[no-untyped-def]
    first, second = BeatLock(client, key), BeatLock(client, key)
    assert first.hold()
    client.delete(key)  # what expiry does once the holder is gone
    assert second.hold()
    assert not first.hold()


def test_release_frees_only_our_own_lock(client, key) -> None:  # type: ignore[no-untyped-def]
    first, second = BeatLock(client, key), BeatLock(client, key)
    assert first.hold()
    second.release()
    assert not second.hold()
    first.release()
    assert second.hold()


def test_redis_away_means_standing_by() -> None:
    away = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    assert not BeatLock(away, "x").hold()


class FixedLock:
    def __init__(self, holding: bool) -> None:
        self.holding = holding
        self.key = "lock"

    def hold(self) -> bool:
        return self.holding


@pytest.mark.parametrize(("holding", "sends"), [(True, True), (False, False)])
def test_the_scheduler_sends_only_while_holding_the_lock(monkeypatch: pytest.MonkeyPatch,
                                                         holding: bool, sends: bool) -> None:
    sent: list[bool] = []

    def tick(self: Any, *args: Any, **kwargs: Any) -> float:
        sent.append(True)
        return 300.0

    monkeypatch.setattr(DatabaseScheduler, "tick", tick)
    scheduler = SingleBeatScheduler.__new__(SingleBeatScheduler)
    scheduler.lock = FixedLock(holding)  # type: ignore[assignment]
    scheduler.holding = False
    interval = scheduler.tick()
    assert bool(sent) is sends
    # The holder comes back before its lock expires; the standby asks again soon.
    assert interval == (beat_lock.LOCK_SECONDS / 3 if holding else beat_lock.STANDBY_SECONDS)

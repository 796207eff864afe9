"""Beat runs once: a scheduler that sends periodic tasks only while it holds a lock in Redis.

Deploy one beat process (deploy/README.md). If two run anyway (a rolling deploy starts the new
one before the old one stops, or someone scales beat), the first to take the lock
`<REDIS_KEY_PREFIX>:beat-lock` sends the schedule and refreshes the lock on every tick; the
other stands by, asks again every few seconds and takes over within `LOCK_SECONDS` after the
holder dies. The lock is a plain SET NX with an expiry, refreshed only by its holder."""

import logging
import os
import socket
import uuid
from typing import Any

import redis
from django.conf import settings
from django_celery_beat.schedulers import DatabaseScheduler

logger = logging.getLogger(__name__)

LOCK_SECONDS = 30
STANDBY_SECONDS = 5.0

# Refresh the lock if we hold it, else take it if it is free; 1 when we hold it afterwards.
_HOLD = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    redis.call('expire', KEYS[1], ARGV[2])
    return 1
end
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then
    return 1
end
return 0
"""


class BeatLock:
    def __init__(self, client: redis.Redis, key: str, seconds: int = LOCK_SECONDS,
                 token: str | None = None) -> None:
        self.client = client
        self.key = key
        self.seconds = seconds
        self.token = token or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._hold = client.register_script(_HOLD)

    def hold(self) -> bool:
        """Take or refresh the lock; False when another beat holds it or Redis is away."""
        try:
            return bool(self._hold(keys=[self.key], args=[self.token, self.seconds]))
        except redis.RedisError:
            return False

    def release(self) -> None:
        try:
            if self.client.get(self.key) == self.token.encode():
                self.client.delete(self.key)
        except redis.RedisError:
            return


def default_lock() -> BeatLock:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5,
                                  socket_connect_timeout=5)
    return BeatLock(client, f"{settings.REDIS_KEY_PREFIX}:beat-lock")


class SingleBeatScheduler(DatabaseScheduler):  # type: ignore[misc]
    """django-celery-beat's database scheduler, sending only while it holds the beat lock."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.lock = default_lock()
        self.holding = False
        super().__init__(*args, **kwargs)

    def tick(self, *args: Any, **kwargs: Any) -> float:
        holding = self.lock.hold()
        if holding != self.holding:
            logger.warning("beat %s the lock %s", "took" if holding else "does not hold",
                           self.lock.key)
            self.holding = holding
        if not holding:
            return STANDBY_SECONDS
        # Come back before the lock expires, however far the next task is.
        return float(min(super().tick(*args, **kwargs), LOCK_SECONDS / 3))

    def close(self) -> None:
        super().close()
        if self.holding:
            self.lock.release()

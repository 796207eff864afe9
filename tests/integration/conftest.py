"""Integration tests end only when the live platform is quiet: a task the test set off in its
last moments (a reply delivery, a capacity-freed pull) must not still hold locks when the test
database is flushed for the next test, or the flush and the task deadlock."""

import time
from collections.abc import Iterator

import pytest
import redis
from django.conf import settings
from django.db import connection

QUIET_CHECKS = 3
QUIET_TIMEOUT_SECONDS = 15


def _platform_is_busy(broker: redis.Redis) -> bool:
    queued = sum(broker.llen(f"{settings.REDIS_KEY_PREFIX}:{queue}")
                 for queue in (settings.CELERY_ROUTING_QUEUE, settings.CELERY_DEFAULT_QUEUE))
    unacked = broker.hlen(f"{settings.REDIS_KEY_PREFIX}:unacked")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')")
        row = cursor.fetchone()
    return bool(queued or unacked or (row and row[0]))


@pytest.fixture(autouse=True)
def quiet_platform_after_test(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "live" not in request.fixturenames:
        return
    broker = redis.Redis.from_url(settings.REDIS_URL)
    deadline = time.monotonic() + QUIET_TIMEOUT_SECONDS
    quiet = 0
    while quiet < QUIET_CHECKS and time.monotonic() < deadline:
        quiet = 0 if _platform_is_busy(broker) else quiet + 1
        time.sleep(0.05)
    broker.close()

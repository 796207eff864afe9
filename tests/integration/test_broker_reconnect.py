"""Redis away and back: the worker tried again every 2 s at most all along and consumes again
within a few seconds of its return (kombu's own backoff waits 2, 4, 6, ... 12 s between attempts:
12.7 s after a 43 s outage, measured). A 12 s outage already shows kombu's own waits (its third
is 6 s), so the test need not wait longer. A private embedded Redis, stopped and started again;
the shared one is never touched."""

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings

from marketplace.celery import app
from marketplace.devstack.embedded import EmbeddedRedis
from marketplace.infra import health
from marketplace.infra.broker import RECONNECT_SECONDS
from marketplace.settings.env import celery_broker_url
from tests.live import WorkerProcess, platform_env

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

OUTAGE_SECONDS = 12  # kombu's own attempts come at 2, 6 and 12 s: waits of 2, 4 and 6 s
BACK_WITHIN_SECONDS = 5.0
RETRY_LINE = re.compile(r"Trying again in ([\d.]+) seconds?")


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis(data_dir=tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_the_worker_consumes_again_within_seconds_of_redis_coming_back(
    private_redis: EmbeddedRedis, django_db_setup: None, tmp_path: Path,
) -> None:
    url = private_redis.url()
    worker = WorkerProcess(log=tmp_path / "worker.log", env={**platform_env(), "REDIS_URL": url},
                           queues=settings.CELERY_DEFAULT_QUEUE, concurrency=1)
    worker.start()
    try:
        log_at_outage = worker.log.stat().st_size
        private_redis.stop()
        time.sleep(OUTAGE_SECONDS)
        private_redis.start()
        back_at = time.monotonic()

        # The heartbeat task writes one key to the broker's Redis: consumed means written.
        client = redis.Redis.from_url(url)
        with app.connection_for_write(url=celery_broker_url(url)) as connection:
            app.send_task("marketplace.beat_heartbeat", connection=connection,
                          queue=settings.CELERY_DEFAULT_QUEUE, ignore_result=True)
        while client.get(health.beat_heartbeat_key()) is None:
            assert time.monotonic() - back_at < 30, worker.log.read_text()[-3000:]
            time.sleep(0.1)
        consumed_after = time.monotonic() - back_at
        client.close()
    finally:
        worker.stop()

    during = worker.log.read_bytes()[log_at_outage:].decode(errors="replace")
    waits = [float(wait) for wait in RETRY_LINE.findall(during)]
    assert len(waits) >= OUTAGE_SECONDS / RECONNECT_SECONDS / 2, during[-3000:]
    assert max(waits) <= RECONNECT_SECONDS, waits
    assert consumed_after < BACK_WITHIN_SECONDS, during[-3000:]

"""Readiness: what `/readyz` checks, each on its own with a status, its latency and a detail.

`/healthz` says only that the process answers. `/readyz` says whether it can do its work:
PostgreSQL answers a query, the Redis broker answers a PING, the channel layer carries a
message, beat's heartbeat (`record_beat_heartbeat`, a beat-scheduled task) is recent, and the
routing queue is short with no old task in it. The checks run side by side, each cut off after
`CHECK_TIMEOUT_SECONDS`, so a hung backend makes the answer "failing", never a hung request.

The enqueue time of every task is a message header (`ENQUEUED_AT_HEADER`, set at publish by
`stamp_enqueue_time` on Celery's `before_task_publish` signal), so the oldest task's age is read
from the message at the tail of the routing queue's Redis list (kombu pushes at the head and
workers pop from the tail). Imports no app: only settings, Django, Redis and the channel layer."""

import json
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict, dataclass
from typing import Any

import redis
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connections

CHECK_TIMEOUT_SECONDS = 1.0
ENQUEUED_AT_HEADER = "shiftline_enqueued_at"
OK, FAILING = "ok", "failing"
# kombu's Redis transport keeps one list per priority step; priority 0 is the queue's own name.
PRIORITY_SEPARATOR = "\x06\x16"
PRIORITY_STEPS = (0, 3, 6, 9)


@dataclass
class CheckResult:
    name: str
    status: str
    latency_ms: float
    detail: str
    data: dict[str, Any] | None = None


class CheckFailed(Exception):
    """A check ran and found its backend unfit (the message is the detail)."""

    def __init__(self, message: str, data: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.data = data


def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=CHECK_TIMEOUT_SECONDS,
                                socket_timeout=CHECK_TIMEOUT_SECONDS, retry=None,
                                driver_info=None)


def _broker_prefix() -> str:
    return str(settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("global_keyprefix", ""))


def beat_heartbeat_key() -> str:
    return f"{settings.REDIS_KEY_PREFIX}:health:beat-heartbeat"


def record_beat_heartbeat(*, now: float | None = None) -> None:
    """Beat scheduled this: the time it ran, for `check_beat`."""
    client = _redis()
    try:
        client.set(beat_heartbeat_key(), str(time.time() if now is None else now),
                   ex=int(settings.HEALTH_BEAT_SECONDS * 10))
    finally:
        client.close()


def stamp_enqueue_time(headers: dict[str, Any] | None = None, **_: object) -> None:
    """`before_task_publish` receiver: the publish time in the message's headers (a retry
    publishes a new message and so gets a new time)."""
    if headers is not None:
        headers[ENQUEUED_AT_HEADER] = time.time()


def check_postgres() -> str:
    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()
    return "SELECT 1 answered"


def check_redis() -> str:
    client = _redis()
    try:
        client.ping()
    finally:
        client.close()
    return "PING answered"


def check_channel_layer() -> str:
    layer = get_channel_layer()
    if layer is None:
        raise CheckFailed("no channel layer is configured")
    channel = f"health-check.{uuid.uuid4().hex}"

    async def round_trip() -> dict[str, Any]:
        await layer.send(channel, {"type": "health.check"})
        return dict(await layer.receive(channel))

    message = async_to_sync(round_trip)()
    if message.get("type") != "health.check":
        raise CheckFailed("the channel layer returned another message")
    return "a message went through"


def check_beat() -> tuple[str, dict[str, Any]]:
    client = _redis()
    try:
        raw = client.get(beat_heartbeat_key())
    finally:
        client.close()
    limit = 2 * settings.HEALTH_BEAT_SECONDS
    if raw is None:
        raise CheckFailed(f"no heartbeat from beat in the last {limit * 5} s")
    age = max(0.0, time.time() - float(raw))
    data = {"age_seconds": round(age, 1), "limit_seconds": limit}
    if age > limit:
        raise CheckFailed(f"beat's last heartbeat is {age:.0f} s old (limit {limit} s)", data)
    return f"last heartbeat {age:.0f} s ago", data


def routing_queue_keys() -> list[str]:
    queue = f"{_broker_prefix()}{settings.CELERY_ROUTING_QUEUE}"
    return [queue if step == 0 else f"{queue}{PRIORITY_SEPARATOR}{step}"
            for step in PRIORITY_STEPS]


def _enqueued_at(raw: bytes | None) -> float | None:
    if raw is None:
        return None
    try:
        stamp = json.loads(raw).get("headers", {}).get(ENQUEUED_AT_HEADER)
    except (ValueError, AttributeError):
        return None
    return float(stamp) if isinstance(stamp, int | float) else None


def check_routing_queue() -> tuple[str, dict[str, Any]]:
    client = _redis()
    try:
        keys = routing_queue_keys()
        pipe = client.pipeline(transaction=False)
        for key in keys:
            pipe.llen(key)
            pipe.lindex(key, -1)
        replies = pipe.execute()
    finally:
        client.close()
    depth = sum(int(length) for length in replies[0::2])
    stamps = [stamp for stamp in map(_enqueued_at, replies[1::2]) if stamp is not None]
    age = max(0.0, time.time() - min(stamps)) if stamps else 0.0
    data = {"depth": depth, "oldest_age_seconds": round(age, 1),
            "max_depth": settings.HEALTH_ROUTING_MAX_DEPTH,
            "max_age_seconds": settings.HEALTH_ROUTING_MAX_AGE_SECONDS}
    if depth > settings.HEALTH_ROUTING_MAX_DEPTH:
        raise CheckFailed(f"{depth} routing tasks waiting (limit "
                          f"{settings.HEALTH_ROUTING_MAX_DEPTH})", data)
    if age > settings.HEALTH_ROUTING_MAX_AGE_SECONDS:
        raise CheckFailed(f"the oldest routing task has waited {age:.1f} s (limit "
                          f"{settings.HEALTH_ROUTING_MAX_AGE_SECONDS} s)", data)
    return f"{depth} waiting, oldest {age:.1f} s", data


Check = Callable[[], str | tuple[str, dict[str, Any]]]
CHECKS: dict[str, Check] = {
    "postgres": check_postgres,
    "redis": check_redis,
    "channel_layer": check_channel_layer,
    "beat": check_beat,
    "routing_queue": check_routing_queue,
}


def _timed(name: str, check: Check) -> CheckResult:
    started = time.monotonic()
    try:
        outcome = check()
    except Exception as error:  # any failure of a backend is a failing check
        detail = str(error) if isinstance(error, CheckFailed) else \
            f"{type(error).__name__}: {error}"[:300]
        status, data = FAILING, getattr(error, "data", None)
    else:
        detail, data = outcome if isinstance(outcome, tuple) else (outcome, None)
        status = OK
    return CheckResult(name, status, round((time.monotonic() - started) * 1000, 1), detail, data)


def readiness(checks: dict[str, Check] | None = None) -> dict[str, Any]:
    """Every check side by side, each given at most `CHECK_TIMEOUT_SECONDS`; `status` is ok
    only when all are. A check still running at its deadline is failing ("timed out") and is
    left to finish in its thread (each has its own socket timeouts)."""
    checks = CHECKS if checks is None else checks
    pool = ThreadPoolExecutor(max_workers=len(checks), thread_name_prefix="readyz")
    started = time.monotonic()
    futures = {name: pool.submit(_timed, name, check) for name, check in checks.items()}
    results = []
    for name, future in futures.items():
        remaining = max(0.0, CHECK_TIMEOUT_SECONDS - (time.monotonic() - started))
        try:
            results.append(future.result(timeout=remaining))
        except FutureTimeout:
            results.append(CheckResult(name, FAILING, CHECK_TIMEOUT_SECONDS * 1000,
                                       f"timed out after {CHECK_TIMEOUT_SECONDS:.0f} s"))
    pool.shutdown(wait=False, cancel_futures=True)
    return {
        "status": OK if all(result.status == OK for result in results) else FAILING,
        "checks": {result.name: {key: value for key, value in asdict(result).items()
                                 if key != "name" and value is not None}
                   for result in results},
    }

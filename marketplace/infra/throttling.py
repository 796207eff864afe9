"""Counting requests per client in the Django cache (Redis), in windows that open at a client's
first request: sign-up, password reset, wrong credentials, the inbound endpoints and the API's
per-key limits all count here. A rate is `SHIFTLINE_THROTTLE_RATES[scope]`, such as "10/hour";
none or an empty one lets everything through.

Throttles fail open: while the cache cannot be reached a request is let through and a warning
logged, because a throttle that stops intake when Redis blinks would do more harm than the abuse
it guards against."""

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from marketplace.infra.errors import DomainError

logger = logging.getLogger(__name__)

PERIOD_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    limit: int
    period_seconds: int


def parse_rate(text: str | None) -> Rate | None:
    """"600/minute" (or "600/min", "600/m"; second, hour, day alike); None for "" or None."""
    if not text:
        return None
    count, _, period = text.partition("/")
    unit = PERIOD_SECONDS.get(period.strip()[:1].lower())
    if not count.strip().isdigit() or unit is None:
        raise ValueError(f"A rate looks like 600/minute, not {text!r}.")
    return Rate(limit=int(count), period_seconds=unit)


def rate_for(scope: str) -> Rate | None:
    return parse_rate(settings.SHIFTLINE_THROTTLE_RATES.get(scope))


class RateLimited(DomainError):
    """Too many requests: answered 429 with `Retry-After: retry_after` (seconds), as a page by
    frontend/edge.py and as JSON under /api/."""

    code = "throttled"
    http_status = 429

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        super().__init__(message or f"Too many attempts. Try again in {_wait_text(retry_after)}.")
        self.retry_after = retry_after


def _wait_text(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} seconds"
    if seconds < 2 * 3600:
        return f"{-(-seconds // 60)} minutes"
    return f"{-(-seconds // 3600)} hours"


def client_address(request: HttpRequest | Request) -> str:
    """The client's address as DRF's throttles see it (REST_FRAMEWORK["NUM_PROXIES"])."""
    return BaseThrottle().get_ident(request if isinstance(request, Request) else Request(request))


def hashed(value: str) -> str:
    """Keys carry no email address or key in clear text."""
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


def _key(scope: str, ident: str) -> str:
    return f"throttle:{scope}:{ident}"


def _wait(key: str, rate: Rate, now: float) -> int:
    """Seconds until the window of `key` (which began at its first request) ends."""
    started = cache.get(f"{key}:start", now)
    return max(1, math.ceil(started + rate.period_seconds - now))


def throttle_hit(*, scope: str, ident: str) -> int | None:
    """Counts one request of `ident` in `scope`; the seconds to wait when this one is over the
    limit, else None. A window opens at an ident's first request and lasts the rate's period."""
    rate = rate_for(scope)
    if rate is None:
        return None
    key, now = _key(scope, ident), time.time()
    try:
        count = _count_one(key, rate, now)
        return _wait(key, rate, now) if count > rate.limit else None
    except Exception as error:  # any cache failure: fail open, logged
        _log_fail_open(scope, error)
        return None


def _count_one(key: str, rate: Rate, now: float) -> int:
    for _ in range(2):
        if cache.add(key, 1, timeout=rate.period_seconds):
            cache.set(f"{key}:start", now, timeout=rate.period_seconds)
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # the window ended between add and incr: open the next one
            continue
    return 1


def throttle_blocked(*, scope: str, ident: str) -> int | None:
    """Without counting: the seconds to wait when `ident` is already at its limit (for limits
    that count only failures), else None."""
    rate = rate_for(scope)
    if rate is None:
        return None
    key, now = _key(scope, ident), time.time()
    try:
        count = cache.get(key, 0)
        return _wait(key, rate, now) if count >= rate.limit else None
    except Exception as error:  # any cache failure: fail open, logged
        _log_fail_open(scope, error)
        return None


def throttle_require(*, scope: str, idents: list[str]) -> None:
    """Counts one request for each ident; raises RateLimited when any of them is over."""
    waits = [wait for ident in idents if (wait := throttle_hit(scope=scope, ident=ident))]
    if waits:
        raise RateLimited(max(waits))


def _log_fail_open(scope: str, error: Exception) -> None:
    logger.warning("Throttle %s skipped, letting the request through: the cache is "
                   "unavailable (%s: %s)", scope, type(error).__name__, error)

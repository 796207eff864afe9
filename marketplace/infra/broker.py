"""The broker connection, tried again every second or two while Redis is away.

kombu's own reconnect waits 2, 4, 6 ... up to 30 s between attempts, so a worker whose Redis had
been gone 43 s consumed again only 12.7 s after Redis was back (measured), and later in a
longer outage up to 30 s. `QuickReconnectConnection` keeps kombu's whole reconnect (the worker's
consumer, beat) and changes only its default pace: 1 s, then every `RECONNECT_SECONDS`.
Publishing is untouched: it follows Celery's own retry policy and gives up within a second
(marketplace/infra/tasking.py logs that; the reconciling sweeps send the work again).

Plugged in through Celery's `amqp` class (marketplace/celery.py); the settings retry forever
(`CELERY_BROKER_CONNECTION_MAX_RETRIES = None`), so a worker outlives any outage."""

from typing import Any

from celery.app.amqp import AMQP
from kombu import Connection

FIRST_RETRY_SECONDS = 1
RECONNECT_SECONDS = 2
# kombu sleeps `interval_start`, then `interval_step` more each time, up to
# `interval_start + interval_max`.
QUICK_RETRY = {"interval_start": FIRST_RETRY_SECONDS, "interval_step": FIRST_RETRY_SECONDS,
               "interval_max": RECONNECT_SECONDS - FIRST_RETRY_SECONDS}
# ensure_connection(errback, max_retries, interval_start, ...): the intervals come third.
INTERVALS_POSITION = 2


class QuickReconnectConnection(Connection):  # type: ignore[misc]
    def ensure_connection(self, *args: Any, **kwargs: Any) -> "QuickReconnectConnection":
        """kombu's, with a retry every `RECONNECT_SECONDS` at most unless the caller names
        its own intervals."""
        if len(args) <= INTERVALS_POSITION:
            kwargs = {**QUICK_RETRY, **kwargs}
        super().ensure_connection(*args, **kwargs)
        return self


class QuickReconnectAMQP(AMQP):  # type: ignore[misc]
    Connection = QuickReconnectConnection

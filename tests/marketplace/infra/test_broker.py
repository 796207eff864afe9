"""Workers and beat try the broker again every 2 s at most while it is away, for as long as it
is away (kombu alone backs off to 30 s, and Celery gives up after 100 attempts)."""

import pytest
from kombu.exceptions import OperationalError

from marketplace.celery import app
from marketplace.infra.broker import RECONNECT_SECONDS, QuickReconnectConnection

DEAD_BROKER = "redis://127.0.0.1:1/0"


def test_every_broker_connection_retries_quickly_and_forever() -> None:
    assert isinstance(app.connection_for_read(), QuickReconnectConnection)
    assert isinstance(app.connection_for_write(), QuickReconnectConnection)
    assert app.conf.broker_connection_max_retries is None


def test_a_lost_broker_is_tried_again_within_two_seconds_each_time() -> None:
    waits: list[float] = []

    with app.connection_for_read(url=DEAD_BROKER) as connection, \
            pytest.raises(OperationalError):
        connection.ensure_connection(lambda _error, interval: waits.append(interval),
                                     max_retries=4)

    assert len(waits) == 4
    assert all(0 < wait <= RECONNECT_SECONDS for wait in waits), waits

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.live import LivePlatform, live_platform


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "fuzz: schemathesis over the whole API (the smaller "
                            "sibling of `make fuzz`); deselect with -m 'not fuzz'")

# The longest modules (live processes killed and restarted, every page in a browser) start
# first, so under pytest-xdist (`make test`) the short ones fill in around them rather than one
# long module running alone at the end.
LONGEST_FIRST = (
    "tests/marketplace/devstack/test_faults.py",
    "tests/browser/test_every_page_fits.py",
    "tests/test_tenant_isolation.py",
    "tests/integration/test_broker_reconnect.py",
    "tests/marketplace/test_schemathesis.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return LONGEST_FIRST.index(path) if path in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: each module keeps its own order


# A Sunday afternoon in Dublin: the demo-style queue is covered (weekend).
SUNDAY_AFTERNOON = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)
# A Tuesday 10:00 in Dublin: inside typical business hours.
TUESDAY_MORNING = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


# Where tests' helpdesks under the reserved .example domain resolve: a public address, so the
# outbound guard (marketplace/infra/outbound.py) lets them through; no request ever leaves the test.
PUBLIC_HELPDESK_ADDRESS = "93.184.215.14"


@pytest.fixture(autouse=True)
def example_domains_resolve_publicly(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    real = socket.getaddrinfo

    def resolve(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.endswith(".example"):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "",
                     (PUBLIC_HELPDESK_ADDRESS, port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr("marketplace.infra.outbound.socket.getaddrinfo", resolve)


@pytest.fixture(autouse=True)
def throttle_counts_per_test(settings: Any) -> None:
    """Each test counts its throttled requests from zero: its own cache key prefix on the
    test Redis (counters expire by themselves)."""
    import uuid

    cache = dict(settings.CACHES["default"])
    cache["KEY_PREFIX"] = f"{cache['KEY_PREFIX']}:{uuid.uuid4().hex[:12]}"
    settings.CACHES = {**settings.CACHES, "default": cache}


@pytest.fixture
def now() -> datetime:
    return SUNDAY_AFTERNOON


@pytest.fixture
def captured_tasks(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[object]]]:
    """Tasks enqueued on commit, recorded instead of sent to the broker: service tests run
    them by hand, so each step is visible. Integration tests use a real worker instead."""
    sent: list[tuple[str, list[object]]] = []

    def record(name: str, args: list[object] | None = None, **_: object) -> None:
        sent.append((name, list(args or [])))

    monkeypatch.setattr("marketplace.celery.app.send_task", record)
    return sent


@pytest.fixture(scope="session")
def live(django_db_setup: None, django_db_blocker: Any,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[LivePlatform]:
    """uvicorn and a Celery worker as real processes on the test database (tests/live.py);
    tests that use it need `transactional_db` so the processes see their data."""
    with live_platform(tmp_path_factory.mktemp("platform"), database=django_db_blocker.unblock) \
            as running:
        yield running

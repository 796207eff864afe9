"""`make run`: the whole platform on one machine.

Uses DATABASE_URL / REDIS_URL when set, otherwise starts an embedded PostgreSQL and Redis under
./var/ (kept between runs). Migrates, loads the demo data, then runs the ASGI server (HTTP and
websockets), a routing worker, a worker for slow jobs and beat, with prefixed output. Ctrl-C
(or SIGTERM) stops every process and the embedded servers."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack
from types import FrameType

from marketplace.devstack.processes import Child, Group
from marketplace.devstack.services import ROOT, backends

PYTHON = sys.executable
BIN = os.path.dirname(PYTHON)


class Stop(Exception):
    pass


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise Stop(signal.Signals(signum).name)


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def _wait_for_http(url: str, group: Group, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if group.first_exited() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - localhost
                return bool(response.status == 200)
        except OSError:
            time.sleep(0.2)
    return False


def main() -> int:
    started = time.monotonic()
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    base_url = f"http://{host}:{port}"
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.development")
    env["PYTHONUNBUFFERED"] = "1"
    group: Group | None = None
    with ExitStack() as stack:
        try:
            found = backends(stack, prefix="", local_database_url=None, local_redis_url=None)
            print(f"Using {found.description}.", flush=True)
            env["DATABASE_URL"] = found.database_url
            env["REDIS_URL"] = found.redis_url
            _manage(env, "migrate", "--noinput")
            _manage(env, "seed_demo", "--base-url", base_url)
            group = Group([
                # Under ASGI every request runs in a thread of its own: a psycopg pool per
                # web process, not a connection per request (README, configuration).
                Child("web", [f"{BIN}/uvicorn", "marketplace.asgi:application", "--host", host,
                              "--port", port],
                      env={"DATABASE_POOL_SIZE": env.get("DATABASE_POOL_SIZE", "8")}),
                Child("routing-worker", [f"{BIN}/celery", "-A", "marketplace", "worker", "-Q",
                                         "routing", "-n", "routing@%h", "--concurrency", "2",
                                         "--prefetch-multiplier", "1", "-l", "info"]),
                Child("worker", [f"{BIN}/celery", "-A", "marketplace", "worker", "-Q",
                                 "default", "-n", "default@%h", "--concurrency", "2", "-l",
                                 "info"]),
                Child("beat", [f"{BIN}/celery", "-A", "marketplace", "beat", "-l", "info",
                               "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler",
                               "--pidfile="]),
            ])
            group.start(env)
            if _wait_for_http(f"{base_url}/healthz", group):
                print(f"\n  Shiftline is up at {base_url}/ ({time.monotonic() - started:.1f} s "
                      "from start). Ctrl-C stops everything.\n", flush=True)
            while True:
                exited = group.first_exited()
                if exited is not None:
                    code = exited.process.returncode if exited.process else None
                    code = exited.process.returncode if exited.process else None
                    print(f"{exited.name} exited with code {code}; stopping everything.",
                          file=sys.stderr, flush=True)
                    return 1
                time.sleep(0.5)
        except Stop as stop:
            print(f"\nReceived {stop}; stopping.", flush=True)
            return 0
        except subprocess.CalledProcessError as error:
            print(f"Setup failed: {error}", file=sys.stderr)
            return 1
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            if group is not None:
                group.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

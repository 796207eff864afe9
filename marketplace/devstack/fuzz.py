"""`make fuzz`: schemathesis against a running Shiftline, every check, many examples.

Creates a throwaway database (`<name>_fuzz` beside the one DATABASE_URL names, or the embedded
test pair under var/), migrates it, loads the demo data (the demo brand and its API key), starts
the ASGI server as `make run` does with the test settings and API throttles off
(SHIFTLINE_API_THROTTLES=off: the fuzzing key must not be rate limited; a 429 stays a
documented answer), then runs `st run` over /api/schema/ with `--checks all`. Exits non-zero
when schemathesis reports any failure. The figures (operations, requests, failures, wall time)
are printed at the end and written to var/fuzz/summary.json.

    python -m marketplace.devstack.fuzz [--max-examples N] [--seed S] [--workers W]
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psycopg

from marketplace.devstack.services import ROOT, VAR, backends

PYTHON = sys.executable
BIN = Path(PYTHON).parent
LOCAL_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres"
LOCAL_REDIS_URL = "redis://127.0.0.1:6379/12"
KEY_LINE = "Demo brand API key:"
SCHEMA_PATH = "/api/schema/?format=json"


@dataclass(frozen=True)
class FuzzFigures:
    operations: int
    requests: int
    failures: int
    errors: int
    seconds: float
    exit_code: int


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


@contextmanager
def throwaway_database(url: str) -> Iterator[str]:
    """A fresh database beside the one `url` names, dropped afterwards."""
    name = f"{urlparse(url).path.lstrip('/') or 'shiftline'}_fuzz"
    maintenance = _with_database(url, "postgres")

    def drop() -> None:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    drop()
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(url, name)
    finally:
        drop()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - localhost
            return bool(response.status == 200)
    except OSError:
        return False


@contextmanager
def asgi_server(env: dict[str, str], log: Path, timeout: float = 90) -> Iterator[str]:
    """uvicorn as `make run` starts it; yields the base URL."""
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - our own command
        [str(BIN / "uvicorn"), "marketplace.asgi:application", "--host", "127.0.0.1",
         "--port", str(port), "--no-access-log"],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while not _answers(base_url + "/healthz"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the web server did not start; see {log}")
            time.sleep(0.2)
        yield base_url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


def schemathesis_command(*, base_url: str, api_key: str, max_examples: int, seed: int | None,
                         workers: int, report: Path) -> list[str]:
    command = [
        str(BIN / "st"), "run", base_url + SCHEMA_PATH, "--url", base_url,
        "--checks", "all", "--max-examples", str(max_examples),
        "--header", f"Authorization: Bearer {api_key}",
        "--workers", str(workers), "--continue-on-failure",
        "--suppress-health-check", "all", "--request-timeout", "30",
        "--report", "ndjson", "--report-ndjson-path", str(report),
    ]
    if seed is not None:
        command += ["--seed", str(seed)]
    return command


def figures_from_report(report: Path, *, seconds: float, exit_code: int) -> FuzzFigures:
    """Counts from schemathesis' ndjson event stream: operations tested, requests sent
    (every interaction recorded), failures (distinct failed checks) and errors."""
    operations: set[str] = set()
    requests = failures = errors = 0
    for line in report.read_text().splitlines():
        event = json.loads(line)
        for kind, payload in event.items():
            if kind == "ScenarioFinished":
                label = payload.get("label")
                if label and payload.get("phase") != "stateful":
                    operations.add(label)
                recorder = payload.get("recorder") or {}
                requests += len(recorder.get("interactions") or {})
                for checks in (recorder.get("checks") or {}).values():
                    failures += sum(1 for check in checks if check.get("status") == "FAILURE")
            elif kind == "NonFatalError":
                errors += 1
    return FuzzFigures(operations=len(operations), requests=requests, failures=failures,
                       errors=errors, seconds=round(seconds, 1), exit_code=exit_code)


def demo_api_key(env: dict[str, str]) -> str:
    """Loads the demo data; its brand's API key, as seed_demo prints it."""
    seeded = subprocess.run([PYTHON, "manage.py", "seed_demo"], cwd=ROOT, env=env,  # noqa: S603
                            check=True, capture_output=True, text=True)
    for line in seeded.stdout.splitlines():
        if line.startswith(KEY_LINE):
            return line.removeprefix(KEY_LINE).strip()
    raise RuntimeError("seed_demo printed no API key")


def run(*, max_examples: int, seed: int | None, workers: int) -> FuzzFigures:
    started = time.monotonic()
    out = VAR / "fuzz"
    out.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        found = backends(stack, prefix="test-", local_database_url=LOCAL_DATABASE_URL,
                         local_redis_url=LOCAL_REDIS_URL)
        print(f"Fuzzing with {found.description}.", flush=True)
        database_url = stack.enter_context(throwaway_database(found.database_url))
        env = dict(os.environ, DATABASE_URL=database_url, REDIS_URL=found.redis_url,
                   DJANGO_SETTINGS_MODULE="marketplace.settings.test",
                   SHIFTLINE_API_THROTTLES="off", PYTHONUNBUFFERED="1")
        env.setdefault("REDIS_KEY_PREFIX", "shiftline-fuzz")
        subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],  # noqa: S603
                       cwd=ROOT, env=env, check=True)
        api_key = demo_api_key(env)
        base_url = stack.enter_context(asgi_server(env, out / "web.log"))
        report = out / "events.ndjson"
        command = schemathesis_command(base_url=base_url, api_key=api_key,
                                       max_examples=max_examples, seed=seed, workers=workers,
                                       report=report)
        print(" ".join(command).replace(api_key, "<api key>"), flush=True)
        exit_code = subprocess.run(command, cwd=ROOT, env=env, check=False).returncode  # noqa: S603
        subprocess.run([str(BIN / "celery"), "-A", "marketplace", "purge", "-f", "-Q",  # noqa: S603
                        "routing,default"], cwd=ROOT, env=env, check=False, capture_output=True)
    figures = figures_from_report(report, seconds=time.monotonic() - started,
                                  exit_code=exit_code)
    (out / "summary.json").write_text(json.dumps(asdict(figures), indent=2) + "\n")
    print(f"\nmake fuzz: {figures.operations} operations, {figures.requests} requests, "
          f"{figures.failures} failures, {figures.errors} errors, {figures.seconds} s "
          f"(schemathesis exit code {exit_code}).", flush=True)
    return figures


def main(arguments: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--max-examples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args(arguments)
    figures = run(max_examples=options.max_examples, seed=options.seed, workers=options.workers)
    return 0 if figures.exit_code == 0 and figures.failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

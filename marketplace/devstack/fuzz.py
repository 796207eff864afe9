"""`make fuzz`: schemathesis against a running Shiftline, every check, many examples.

Creates a throwaway database (`<name>_fuzz` beside the one DATABASE_URL names, or the embedded
test pair under var/), migrates it, loads the demo data (the demo brand and its API key), starts
the ASGI server as `make run` does with the test settings, lifts the demo key's rate limits
(`rate_limited` off, as ops do in the admin) and turns off the per-queue inbound and per-address
wrong-credential throttles (schemathesis sends thousands of requests with generated secrets from
one address; a 429 stays a documented answer), then runs `st run` over /api/schema/ with
`--checks all`. Exits non-zero when schemathesis reports any failure. The figures (operations,
requests, failures, wall time) are printed at the end and written to var/fuzz/summary.json.

    python -m marketplace.devstack.fuzz [--max-examples N] [--seed S] [--workers W]
"""

import argparse
import json
import os
import re
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
CONFIG = Path(__file__).with_name("fuzz.toml")
HOOKS = "marketplace.devstack.fuzz_hooks"
INBOUND = ("from marketplace.access.models import ApiKey; "
           "from marketplace.queues.models import OverflowQueue; "
           "ApiKey.objects.update(rate_limited=False); "
           "queue = OverflowQueue.objects.order_by('pk').first(); "
           "print(queue.pk, queue.inbound_email_token)")
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


def schemathesis_command(*, base_url: str, config: Path, max_examples: int,
                         seed: int | None, workers: int, report: Path) -> list[str]:
    command = [
        str(BIN / "st"), "--config-file", str(config), "run", base_url + SCHEMA_PATH,
        "--url", base_url,
        "--checks", "all", "--max-examples", str(max_examples),
        "--workers", str(workers), "--continue-on-failure",
        "--suppress-health-check", "all", "--request-timeout", "30",
        "--report", "ndjson", "--report-ndjson-path", str(report),
    ]
    if seed is not None:
        command += ["--seed", str(seed)]
    return command


def figures_from_output(output: str, *, seconds: float, exit_code: int) -> FuzzFigures:
    """The counts from schemathesis' summary: operations tested, test cases generated (one
    request each; a stateful scenario sends several), distinct failures and errors."""

    def count(pattern: str) -> int:
        found = re.findall(pattern, output)
        return int(found[-1]) if found else 0

    return FuzzFigures(operations=count(r"Tested: (\d+)"), requests=count(r"(\d+) generated"),
                       failures=count(r"=+ (\d+) failures?"), errors=count(r"(\d+) errors?[, ]"),
                       seconds=round(seconds, 1), exit_code=exit_code)


def run_schemathesis(command: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Runs `st`, echoing its output; returns its exit code and output."""
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,  # noqa: S603
                               stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        sys.stdout.write(line)
        lines.append(line)
    return process.wait(), "".join(lines)


def demo_api_key(env: dict[str, str]) -> str:
    """Loads the demo data; its brand's API key, as seed_demo prints it."""
    seeded = subprocess.run([PYTHON, "manage.py", "seed_demo"], cwd=ROOT, env=env,  # noqa: S603
                            check=True, capture_output=True, text=True)
    for line in seeded.stdout.splitlines():
        if line.startswith(KEY_LINE):
            return line.removeprefix(KEY_LINE).strip()
    raise RuntimeError("seed_demo printed no API key")


def write_config(env: dict[str, str], path: Path, api_key: str) -> Path:
    """fuzz.toml with the credentials of each security scheme (the demo brand's API key as the
    bearer, the demo queue's inbound email secret as basic auth) and the demo queue's id and
    secret as the deprecated inbound URL's path; lifts the demo keys' rate limits."""
    found = subprocess.run([PYTHON, "manage.py", "shell", "-c", INBOUND],  # noqa: S603
                           cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    queue_id, token = found.stdout.strip().splitlines()[-1].split()
    path.write_text(CONFIG.read_text()
                    + f'\n[auth.openapi.BrandApiKey]\nbearer = "{api_key}"\n'
                    + f'\n[auth.openapi.InboundEmailBasic]\nusername = "shiftline"\n'
                    f'password = "{token}"\n'
                    + "\n[[operations]]\n"
                    'include-operation-id = "queue_inbound_email_receive"\n'
                    f'parameters = {{ queue_id = {int(queue_id)} }}\n'
                    "\n[[operations]]\n"
                    'include-operation-id = "queue_inbound_email_receive_with_token"\n'
                    f'parameters = {{ queue_id = {int(queue_id)}, token = "{token}" }}\n')
    return path


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
                   SHIFTLINE_THROTTLE_INBOUND="", SHIFTLINE_THROTTLE_CREDENTIAL_FAILURES="",
                   PYTHONUNBUFFERED="1")
        env.setdefault("REDIS_KEY_PREFIX", "shiftline-fuzz")
        subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],  # noqa: S603
                       cwd=ROOT, env=env, check=True)
        api_key = demo_api_key(env)
        config = write_config(env, out / "schemathesis.toml", api_key)
        base_url = stack.enter_context(asgi_server(env, out / "web.log"))
        report = out / "events.ndjson"
        command = schemathesis_command(base_url=base_url, config=config,
                                       max_examples=max_examples, seed=seed, workers=workers,
                                       report=report)
        print(" ".join(command).replace(api_key, "<api key>"), flush=True)
        exit_code, output = run_schemathesis(command, dict(env, SCHEMATHESIS_HOOKS=HOOKS))
        subprocess.run([str(BIN / "celery"), "-A", "marketplace", "purge", "-f", "-Q",  # noqa: S603
                        "routing,default"], cwd=ROOT, env=env, check=False, capture_output=True)
    figures = figures_from_output(output, seconds=time.monotonic() - started,
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

"""`make run` prints the `/healthz` and `/readyz` addresses and each readiness check's status,
asking `/readyz` again while it answers 503 (beat's first heartbeat takes a few seconds)."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from marketplace.devstack import run

FAILING = {"status": "failing", "checks": {
    "postgres": {"status": "ok", "latency_ms": 1.2, "detail": "SELECT 1 answered"},
    "beat": {"status": "failing", "latency_ms": 0.4, "detail": "no heartbeat from beat"},
}}
READY = {"status": "ok", "checks": {
    "postgres": {"status": "ok", "latency_ms": 1.2, "detail": "SELECT 1 answered"},
    "beat": {"status": "ok", "latency_ms": 0.5, "detail": "last heartbeat 1 s ago"},
}}


@pytest.fixture
def readyz() -> Iterator[tuple[str, list[int]]]:
    """A /readyz answering 503 (failing) twice, then 200 (ok); the list counts the calls."""
    calls: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            calls.append(1)
            payload, status = (FAILING, 503) if len(calls) <= 2 else (READY, 200)
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", calls
    finally:
        server.shutdown()
        server.server_close()


def test_make_run_waits_until_readyz_is_ok_and_prints_every_check(
        readyz: tuple[str, list[int]]) -> None:
    base_url, calls = readyz
    payload = run.wait_for_ready(f"{base_url}/readyz", timeout=10)
    assert payload == READY
    assert len(calls) == 3
    lines = run.readiness_lines(base_url, payload)
    assert lines[0] == f"  Liveness:  {base_url}/healthz"
    assert lines[1] == f"  Readiness: {base_url}/readyz is ok"
    assert lines[2].split() == ["postgres", "ok", "SELECT", "1", "answered", "(1.2", "ms)"]
    assert lines[3].split()[:2] == ["beat", "ok"]


def test_make_run_prints_the_failing_checks_when_readyz_stays_failing(
        readyz: tuple[str, list[int]]) -> None:
    base_url, _ = readyz
    payload = run.wait_for_ready(f"{base_url}/readyz", timeout=0)
    assert payload == FAILING
    lines = run.readiness_lines(base_url, payload)
    assert lines[1] == f"  Readiness: {base_url}/readyz is failing"
    assert lines[3].split()[:4] == ["beat", "failing", "no", "heartbeat"]


def test_make_run_says_when_readyz_does_not_answer() -> None:
    assert run.wait_for_ready("http://127.0.0.1:9/readyz", timeout=0) is None
    assert run.readiness_lines("http://127.0.0.1:9", None)[1] == (
        "  Readiness: http://127.0.0.1:9/readyz did not answer")

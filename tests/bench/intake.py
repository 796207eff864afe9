"""Benchmark intake: throughput of `POST /api/v1/inquiries` (with its promise in the 201) as a
ratio to the honest baseline (issue 12 §8): a bench-only endpoint in the same server that
authenticates with the same API-key class, validates with a serializer, inserts one row with
the ORM and publishes one Celery task (tests/bench/urls.py, target >= 0.7). A bare DRF
endpoint (no authentication, no database) is measured beside them as the floor, for reference
only. Then the intake's latency at 70 % of its measured maximum rate.

One uvicorn (N workers) serves both endpoints from the bench database and a bench Redis key
prefix; the load comes from client processes on 127.0.0.1 (tests/bench/load.py). Every intake
request is a new inquiry (unique external id) from one of 200 customers, authenticated with a
real API key, and schedules its routing task on Redis like production (no worker runs; the
queue is purged afterwards)."""

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import connection

from marketplace.access import services as access_services
from marketplace.access.models import ApiKey
from marketplace.inquiries.models import Customer, Inquiry
from marketplace.onboarding.models import Brand, BrandMembership, BrandRole
from marketplace.queues.models import OverflowQueue
from tests.bench.load import LoadPlan, cpu_count, generate

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
BENCH_KEY = "sl_benchkey_intake-benchmark-key-not-for-production"
INTAKE_PATH = "/api/v1/inquiries"
BARE_PATH = "/bench/bare"
BASELINE_PATH = "/bench/baseline"
TARGET_LOAD = 0.7
TARGET_RATIO = 0.7


@dataclass(frozen=True)
class IntakeFigures:
    workers: int
    client_processes: int
    connections: int
    seconds: float
    rounds: int
    bare_rps: float
    baseline_rps: float
    intake_rps: float
    ratio: float
    ratios: list[float]
    ratio_to_bare: float
    database_pool_size: int
    offered_rps: float
    achieved_rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def seed() -> None:
    """The bench brand with one queue and a known key; earlier runs' inquiries removed so
    every run starts alike."""
    brand, _ = Brand.objects.get_or_create(slug="bench-intake", defaults={"name": "Bench"})
    OverflowQueue.objects.get_or_create(
        brand=brand, name="intake", defaults={
            "time_zone": "Europe/Dublin"},
    )
    if not ApiKey.objects.filter(prefix="benchkey").exists():
        owner, _ = get_user_model().objects.get_or_create(username="owner@bench.test")
        membership, _ = BrandMembership.objects.get_or_create(
            brand=brand, user=owner, defaults={"role": BrandRole.OWNER})
        access_services.api_key_create(brand=brand, actor=membership, name="bench",
                                       raw_key=BENCH_KEY)
    # The benchmark measures the server, not the per-key rate limit: its key is lifted, as ops
    # lift a trusted client's in the admin.
    ApiKey.objects.filter(prefix="benchkey").update(rate_limited=False)
    Inquiry.objects.filter(brand=brand).delete()
    Customer.objects.filter(brand=brand).delete()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_env() -> dict[str, str]:
    """The web process as production runs it (README): a psycopg pool of 8 per process unless
    DATABASE_POOL_SIZE says otherwise."""
    return dict(os.environ, DJANGO_SETTINGS_MODULE="tests.bench.settings",
                DATABASE_POOL_SIZE=os.environ.get("DATABASE_POOL_SIZE") or "8",
                REDIS_KEY_PREFIX=os.environ.get("BENCH_REDIS_KEY_PREFIX", "shiftline-bench"),
                LOG_LEVEL="ERROR", PYTHONUNBUFFERED="1")


@contextmanager
def server(workers: int) -> Iterator[int]:
    port = _free_port()
    process = subprocess.Popen(
        [str(BIN / "uvicorn"), "marketplace.asgi:application", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(workers), "--no-access-log",
         "--log-level", "warning"],
        cwd=ROOT, env=_server_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz",
                                            timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the bench server did not start") from None
                time.sleep(0.2)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        subprocess.run(
            [str(BIN / "celery"), "-A", "marketplace", "purge", "-f", "-Q", "routing,default"],
            cwd=ROOT, env=_server_env(), check=False, capture_output=True, timeout=60,
        )


def _intake_body(run: str) -> Callable[[int, int], bytes]:
    def body_for(process: int, number: int) -> bytes:
        return json.dumps({
            "external_id": f"bench-{run}-{process}-{number}", "channel": "email",
            "subject": "Where is my order?", "body": "Hi, my jacket has not arrived yet.",
            "language": "en",
            "customer": {"email": f"customer{number % 200}@bench.example", "name": "Sam"},
        }).encode()
    return body_for


def _bare_body(process: int, number: int) -> bytes:
    return b'{"ping": 1}'


def _baseline_body(run: str) -> Callable[[int, int], bytes]:
    def body_for(process: int, number: int) -> bytes:
        return json.dumps({"email": f"baseline-{run}-{process}-{number}@bench.example",
                           "name": "Sam"}).encode()
    return body_for


def _plan(port: int, path: str, body_for: Callable[[int, int], bytes], *, seconds: float,
          connections: int, rate: float | None = None) -> LoadPlan:
    headers = (("Authorization", f"Bearer {BENCH_KEY}"),) if path != BARE_PATH else ()
    return LoadPlan(port=port, path=path, headers=headers, body_for=body_for, seconds=seconds,
                    connections=connections, rate=rate)


def run(*, seconds: float = 4.0, rounds: int = 3, workers: int | None = None,
        connections: int = 32) -> IntakeFigures:
    """Bare, baseline and intake alternate for `rounds` rounds so a neighbour's load drifting
    over the run hits them alike; the ratio is the median of the rounds' intake/baseline
    ratios. Then the intake is paced at 70 % of its median maximum."""
    seed()
    cpus = cpu_count()
    workers = workers or max(1, cpus // 2)
    processes = max(1, cpus - workers)
    run_id = uuid.uuid4().hex[:8]
    bare_rates: list[float] = []
    baseline_rates: list[float] = []
    intake_rates: list[float] = []
    errors = 0
    with server(workers) as port:
        warmup = min(2.0, seconds)
        generate(_plan(port, BARE_PATH, _bare_body, seconds=warmup, connections=connections),
                 processes=processes)
        generate(_plan(port, BASELINE_PATH, _baseline_body(f"{run_id}w"), seconds=warmup,
                       connections=connections), processes=processes)
        generate(_plan(port, INTAKE_PATH, _intake_body(f"{run_id}w"), seconds=warmup,
                       connections=connections), processes=processes)
        for number in range(rounds):
            bare = generate(_plan(port, BARE_PATH, _bare_body, seconds=seconds,
                                  connections=connections), processes=processes)
            baseline = generate(_plan(port, BASELINE_PATH, _baseline_body(f"{run_id}r{number}"),
                                      seconds=seconds, connections=connections),
                                processes=processes)
            intake = generate(_plan(port, INTAKE_PATH, _intake_body(f"{run_id}r{number}"),
                                    seconds=seconds, connections=connections),
                              processes=processes)
            bare_rates.append(bare.rate)
            baseline_rates.append(baseline.rate)
            intake_rates.append(intake.rate)
            errors += bare.errors + baseline.errors + intake.errors
        offered = statistics.median(intake_rates) * TARGET_LOAD
        paced = generate(_plan(port, INTAKE_PATH, _intake_body(f"{run_id}p"), seconds=seconds,
                               connections=connections * 2, rate=offered),
                         processes=processes)
    ratios = [intake / baseline
              for intake, baseline in zip(intake_rates, baseline_rates, strict=True) if baseline]
    to_bare = [intake / bare for intake, bare in zip(intake_rates, bare_rates, strict=True)
               if bare]
    return IntakeFigures(
        workers=workers, client_processes=processes, connections=connections,
        seconds=seconds, rounds=rounds, bare_rps=round(statistics.median(bare_rates), 1),
        baseline_rps=round(statistics.median(baseline_rates), 1),
        intake_rps=round(statistics.median(intake_rates), 1),
        ratio=round(statistics.median(ratios), 3) if ratios else 0.0,
        ratios=[round(ratio, 3) for ratio in ratios],
        ratio_to_bare=round(statistics.median(to_bare), 3) if to_bare else 0.0,
        database_pool_size=int(_server_env()["DATABASE_POOL_SIZE"]),
        offered_rps=round(offered, 1), achieved_rps=round(paced.rate, 1),
        p50_ms=round(paced.percentile_ms(0.50), 2), p99_ms=round(paced.percentile_ms(0.99), 2),
        errors=errors + paced.errors,
    )


def print_report(figures: IntakeFigures) -> None:
    print(f"Intake: POST /api/v1/inquiries vs the baseline endpoint, same uvicorn "
          f"({figures.workers} workers), {figures.client_processes} client processes, "
          f"{figures.connections} keep-alive connections, {figures.rounds} alternating rounds "
          f"of {figures.seconds:g} s (medians); DATABASE_POOL_SIZE={figures.database_pool_size}")
    print(f"   bare DRF endpoint (floor, reference): {figures.bare_rps:>8.1f} req/s")
    print(f"   baseline (API key, serializer, one ORM insert, one task): "
          f"{figures.baseline_rps:>8.1f} req/s")
    print(f"   intake with its promise:              {figures.intake_rps:>8.1f} req/s")
    print(f"   ratio intake/baseline: {figures.ratio:.3f} (target >= {TARGET_RATIO}; rounds: "
          f"{', '.join(f'{ratio:.3f}' for ratio in figures.ratios)}); intake/bare "
          f"{figures.ratio_to_bare:.3f}")
    print(f"   at 70 % of the intake maximum ({figures.offered_rps:.1f} req/s offered, "
          f"{figures.achieved_rps:.1f} achieved): p50 {figures.p50_ms:.1f} ms, "
          f"p99 {figures.p99_ms:.1f} ms")
    print(f"   non-2xx answers: {figures.errors}")

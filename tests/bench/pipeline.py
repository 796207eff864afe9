"""Benchmark b: from an inquiry POST to the offer frame on the expert's websocket, through the
real processes (uvicorn and a Celery worker, as tests/live.py starts them), 20 inquiries a
second for 60 s (BENCH_SECONDS shortens it). Beside it, the bare pipeline at the same pace: a
no-op Celery task (tests/bench/noop_tasks.py) that only pushes a frame to the same sockets.

Open loop: each request leaves at its scheduled moment whether or not earlier ones answered,
so a slow pipeline shows up as latency, not as a lower rate.

Under intake load (issue 12 §7): before the routed run, the web process's maximum intake rate
is measured (closed loop, tests/bench/load.py, on another brand's queue); during the whole
routed run a separate open-loop load posts intake to that queue at half that maximum. That
queue keeps business hours all week, so each of its inquiries costs the routing worker one
coverage decision (left with the brand) and offers nothing to the measured experts."""

import json
import os
import re
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse

from django.test import Client
from django.utils import timezone
from websockets.sync.client import ClientConnection, connect

from experts.profiles.models import ExpertProfile
from marketplace.access.models import ApiKey
from marketplace.celery import app
from marketplace.inquiries.models import Inquiry, InquiryStatus
from routing.models import ExpertSeat, RoutingDecisionLog
from tests import factories
from tests.bench.cpu import CpuAccount, database_backend_pids, descendants_running, pids_named
from tests.bench.database import fresh_factory_names
from tests.bench.load import LoadPlan, LoadResult, generate
from tests.live import LivePlatform, live_platform

RATE = 20
EXPERTS = 10
BARE_MARKER = 900_000_000
WARM_UP = 20
WARM_UP_MARKER = 1_000_000
WORKER_ARGS = ("--include", "tests.bench.noop_tasks")
INTAKE_SHARE = float(os.environ.get("BENCH_INTAKE_SHARE", "0.5"))
"""The intake load's share of the web process's measured maximum (the issue asks for half; a
smaller share shows how the routed pipeline fares with cores to spare)."""
INTAKE_MEASURE_SECONDS = 4.0
INTAKE_CONNECTIONS = 16
ALL_WEEK = tuple((day, "00:00", "00:00") for day in range(7))


def duration() -> float:
    return float(os.environ.get("BENCH_SECONDS", "60"))


@dataclass(frozen=True)
class LatencyFigures:
    sent: int
    received: int
    p50_ms: float
    p99_ms: float
    max_ms: float


def figures(sent: dict[str, float], arrived: dict[str, float]) -> LatencyFigures:
    latencies = sorted((arrived[key] - sent[key]) * 1000 for key in sent if key in arrived)
    return _quantiles(len(sent), latencies)


def _quantiles(sent: int, latencies: list[float]) -> LatencyFigures:
    latencies = sorted(latencies)
    if not latencies:
        return LatencyFigures(sent, 0, float("nan"), float("nan"), float("nan"))
    if len(latencies) == 1:
        return LatencyFigures(sent, 1, *(round(latencies[0], 1),) * 3)
    quantiles = statistics.quantiles(latencies, n=100, method="inclusive")
    return LatencyFigures(sent, len(latencies), round(quantiles[49], 1),
                          round(quantiles[98], 1), round(latencies[-1], 1))


STAGES = ("web: POST to its 201", "waiting for a routing worker",
          "decision, commit, push and frame")


def stages(clock: dict[str, tuple[float, float, float]],
           decided: dict[str, tuple[datetime, datetime]]) -> dict[str, LatencyFigures]:
    """Where each routed inquiry's time went, on the wall clock: `clock` holds per marker when
    its POST left, when its answer came and when its frame arrived; `decided` when intake
    received the inquiry and when the routing task decided it (both stamped by the platform,
    `received_at` and the decision log's `decided_at`). Markers missing a stamp are skipped."""
    spans: dict[str, list[float]] = {stage: [] for stage in STAGES}
    for marker, (sent, answered, arrived) in clock.items():
        if marker not in decided:
            continue
        received_at, decided_at = (moment.timestamp() for moment in decided[marker])
        spans[STAGES[0]].append((answered - sent) * 1000)
        spans[STAGES[1]].append((decided_at - received_at) * 1000)
        spans[STAGES[2]].append((arrived - decided_at) * 1000)
    return {stage: _quantiles(len(clock), values) for stage, values in spans.items()}


class Listener(threading.Thread):
    """Reads one expert's socket and notes when each marker first arrives."""

    def __init__(self, socket: ClientConnection, pattern: re.Pattern[str],
                 arrived: dict[str, float], arrived_wall: dict[str, float]) -> None:
        super().__init__(daemon=True)
        self.socket, self.pattern, self.arrived = socket, pattern, arrived
        self.arrived_wall = arrived_wall
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                frame = str(self.socket.recv(timeout=0.2))
            except TimeoutError:
                continue
            except Exception:
                return
            now = time.perf_counter()
            wall = time.time()
            for marker in self.pattern.findall(frame):
                self.arrived.setdefault(marker, now)
                self.arrived_wall.setdefault(marker, wall)


@contextmanager
def sockets(live: LivePlatform, experts: list[ExpertProfile], pattern: re.Pattern[str],
            arrived: dict[str, float],
            arrived_wall: dict[str, float] | None = None) -> Iterator[None]:
    """`arrived_wall`, when given, gets each marker's arrival on the wall clock too."""
    arrived_wall = {} if arrived_wall is None else arrived_wall
    with ExitStack() as stack:
        listeners = []
        for expert in experts:
            client = Client()
            client.force_login(expert.user)
            cookie = f"sessionid={client.cookies['sessionid'].value}"
            socket = stack.enter_context(connect(
                live.ws_url, additional_headers={"Cookie": cookie, "Origin": live.base_url},
                open_timeout=10))
            listener = Listener(socket, pattern, arrived, arrived_wall)
            listener.start()
            listeners.append(listener)
        time.sleep(0.5)  # every socket has joined its group
        try:
            yield
        finally:
            for listener in listeners:
                listener.stopping.set()
            for listener in listeners:
                listener.join(timeout=5)


def open_loop(send: Callable[[int], None], seconds: float) -> None:
    count = int(seconds * RATE)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        for number in range(count):
            delay = started + number / RATE - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(send, number)


def wait_for(arrived: dict[str, float], expected: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while len(arrived) < expected and time.monotonic() < deadline:
        time.sleep(0.1)


def _intake_plan(port: int, api_key: str, tag: str, *, seconds: float,
                 rate: float | None = None) -> LoadPlan:
    def body_for(process: int, number: int) -> bytes:
        return json.dumps({
            "external_id": f"load-{tag}-{process}-{number}", "channel": "email",
            "subject": "Load", "body": "Where is my parcel?", "language": "en",
            "customer": {"email": f"load{number % 200}@example.com", "name": "Sam"},
        }).encode()

    return LoadPlan(port=port, path="/api/v1/inquiries",
                    headers=(("Authorization", f"Bearer {api_key}"),), body_for=body_for,
                    seconds=seconds, connections=INTAKE_CONNECTIONS, rate=rate)


class IntakeLoad(threading.Thread):
    """The separate intake load at a fixed rate, beside the routed run."""

    def __init__(self, plan: LoadPlan) -> None:
        super().__init__(daemon=True)
        self.plan = plan
        self.result = LoadResult()

    def run(self) -> None:
        self.result = generate(self.plan, processes=1)


def _wait_until_routed(queue_id: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while Inquiry.objects.filter(queue_id=queue_id, status=InquiryStatus.RECEIVED).exists() \
            and time.monotonic() < deadline:
        time.sleep(0.2)


def run() -> dict[str, object]:
    seconds = duration()
    fresh_factory_names()
    now = timezone.now()
    queue = factories.queue()
    slot = factories.shift(on=queue, now=now, headcount=EXPERTS)
    experts = [factories.on_shift_expert(on=queue, now=now, slot=slot) for _ in range(EXPERTS)]
    ExpertSeat.objects.filter(expert__in=experts).update(email_capacity=5_000)
    api_key = factories.api_key(of=queue.brand)
    load_queue = factories.queue(spans=ALL_WEEK)
    load_key = factories.api_key(of=load_queue.brand)
    ApiKey.objects.filter(brand__in=[queue.brand, load_queue.brand]).update(rate_limited=False)
    tag = uuid.uuid4().hex[:8]
    log_dir = Path(tempfile.mkdtemp(prefix="shiftline-bench-"))
    # The web process as `make run` and deploy/compose.yaml run it: a pool of 8 connections
    # (without one, every request in flight holds a connection of its own and the intake load
    # exhausts PostgreSQL's max_connections, starving the routing worker).
    with live_platform(log_dir, database=nullcontext, worker_args=WORKER_ARGS,
                       web_env={"DATABASE_POOL_SIZE": "8"}) as live:
        routed_sent: dict[str, float] = {}
        routed_arrived: dict[str, float] = {}
        routed_wall: dict[str, tuple[float, float]] = {}
        arrived_wall: dict[str, float] = {}

        def post(number: int) -> None:
            marker = f"{tag}-{number}"
            routed_sent[marker] = time.perf_counter()
            sent = time.time()
            live.post_json("/api/v1/inquiries", {
                "external_id": f"bench-{marker}", "channel": "email",
                "subject": f"bench-{marker}", "body": "Where is my parcel?", "language": "en",
                "customer": {"email": "sam@example.com", "name": "Sam"},
            }, api_key=api_key)
            routed_wall[marker] = (sent, time.time())

        with sockets(live, experts, re.compile(rf"bench-({tag}-\d+)"), routed_arrived,
                     arrived_wall):
            for number in range(WARM_UP):  # warm the processes and connections up
                post(WARM_UP_MARKER + number)
            wait_for(routed_arrived, WARM_UP)
            port = int(urlparse(live.base_url).port or 80)
            maximum = generate(_intake_plan(port, load_key, f"{tag}m",
                                            seconds=INTAKE_MEASURE_SECONDS), processes=1)
            _wait_until_routed(load_queue.pk)  # the measuring burst leaves no backlog behind
            routed_sent.clear()
            routed_arrived.clear()
            routed_wall.clear()
            load = IntakeLoad(_intake_plan(port, load_key, f"{tag}l", seconds=seconds,
                                           rate=maximum.rate * INTAKE_SHARE))
            account = CpuAccount({
                "web process (uvicorn)": lambda: descendants_running("uvicorn"),
                "Celery worker processes": lambda: descendants_running("celery"),
                "PostgreSQL (this database's backends)": database_backend_pids,
                "Redis server (shared with other work)": lambda: pids_named("redis-server"),
                "load generators (this process and its clients)": lambda: [os.getpid()],
            }, reaped_into="load generators (this process and its clients)")
            account.start()
            load.start()
            open_loop(post, seconds)
            load.join(timeout=seconds + 120)
            wait_for(routed_arrived, len(routed_sent))
            account.stop()

        # The bare pipeline shares the worker's queue: it starts once the routed run's work is
        # done, so it never waits behind a backlog the routed run left.
        _wait_until_routed(queue.pk, timeout=300)
        _wait_until_routed(load_queue.pk, timeout=300)
        bare_sent: dict[str, float] = {}
        bare_arrived: dict[str, float] = {}

        def push(number: int) -> None:
            marker = str(BARE_MARKER + number)
            bare_sent[marker] = time.perf_counter()
            app.send_task("bench.push_noop", args=[experts[number % EXPERTS].pk, int(marker)],
                          queue="routing")

        with sockets(live, experts, re.compile(r'id="offer-(\d{9})"'), bare_arrived):
            open_loop(push, seconds)
            wait_for(bare_arrived, len(bare_sent))
    routed, bare = figures(routed_sent, routed_arrived), figures(bare_sent, bare_arrived)
    decided = {log.inquiry.external_id.removeprefix("bench-"): (log.inquiry.received_at,
                                                                log.decided_at)
               for log in RoutingDecisionLog.objects.filter(inquiry__queue=queue)
               .select_related("inquiry").order_by("decided_at")}
    clock = {marker: (sent, answered, arrived_wall[marker])
             for marker, (sent, answered) in routed_wall.items() if marker in arrived_wall}
    intake = {"maximum_rps": round(maximum.rate, 1), "share": INTAKE_SHARE,
              "offered_rps": round(maximum.rate * INTAKE_SHARE, 1),
              "achieved_rps": round(load.result.rate, 1),
              "p50_ms": round(load.result.percentile_ms(0.50), 1),
              "p99_ms": round(load.result.percentile_ms(0.99), 1),
              "errors": load.result.errors + maximum.errors,
              "statuses": {**maximum.statuses, **{
                  status: maximum.statuses.get(status, 0) + count
                  for status, count in load.result.statuses.items()}}}
    return {"seconds": seconds, "rate_per_second": RATE, "routed": routed.__dict__,
            "intake_load": intake, "cpu": account.report(),
            "stages": {stage: value.__dict__ for stage, value in stages(clock, decided).items()},
            "bare": bare.__dict__, "p99_target_ms": 250,
            "ratio_p50": round(routed.p50_ms / bare.p50_ms, 2),
            "ratio_p99": round(routed.p99_ms / bare.p99_ms, 2),
            "load_average": round(os.getloadavg()[0], 2), "cpus": os.cpu_count()}

"""Benchmark c: routing decisions per second by one Celery worker process (`-c 1`), beside a
no-op task on the same broker and queue: how much of a worker's time routing itself takes;
then the same with two worker processes (`-c 2`), and who used the CPU meanwhile.

The inquiries are created first with their routing task held back; then their `route_inquiry`
tasks are sent at once and the clock runs until every one has left `received` (offered, or
queued when nobody had room). The no-op task only increments a Redis counter; the two
alternate in chunks (CHUNKS) so their CPU per task is compared under the same load. During each
routing run the CPU of the worker processes, this database's PostgreSQL backends, the Redis
server and this process (the load generator: it sends the tasks and polls for the end) is
read from /proc (tests/bench/cpu.py), beside the machine's whole busy time."""

import os
import tempfile
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from redis import Redis

from marketplace.celery import app
from marketplace.inquiries.models import Inquiry, InquiryStatus
from routing.models import ExpertSeat
from tests import factories
from tests.bench.cpu import CpuAccount, database_backend_pids, pids_named
from tests.bench.database import fresh_factory_names
from tests.live import WorkerProcess, platform_env, purge_queues

ROUTINGS = 1_000
NOOPS = 5_000
EXPERTS = 50
WARM_UP = 50
CHUNKS = 4
"""Routing and no-op alternate in this many chunks on the one-process worker, so a neighbour's
load drifting over the run weighs on both alike (the CPU a task takes grows with the machine's
contention)."""


def _held_back_inquiries(count: int) -> list[int]:
    """Created through the service, with the broker send suppressed so nothing routes yet."""
    fresh_factory_names()
    now = timezone.now()
    queue = factories.queue()
    slot = factories.shift(on=queue, now=now, headcount=EXPERTS)
    experts = [factories.on_shift_expert(on=queue, now=now, slot=slot) for _ in range(EXPERTS)]
    ExpertSeat.objects.filter(expert__in=experts).update(chat_capacity=5_000,
                                                         email_capacity=5_000)
    app.send_task = lambda *args, **kwargs: None  # type: ignore[method-assign,assignment]
    try:
        return [factories.inquiry(on=queue, now=now, channel="chat" if number % 2 else "email",
                                  subject=f"throughput {number}").pk
                for number in range(count)]
    finally:
        del app.send_task


def _cpu_seconds(worker: WorkerProcess) -> float:
    """User plus system CPU time of the worker's master and children: the machine may be
    shared, so the wall-clock pace is shown beside the CPU each task really took."""
    assert worker.process is not None
    total = 0
    for pid in [worker.process.pid, *worker.children()]:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _routings_per_second(inquiry_ids: list[int]) -> float:
    """The ids were created in one go, so nothing else lies in their range: the poll is one
    cheap query, and this process (the load generator) takes little CPU from the workers."""
    started = time.perf_counter()
    for inquiry_id in inquiry_ids:
        app.send_task("routing.route_inquiry", args=[inquiry_id])
    waiting = Inquiry.objects.filter(pk__range=(min(inquiry_ids), max(inquiry_ids)),
                                     status=InquiryStatus.RECEIVED)
    while waiting.exists():
        time.sleep(0.05)
    return len(inquiry_ids) / (time.perf_counter() - started)


def _noops_per_second(count: int) -> float:
    key = f"{settings.REDIS_KEY_PREFIX}:bench:noop:{uuid.uuid4().hex}"
    redis = Redis.from_url(settings.REDIS_URL)
    started = time.perf_counter()
    for _ in range(count):
        app.send_task("bench.noop_count", args=[key], queue="routing")
    while int(redis.get(key) or 0) < count:
        time.sleep(0.02)
    elapsed = time.perf_counter() - started
    redis.delete(key)
    return count / elapsed


def _worker(env: dict[str, str], concurrency: int) -> WorkerProcess:
    return WorkerProcess(log=Path(tempfile.mkdtemp(prefix="shiftline-bench-")) / "worker.log",
                         env=env, queues="routing", concurrency=concurrency,
                         extra_args=("--include", "tests.bench.noop_tasks"))


def _account(worker: WorkerProcess) -> CpuAccount:
    assert worker.process is not None
    master = worker.process.pid
    return CpuAccount({
        "routing worker processes": lambda: [master, *worker.children()],
        "PostgreSQL (this database's backends)": database_backend_pids,
        "Redis server (shared with other work)": lambda: pids_named("redis-server"),
        "load generator (this process)": lambda: [os.getpid()],
    })


def _two_workers(env: dict[str, str], inquiry_ids: list[int]) -> tuple[float, float,
                                                                       dict[str, object]]:
    """Decisions per second and worker CPU ms per decision of two worker processes."""
    worker = _worker(env, concurrency=2)
    try:
        worker.start()
        _routings_per_second(inquiry_ids[:WARM_UP])
        cpu = _cpu_seconds(worker)
        account = _account(worker)
        account.start()
        routings = _routings_per_second(inquiry_ids[WARM_UP:])
        account.stop()
        routing_cpu = _cpu_seconds(worker) - cpu
    finally:
        worker.stop()
    return routings, routing_cpu / ROUTINGS * 1000, account.report()


def run() -> dict[str, object]:
    inquiry_ids = _held_back_inquiries(2 * (WARM_UP + ROUTINGS))
    one_ids, two_ids = inquiry_ids[:WARM_UP + ROUTINGS], inquiry_ids[WARM_UP + ROUTINGS:]
    env = platform_env()
    purge_queues(env)
    worker = _worker(env, concurrency=1)
    routing_cpu = noop_cpu = routing_seconds = noop_seconds = 0.0
    try:
        worker.start()
        _routings_per_second(one_ids[:WARM_UP])
        _noops_per_second(WARM_UP)
        account = _account(worker)
        per_chunk = ROUTINGS // CHUNKS
        for chunk in range(CHUNKS):
            ids = one_ids[WARM_UP + chunk * per_chunk:WARM_UP + (chunk + 1) * per_chunk]
            cpu = _cpu_seconds(worker)
            part = _account(worker)
            part.start()
            routing_seconds += len(ids) / _routings_per_second(ids)
            part.stop()
            account.add(part)
            routing_cpu += _cpu_seconds(worker) - cpu
            cpu = _cpu_seconds(worker)
            noop_seconds += NOOPS / CHUNKS / _noops_per_second(NOOPS // CHUNKS)
            noop_cpu += _cpu_seconds(worker) - cpu
    finally:
        worker.stop()
    routings, noops = ROUTINGS / routing_seconds, NOOPS / noop_seconds
    two_routings, two_cpu_ms, two_account = _two_workers(env, two_ids)
    offered = Inquiry.objects.filter(pk__in=inquiry_ids, status=InquiryStatus.OFFERED).count()
    routing_ms, noop_ms = routing_cpu / ROUTINGS * 1000, noop_cpu / NOOPS * 1000
    return {"worker_processes": 1, "routings": ROUTINGS, "offered": offered,
            "routing_decisions_per_second": round(routings, 1),
            "noop_tasks_per_second": round(noops, 1),
            "routing_share_of_noop_pace": round(routings / noops, 3),
            "worker_cpu_ms_per_routing": round(routing_ms, 2),
            "worker_cpu_ms_per_noop": round(noop_ms, 2),
            "routing_cpu_to_noop": round(routing_ms / noop_ms, 2),
            "routing_cpu_to_noop_target": "<= 3",
            "cpu_one_worker": account.report(),
            "two_workers_decisions_per_second": round(two_routings, 1),
            "two_workers_cpu_ms_per_routing": round(two_cpu_ms, 2),
            "two_to_one_workers": round(two_routings / routings, 2),
            "two_to_one_target": ">= 1.3",
            "cpu_two_workers": two_account,
            "load_average": round(os.getloadavg()[0], 2), "cpus": os.cpu_count()}

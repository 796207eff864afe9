"""A small HTTP/1.1 load generator: several client processes, each an asyncio loop over
keep-alive connections to 127.0.0.1. Two shapes:

- closed loop (`rate=None`): every connection sends its next request when the previous answer
  arrives; the completed requests per second are the maximum rate;
- open loop (`rate=R`): requests are scheduled at a fixed rate whether or not the server keeps
  up, and each latency is measured from the scheduled time, so a stalled server cannot hide
  its queue (no coordinated omission).

Bodies come from `body_for(process, number)` so every request can be unique."""

import asyncio
import multiprocessing
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    completed: int = 0
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    elapsed_s: float = 0.0

    def merge(self, other: "LoadResult") -> None:
        self.completed += other.completed
        self.errors += other.errors
        for status, count in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + count
        self.latencies_ms.extend(other.latencies_ms)
        self.elapsed_s = max(self.elapsed_s, other.elapsed_s)

    @property
    def rate(self) -> float:
        return self.completed / self.elapsed_s if self.elapsed_s else 0.0

    def percentile_ms(self, share: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@dataclass(frozen=True)
class LoadPlan:
    port: int
    path: str
    headers: tuple[tuple[str, str], ...]
    body_for: Callable[[int, int], bytes]
    seconds: float
    connections: int
    rate: float | None = None


def _request_bytes(plan: LoadPlan, body: bytes) -> bytes:
    head = [f"POST {plan.path} HTTP/1.1", f"Host: 127.0.0.1:{plan.port}",
            "Content-Type: application/json", f"Content-Length: {len(body)}",
            *(f"{name}: {value}" for name, value in plan.headers)]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    request: bytes) -> int:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


async def _exchange_or_reconnect(plan: LoadPlan, connection: Connection,
                                 request: bytes) -> tuple[int, Connection]:
    """As a keep-alive HTTP client does: a connection the server closed while it was idle (its
    keep-alive timeout; an open loop at a low rate leaves each connection idle for seconds) is
    opened again and the request sent on the new one. The server closes only idle connections,
    so the request was never taken."""
    try:
        return await _exchange(*connection, request), connection
    except (asyncio.IncompleteReadError, ConnectionError):
        connection[1].close()
        connection = await asyncio.open_connection("127.0.0.1", plan.port)
        return await _exchange(*connection, request), connection


async def _run(plan: LoadPlan, process: int, processes: int) -> LoadResult:
    result = LoadResult()
    counter = iter(range(10**9))
    connections = [await asyncio.open_connection("127.0.0.1", plan.port)
                   for _ in range(plan.connections)]
    start = time.perf_counter()
    deadline = start + plan.seconds

    def record(status: int, latency: float) -> None:
        result.completed += 1
        result.statuses[status] = result.statuses.get(status, 0) + 1
        if not 200 <= status < 300:
            result.errors += 1
        result.latencies_ms.append(latency * 1000)

    async def closed_loop(connection: Connection) -> None:
        while (sent := time.perf_counter()) < deadline:
            request = _request_bytes(plan, plan.body_for(process, next(counter)))
            status, connection = await _exchange_or_reconnect(plan, connection, request)
            record(status, time.perf_counter() - sent)
        connection[1].close()

    if plan.rate is None:
        await asyncio.gather(*(closed_loop(connection) for connection in connections))
    else:
        idle: asyncio.Queue[Connection] = asyncio.Queue()
        for connection in connections:
            idle.put_nowait(connection)
        interval = 1 / plan.rate
        scheduled = start + interval * process / processes

        async def one(at: float) -> None:
            connection = await idle.get()
            request = _request_bytes(plan, plan.body_for(process, next(counter)))
            status, connection = await _exchange_or_reconnect(plan, connection, request)
            record(status, time.perf_counter() - at)
            idle.put_nowait(connection)

        tasks = []
        while scheduled < deadline:
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(scheduled)))
            scheduled += interval
        await asyncio.gather(*tasks)
        while not idle.empty():
            idle.get_nowait()[1].close()
    result.elapsed_s = time.perf_counter() - start
    return result


def _process_main(plan: LoadPlan, process: int, processes: int,
                  results: "multiprocessing.Queue[LoadResult]") -> None:
    results.put(asyncio.run(_run(plan, process, processes)))


def generate(plan: LoadPlan, *, processes: int) -> LoadResult:
    """Runs the plan split over `processes` client processes (connections and rate are
    totals) and merges what they measured."""
    share = LoadPlan(
        port=plan.port, path=plan.path, headers=plan.headers, body_for=plan.body_for,
        seconds=plan.seconds, connections=max(1, plan.connections // processes),
        rate=plan.rate / processes if plan.rate else None,
    )
    context = multiprocessing.get_context("fork")
    results: multiprocessing.Queue[LoadResult] = context.Queue()
    workers = [context.Process(target=_process_main, args=(share, number, processes, results))
               for number in range(processes)]
    for worker in workers:
        worker.start()
    merged = LoadResult()
    for _ in workers:
        merged.merge(results.get(timeout=plan.seconds + 120))
    for worker in workers:
        worker.join(timeout=10)
    return merged


def cpu_count() -> int:
    return len(os.sched_getaffinity(0))

"""`make faults`: the real processes under the `make run` supervisor, a steady stream of
inquiries and simulated experts, and one fault after another; afterwards nothing lost, doubled
or over capacity, and no 500.

Starts its own embedded PostgreSQL and Redis in a temporary directory (unix sockets only, never
the machine's shared servers), migrates, seeds a brand with an always-covered queue whose replies
go to a webhook sink of ours, its API key and experts on a live shift, checked in. Then runs the
processes of devstack/process_list.py (uvicorn, the routing and slow workers, beat) in a
`Group` (devstack/processes.py) supervised as `make run` does, so a killed process comes back
through its restart and backoff. A client posts inquiries to POST /api/v1/inquiries with the
brand's key at a steady rate and retries as a real one would (a 503 after its Retry-After, a
refused connection or a timeout after a pause, always with the same external_id); simulated
experts accept, reply and resolve through the service layer the workspace calls
(devstack/fault_world.py). The faults, in turn: SIGKILL to the routing worker's main process,
to beat, to the web server; embedded Redis stopped for `--outage` seconds and started again;
then the same for PostgreSQL.

After each fault it waits until the platform has recovered, meaning /readyz answers 200, an
inquiry sent after the fault ended has been offered to an expert, the killed process runs again
and (for beat) the new beat holds the beat lock, so sends the schedule; it reports that time.
At the end the stream stops, the last inquiries are let through, and per fault the table
counts: inquiries sent, lost, double-assigned, over capacity (the worst of samples every
second), double-billed, replies twice (delivered twice by the delivery log, or shown twice by
the brand's helpdesk, a sink of ours that drops a repeat of an Idempotency-Key as the API asks;
repeats it dropped are counted apart), 500s (every 5xx but 503) and 503s seen by the client,
and the time to recover. Inquiries handed back to the brand (no expert took them before their
first-response target) are settled, not lost, and counted apart.
Exits non-zero when an invariant is broken. Output under var/faults/ (the processes' log, the
table as summary.json).

    python -m marketplace.devstack.faults [--outage 20] [--faults routing-worker,beat,web,redis,
        postgres] [--rate 3] [--experts 8]
"""

import argparse
import contextlib
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

import redis

from marketplace.devstack.embedded import EmbeddedPostgres, EmbeddedRedis
from marketplace.devstack.processes import (
    Backoff,
    Group,
    Stop,
    ignore_signals,
    stop_on_signals,
)
from marketplace.devstack.run import children, local_command
from marketplace.devstack.services import ROOT, VAR

KILLS = {"routing-worker": "routing-worker", "beat": "beat", "web": "web"}
OUTAGES = ("redis", "postgres")
ALL_FAULTS = ("routing-worker", "beat", "web", "redis", "postgres")
KEY_PREFIX = "shiftline-faults"
RECOVER_WITHIN = 180.0
CLIENT_GIVES_UP_AFTER = 300.0
DRAIN_WITHIN = 120.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- the brand's client --------------------------------------------------------------------


@dataclass
class PhaseCounts:
    sent: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    connection_errors: int = 0
    gave_up: int = 0
    not_json_503: int = 0

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses.items()
                   if status >= 500 and status != 503)


class Client:
    """Posts one inquiry every 1/rate seconds, each in its own thread so a slow answer does not
    slow the stream; every answer is counted under the phase it arrived in."""

    def __init__(self, base_url: str, api_key: str, rate: float) -> None:
        self.base_url, self.api_key, self.rate = base_url, api_key, rate
        self.phase = "warm-up"
        self.phases: dict[str, PhaseCounts] = {}
        self.first_sent: dict[str, float] = {}
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.aborting = threading.Event()
        self.pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="client")
        self.thread = threading.Thread(target=self._loop, daemon=True, name="client")

    def counts(self, phase: str | None = None) -> PhaseCounts:
        return self.phases.setdefault(phase or self.phase, PhaseCounts())

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        """No new inquiries; those on their way are retried until accepted."""
        self.stopping.set()
        if self.thread.is_alive():
            self.thread.join(timeout=10)
        self.pool.shutdown(wait=True)

    def abort(self) -> None:
        """The run failed: the retries stop too."""
        self.aborting.set()
        self.stop()

    def _loop(self) -> None:
        number = 0
        started = time.monotonic()
        while not self.stopping.is_set():
            delay = started + number / self.rate - time.monotonic()
            if delay > 0:
                self.stopping.wait(delay)
                continue
            external_id = f"fault-{number}"
            with self.lock:
                self.counts().sent.append(external_id)
                self.first_sent[external_id] = time.monotonic()
            self.pool.submit(self.send, external_id)
            number += 1

    def payload(self, external_id: str) -> bytes:
        number = int(external_id.rsplit("-", 1)[1])
        return json.dumps({
            "external_id": external_id, "channel": "chat" if number % 2 else "email",
            "subject": f"Order {external_id}", "body": "Where is my parcel?", "language": "en",
            "customer": {"email": f"customer{number % 50}@example.com", "name": "Sam"},
        }).encode()

    def attempt(self, external_id: str) -> tuple[int | None, float]:
        """One POST: its status (None when no answer came) and how long to wait before
        trying again."""
        request = urllib.request.Request(  # noqa: S310 - our own local server
            self.base_url + "/api/v1/inquiries", data=self.payload(external_id), method="POST",
            headers={"Content-Type": "application/json",
                     "Authorization": f"Bearer {self.api_key}"})
        try:
            with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
                response.read()
                return int(response.status), 0.0
        except urllib.error.HTTPError as error:
            body = error.read()
            wait = retry_after(error.headers.get("Retry-After"))
            if error.code == 503 and not is_json(body):
                with self.lock:
                    self.counts().not_json_503 += 1
            return int(error.code), wait
        except (OSError, TimeoutError):
            return None, 0.5

    def send(self, external_id: str) -> None:
        give_up_at = time.monotonic() + CLIENT_GIVES_UP_AFTER
        while time.monotonic() < give_up_at and not self.aborting.is_set():
            status, wait = self.attempt(external_id)
            with self.lock:
                counts = self.counts()
                if status is None:
                    counts.connection_errors += 1
                else:
                    counts.statuses[status] += 1
                if status is not None and 200 <= status < 300:
                    counts.accepted.append(external_id)
                    return
            if status is not None and 400 <= status < 500 and status not in (408, 425, 429):
                return  # a client error is final; counted in statuses
            self.aborting.wait(wait or 1.0)
        if not self.aborting.is_set():
            with self.lock:
                self.counts().gave_up += 1


def retry_after(value: str | None) -> float:
    try:
        return max(0.2, min(30.0, float(value))) if value else 1.0
    except ValueError:
        return 1.0


def is_json(body: bytes) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


# --- the brand's helpdesk: receives the replies -------------------------------------------


class Sink(http.server.ThreadingHTTPServer):
    """The brand's webhook receiver, as the API asks one to be: a reply is shown once per
    `Idempotency-Key` (the platform sends the message id as the key, so that a repeat after a
    lost answer, e.g. a worker dying between the POST and its commit, is dropped). It counts,
    per message id in the body, the POSTs and the distinct keys."""

    daemon_threads = True

    def __init__(self) -> None:
        self.posts: Counter[int] = Counter()
        self.keys: dict[int, set[str]] = {}
        self.count_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _SinkHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/replies"

    def receive(self, body: bytes, key: str) -> None:
        try:
            message_id = int(json.loads(body)["message"]["id"])
        except (ValueError, KeyError, TypeError):
            return
        with self.count_lock:
            self.posts[message_id] += 1
            self.keys.setdefault(message_id, set()).add(key)

    def shown_twice(self) -> set[int]:
        """Messages the helpdesk showed more than once: received under two keys (or none)."""
        with self.count_lock:
            return {message_id for message_id, keys in self.keys.items()
                    if len(keys) > 1 or "" in keys}

    def redelivered(self) -> set[int]:
        """Messages POSTed again under the same key: dropped by the helpdesk, counted apart."""
        with self.count_lock:
            return {message_id for message_id, count in self.posts.items()
                    if count > len(self.keys[message_id])}


class _SinkHandler(http.server.BaseHTTPRequestHandler):
    server: Sink

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.server.receive(self.rfile.read(length), self.headers.get("Idempotency-Key") or "")
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return None


# --- the runner ----------------------------------------------------------------------------


@dataclass
class Row:
    fault: str
    sent: int = 0
    lost: int = 0
    double_assigned: int = 0
    over_capacity: int = 0
    double_billed: int = 0
    replies_twice: int = 0
    errors_500: int = 0
    errors_503: int = 0
    recover_s: float | None = None
    unbilled: int = 0
    returned_to_brand: int = 0
    redelivered: int = 0
    """Replies POSTed again under the same Idempotency-Key (the helpdesk drops the repeat)."""
    connection_errors: int = 0
    gave_up: int = 0
    details: dict[str, Any] = field(default_factory=dict)
    """What happened to the inquiries and replies behind a broken invariant."""

    def violations(self) -> list[str]:
        names = ["lost", "double_assigned", "over_capacity", "double_billed", "replies_twice",
                 "errors_500", "unbilled", "gave_up"]
        broken = [name for name in names if getattr(self, name)]
        if self.recover_s is None:
            broken.append("did not recover")
        return broken


HEADERS = ("fault", "inquiries sent", "lost", "double-assigned", "over capacity",
           "double-billed", "replies twice", "500s", "503s", "time to recover (s)")


def table(rows: list[Row]) -> str:
    lines = [HEADERS]
    for row in rows:
        recover = "-" if row.recover_s is None else f"{row.recover_s:.1f}"
        lines.append((row.fault, str(row.sent), str(row.lost), str(row.double_assigned),
                      str(row.over_capacity), str(row.double_billed), str(row.replies_twice),
                      str(row.errors_500), str(row.errors_503), recover))
    widths = [max(len(line[column]) for line in lines) for column in range(len(HEADERS))]
    out = [" | ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
           for line in lines]
    out.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(out)


class Say:
    """Progress on the console; the processes' own output goes to the log file."""

    def __init__(self, console: IO[str], log: IO[str]) -> None:
        self.console, self.log = console, log
        self.started = time.monotonic()

    def __call__(self, message: str) -> None:
        line = f"[faults {time.monotonic() - self.started:6.1f} s] {message}"
        print(line, file=self.console, flush=True)
        print(line, file=self.log, flush=True)


class Supervisor(threading.Thread):
    """`Group.supervise` every 0.1 s, as `make run`'s main loop does."""

    def __init__(self, group: Group) -> None:
        super().__init__(daemon=True, name="supervisor")
        self.group = group
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(0.1):
            self.group.supervise()

    def finish(self) -> None:
        self.stopping.set()
        self.join(timeout=10)


def _http_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:  # noqa: S310 - localhost
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return None


@contextmanager
def embedded_servers(directory: Path) -> Iterator[tuple[EmbeddedPostgres, EmbeddedRedis]]:
    postgres = EmbeddedPostgres(directory / "postgres")
    redis_server = EmbeddedRedis(directory / "redis")
    try:
        postgres.start()
        redis_server.start()
        yield postgres, redis_server
    finally:
        redis_server.stop()
        postgres.stop()


class Run:
    def __init__(self, options: argparse.Namespace, say: Say, out: Path) -> None:
        self.options, self.say, self.out = options, say, out
        self.rows: list[Row] = []
        self.worst_over_capacity: Counter[str] = Counter()

    def main(self, stack: ExitStack) -> list[Row]:
        directory = Path(tempfile.mkdtemp(prefix="shiftline-faults-"))
        directory.chmod(0o755)  # as root, the wheel runs PostgreSQL as a user of its own
        stack.callback(shutil.rmtree, directory, ignore_errors=True)
        postgres, redis_server = stack.enter_context(embedded_servers(directory))
        self.postgres, self.redis_server = postgres, redis_server
        port = _free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        env = dict(os.environ, DATABASE_URL=postgres.url("shiftline"),
                   REDIS_URL=redis_server.url(), REDIS_KEY_PREFIX=KEY_PREFIX,
                   DJANGO_SETTINGS_MODULE="marketplace.settings.test", PYTHONUNBUFFERED="1",
                   UVICORN_HOST="127.0.0.1", UVICORN_PORT=str(port))
        self.env = env
        self.say(f"embedded PostgreSQL and Redis in {directory}; migrating")
        subprocess.run(local_command(["python", "manage.py", "migrate", "--noinput",  # noqa: S603
                                      "-v", "0"]), cwd=ROOT, env=env, check=True,
                       stdout=sys.stdout, stderr=subprocess.STDOUT)  # the log file
        os.environ.update(env)
        import django

        django.setup()
        from marketplace.devstack import fault_world

        self.world_module = fault_world
        sink = Sink()
        threading.Thread(target=sink.serve_forever, daemon=True, name="sink").start()
        stack.callback(sink.shutdown)
        self.sink = sink
        world = fault_world.seed(experts=self.options.experts, webhook_url=sink.url)
        self.world = world
        self.say(f"seeded queue {world.queue_id} with {len(world.experts)} experts on shift; "
                 "starting the processes of process_list.py under the supervisor")
        self.group = Group(children(), backoff=Backoff(), log=self.say)
        self.group.start(env)
        stack.callback(self.group.stop)
        supervisor = Supervisor(self.group)
        supervisor.start()
        stack.callback(supervisor.finish)
        self._wait_ready()
        desks = [fault_world.ExpertDesk(dict(list(world.experts.items())[number::2]))
                 for number in range(2)]
        for desk in desks:
            desk.start()
            stack.callback(desk.finish)
        client = Client(self.base_url, world.api_key, self.options.rate)
        self.client = client
        stack.callback(client.abort)  # after a normal stop, a no-op
        sampler = threading.Thread(target=self._sample, daemon=True, name="sampler")
        self.sampling = threading.Event()
        client.start()
        sampler.start()
        self.say(f"stream of {self.options.rate:g} inquiries/s flowing; warming up")
        time.sleep(self.options.warm_up)
        for fault in self.options.faults:
            self.rows.append(self._fault(fault))
        self.say("faults done; stopping the stream and letting the last inquiries through")
        client.stop()
        self._drain()
        self.sampling.set()
        sampler.join(timeout=5)
        for desk in desks:
            desk.finish()
            if desk.errors:
                raise RuntimeError(f"a simulated expert failed: {desk.errors[0]!r}")
        rows = [self._check(row) for row in self.rows]
        self._stop_platform()
        return rows

    def _stop_platform(self) -> None:
        subprocess.run(local_command(["celery", "-A", "marketplace", "purge", "-f", "-Q",  # noqa: S603
                                      "routing,default"]), cwd=ROOT, env=self.env, check=False,
                       capture_output=True)

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + RECOVER_WITHIN
        while _http_status(self.base_url + "/readyz") != 200:
            if time.monotonic() > deadline:
                raise RuntimeError(f"/readyz not 200 within {RECOVER_WITHIN:g} s; see the log")
            time.sleep(0.5)
        self.say("/readyz answers 200")

    def _sample(self) -> None:
        from django.db import DatabaseError, connections

        while not self.sampling.wait(1.0):
            try:
                over = self.world_module.experts_over_capacity()
            except DatabaseError:
                connections.close_all()
                continue
            phase = self.client.phase
            self.worst_over_capacity[phase] = max(self.worst_over_capacity[phase], over)
        connections.close_all()

    # -- one fault ------------------------------------------------------------------------

    def _fault(self, fault: str) -> Row:
        self.client.phase = fault
        row = Row(fault)
        self.say(f"fault: {fault}")
        started = time.monotonic()
        restarts_before = {name: self.group.restarts(name) for name in KILLS.values()}
        if fault in KILLS:
            child = next(child for child in self.group.children if child.name == KILLS[fault])
            assert child.process is not None
            os.kill(child.process.pid, signal.SIGKILL)  # the main process only
            self.say(f"SIGKILL sent to {fault}'s main process (pid {child.process.pid})")
            ended = time.monotonic()
        elif fault == "redis":
            self.redis_server.stop()
            self.say(f"Redis stopped for {self.options.outage:g} s")
            time.sleep(self.options.outage)
            self.redis_server.start()
            ended = time.monotonic()
            self.say("Redis started again")
        elif fault == "postgres":
            self.postgres.stop()
            self.say(f"PostgreSQL stopped for {self.options.outage:g} s")
            time.sleep(self.options.outage)
            self.postgres.restart()
            ended = time.monotonic()
            self.say("PostgreSQL started again")
        else:
            raise ValueError(f"unknown fault {fault}")
        row.recover_s = self._recover(fault, ended, started, restarts_before)
        if row.recover_s is None:
            self.say(f"{fault}: not recovered within {RECOVER_WITHIN:g} s")
        else:
            self.say(f"{fault}: recovered {row.recover_s:.1f} s after the fault ended")
        time.sleep(self.options.settle)
        return row

    def _recover(self, fault: str, ended: float, started: float,
                 restarts_before: dict[str, int]) -> float | None:
        """Seconds from the end of the fault (the kill, or the server started again) until
        /readyz is 200, an inquiry first sent after it has been offered, the killed process
        runs again and, after beat's, the new beat holds the beat lock (sends the schedule)."""
        deadline = ended + RECOVER_WITHIN
        while time.monotonic() < deadline:
            if self._recovered(fault, ended, restarts_before):
                return round(time.monotonic() - ended, 1)
            time.sleep(0.25)
        return None

    def _recovered(self, fault: str, ended: float, restarts_before: dict[str, int]) -> bool:
        from django.db import DatabaseError, connections

        if fault in KILLS:
            name = KILLS[fault]
            child = next(child for child in self.group.children if child.name == name)
            if self.group.restarts(name) <= restarts_before[name] or not child.running():
                return False
        if fault == "beat" and not self._beat_sends(child.process.pid if child.process else 0):
            return False
        if _http_status(self.base_url + "/readyz") != 200:
            return False
        with self.client.lock:
            after = [key for key, at in self.client.first_sent.items() if at > ended]
        if not after:
            return False
        try:
            return bool(self.world_module.offered_any(self.world.queue_id, after))
        except DatabaseError:
            connections.close_all()
            return False

    def _beat_sends(self, pid: int) -> bool:
        """Whether the beat process `pid` holds the beat lock, so sends the schedule
        (marketplace/infra/beat_lock.py: the lock's token is host:pid:random)."""
        client = redis.Redis.from_url(self.env["REDIS_URL"], socket_timeout=2)
        try:
            token = client.get(f"{KEY_PREFIX}:beat-lock")
        except redis.RedisError:
            return False
        finally:
            client.close()
        if isinstance(token, bytes):
            token = token.decode()
        return token is not None and str(token).split(":")[1:2] == [str(pid)]

    # -- the end ----------------------------------------------------------------------------

    def _accepted(self) -> list[str]:
        return [key for counts in self.client.phases.values() for key in counts.accepted]

    def _drain(self) -> None:
        world = self.world_module
        deadline = time.monotonic() + DRAIN_WITHIN
        while time.monotonic() < deadline:
            ids = world.inquiry_ids(self.world.queue_id, self._accepted()).values()
            left = world.unsettled(ids)
            if not left:
                self.say("every accepted inquiry is resolved or back with the brand")
                return
            time.sleep(1.0)
        self.say(f"{left} accepted inquiries still open after {DRAIN_WITHIN:g} s")

    def _check(self, row: Row) -> Row:
        world = self.world_module
        counts = self.client.counts(row.fault)
        ids = list(world.inquiry_ids(self.world.queue_id, counts.accepted).values())
        row.sent = len(counts.sent)
        lost = world.lost(self.world.queue_id, counts.accepted)
        row.lost = len(lost)
        if lost:
            row.details["lost"] = world.describe(self.world.queue_id, lost)
        row.double_assigned = world.double_assigned(ids)
        row.over_capacity = self.worst_over_capacity[row.fault]
        row.double_billed = world.double_billed(ids)
        row.unbilled = world.unbilled(ids)
        row.returned_to_brand = world.returned_to_brand(ids)
        from marketplace.inquiries.models import Message

        message_ids = set(Message.objects.filter(inquiry_id__in=ids).values_list("pk", flat=True))
        logged_twice = world.replies_delivered_twice(ids)
        shown_twice = self.sink.shown_twice() & message_ids
        redelivered = self.sink.redelivered() & message_ids
        row.replies_twice = len(logged_twice | shown_twice)
        row.redelivered = len(redelivered)
        if row.replies_twice or redelivered:
            row.details["replies"] = {
                "delivered_twice_by_the_log": sorted(logged_twice),
                "shown_twice_by_the_helpdesk": sorted(shown_twice),
                "posted_again_under_the_same_key": sorted(redelivered),
                "deliveries": world.describe_deliveries(logged_twice | shown_twice
                                                        | redelivered)}
        row.errors_500 = counts.server_errors
        row.errors_503 = counts.statuses.get(503, 0)
        row.connection_errors = counts.connection_errors
        row.gave_up = counts.gave_up
        return row


def run(options: argparse.Namespace) -> tuple[list[Row], float]:
    started = time.monotonic()
    out = options.out
    out.mkdir(parents=True, exist_ok=True)
    console, errors = sys.stdout, sys.stderr
    # Left open: loggers that captured it (the embedded PostgreSQL's, at exit) still write.
    log = (out / "processes.log").open("w")
    with ExitStack() as stack:
        say = Say(console, log)
        # The supervised processes' output (processes.py pumps it to stdout) and this process's
        # own logging (a send to a stopped Redis is logged, not raised) go to the log file.
        sys.stdout = sys.stderr = log
        try:
            rows = Run(options, say, out).main(stack)
        finally:
            ignore_signals()  # a second Ctrl-C does not cut the clean-up short
            with contextlib.suppress(Exception):
                stack.close()
            sys.stdout, sys.stderr = console, errors
    seconds = time.monotonic() - started
    (out / "summary.json").write_text(json.dumps(
        {"rows": [asdict(row) for row in rows], "seconds": round(seconds, 1),
         "outage_s": options.outage, "rate_per_s": options.rate}, indent=2) + "\n")
    return rows, seconds


def parse(arguments: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--outage", type=float, default=20.0,
                        help="seconds Redis and PostgreSQL stay stopped (20)")
    parser.add_argument("--faults", type=lambda text: [part for part in text.split(",") if part],
                        default=list(ALL_FAULTS), help="comma-separated, in order: "
                        + ",".join(ALL_FAULTS))
    parser.add_argument("--rate", type=float, default=3.0, help="inquiries a second (3)")
    parser.add_argument("--experts", type=int, default=8)
    parser.add_argument("--out", type=Path, default=VAR / "faults",
                        help="where summary.json and processes.log go (var/faults)")
    parser.add_argument("--warm-up", type=float, default=5.0)
    parser.add_argument("--settle", type=float, default=5.0,
                        help="seconds of steady stream after each recovery (5)")
    options = parser.parse_args(arguments)
    unknown = [fault for fault in options.faults if fault not in ALL_FAULTS]
    if unknown:
        parser.error(f"unknown faults {unknown}; choose from {','.join(ALL_FAULTS)}")
    return options


def main(arguments: list[str]) -> int:
    options = parse(arguments)
    stop_on_signals()  # SIGTERM or Ctrl-C: every process and server of the run is stopped
    try:
        rows, seconds = run(options)
    except Stop as stop:
        print(f"Received {stop}; stopped.", file=sys.stderr, flush=True)
        return 130
    print("\n" + table(rows), flush=True)
    broken = {row.fault: row.violations() for row in rows if row.violations()}
    extra = "; ".join(f"{row.fault}: {row.connection_errors} attempts refused or timed out, "
                      f"{row.returned_to_brand} handed back to the brand, {row.redelivered} "
                      f"replies posted again under the same Idempotency-Key, {row.unbilled} "
                      "unbilled" for row in rows)
    print(f"\nmake faults: {len(rows)} faults, {seconds:.1f} s wall time, outages "
          f"{options.outage:g} s. Also seen: {extra}.", flush=True)
    for row in rows:
        if row.details:
            print(f"{row.fault}: {json.dumps(row.details, default=str)}", flush=True)
    if broken:
        print(f"Invariants broken: {broken}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


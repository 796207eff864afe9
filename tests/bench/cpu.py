"""Per-process CPU accounting for the benchmarks: who used the machine's cores during a run.

Read from /proc (user plus system time of each process, all its threads), so it needs Linux.
PostgreSQL is counted as the backends connected to the benchmark's database (the server is
shared with other work on the machine); Redis as its whole server process (shared too, so an
upper bound); the machine's total busy time from /proc/stat, whose rest is everyone else."""

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection

TICK = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds of one process so far; 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def machine_busy_seconds() -> float:
    """CPU seconds every core spent on anything but idle and I/O wait, since boot."""
    values = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values[:8]
    return (user + nice + system + irq + softirq + steal) / TICK


def _reaped_children_seconds() -> float:
    times = os.times()
    return times.children_user + times.children_system


def database_backend_pids() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        return [pid for (pid,) in cursor.fetchall()]


def descendants(pid: int) -> list[int]:
    """Every live process below `pid`."""
    found: list[int] = []
    pending = [pid]
    while pending:
        parent = pending.pop()
        try:
            tasks = list(Path(f"/proc/{parent}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                children = [int(child) for child in (task / "children").read_text().split()]
            except OSError:
                continue
            found.extend(children)
            pending.extend(children)
    return found


def descendants_running(word: str) -> list[int]:
    """This process's descendants whose command line contains `word`."""
    pids = []
    for pid in descendants(os.getpid()):
        try:
            if word in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
                pids.append(pid)
        except OSError:
            continue
    return pids


def pids_named(name: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


@dataclass
class CpuAccount:
    """CPU seconds per named group of processes between `start` and `stop`. Each group is a
    function giving its pids, asked at both ends (a process that appears meanwhile counts
    from zero)."""

    groups: dict[str, Callable[[], Iterable[int]]]
    started: dict[str, dict[int, float]] = field(default_factory=dict)
    machine_started: float = 0.0
    seconds: dict[str, float] = field(default_factory=dict)
    machine_seconds: float = 0.0
    reaped_into: str | None = None
    """The group that also gets the CPU of this process's children that ended meanwhile (the
    load generator's client processes)."""
    reaped_started: float = 0.0

    def start(self) -> None:
        self.started = {name: {pid: process_cpu_seconds(pid) for pid in pids()}
                        for name, pids in self.groups.items()}
        self.machine_started = machine_busy_seconds()
        self.reaped_started = _reaped_children_seconds()

    def stop(self) -> None:
        self.machine_seconds = machine_busy_seconds() - self.machine_started
        self.seconds = {
            name: sum(max(0.0, process_cpu_seconds(pid) - self.started[name].get(pid, 0.0))
                      for pid in set(pids()))
            for name, pids in self.groups.items()}
        if self.reaped_into is not None:
            self.seconds[self.reaped_into] += _reaped_children_seconds() - self.reaped_started

    def add(self, other: "CpuAccount") -> None:
        """Adds another measured interval of the same groups (interleaved runs)."""
        for name, value in other.seconds.items():
            self.seconds[name] = self.seconds.get(name, 0.0) + value
        self.machine_seconds += other.machine_seconds

    def report(self) -> dict[str, object]:
        """Seconds per group, the rest of the machine's busy time, and each as a share of it."""
        rest = max(0.0, self.machine_seconds - sum(self.seconds.values()))
        seconds = {**self.seconds, "everything else on the machine": rest}
        busy = self.machine_seconds or 1.0
        return {"busy_cpu_seconds": round(self.machine_seconds, 2),
                "cpu_seconds": {name: round(value, 2) for name, value in seconds.items()},
                "cpu_share": {name: round(value / busy, 3) for name, value in seconds.items()}}

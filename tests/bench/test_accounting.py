"""The benchmarks' own bookkeeping: the per-process CPU accounting (tests/bench/cpu.py) that
shows who used the cores during a run, and bench b's split of a routed inquiry's time into
stages. Fast, no database."""

import os
import subprocess
import sys
import time
from datetime import UTC, datetime

from tests.bench.cpu import CpuAccount, descendants, process_cpu_seconds
from tests.bench.pipeline import STAGES, stages

BURN = "import time\nend = time.process_time() + 0.4\nwhile time.process_time() < end: pass\n"


def test_a_busy_child_is_charged_its_cpu_and_an_idle_group_nothing() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        account = CpuAccount({"sleeper": lambda: [child.pid],
                              "this process": lambda: [os.getpid()]},
                             reaped_into="this process")
        account.start()
        subprocess.run([sys.executable, "-c", BURN], check=True)  # reaped: this process's
        account.stop()
        report = account.report()
    finally:
        child.kill()
        child.wait()

    seconds, shares = report["cpu_seconds"], report["cpu_share"]
    assert isinstance(seconds, dict) and isinstance(shares, dict)
    assert seconds["sleeper"] < 0.05
    assert 0.35 <= seconds["this process"] <= 2.0  # the burner, plus this process's own
    assert set(seconds) == {"sleeper", "this process", "everything else on the machine"}
    assert report["busy_cpu_seconds"] >= seconds["this process"] - 0.05


def test_intervals_add_up_and_shares_are_of_the_machines_busy_time() -> None:
    first = CpuAccount({"a": list}, seconds={"a": 1.0}, machine_seconds=4.0)
    first.add(CpuAccount({"a": list}, seconds={"a": 2.0}, machine_seconds=6.0))

    report = first.report()

    assert report["cpu_seconds"] == {"a": 3.0, "everything else on the machine": 7.0}
    assert report["cpu_share"] == {"a": 0.3, "everything else on the machine": 0.7}


def test_a_process_that_ends_counts_for_nothing_and_descendants_are_found() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert child.pid in descendants(os.getpid())
    finally:
        child.kill()
        child.wait()
    time.sleep(0.05)
    assert process_cpu_seconds(child.pid) == 0.0


def test_a_routed_inquirys_time_is_split_into_web_queue_and_decision_to_frame() -> None:
    at = datetime(2026, 12, 2, 1, 0, tzinfo=UTC).timestamp()
    clock = {"m1": (at, at + 0.030, at + 0.200), "m2": (at, at + 0.010, at + 0.100),
             "unrouted": (at, at + 0.010, at + 0.050)}
    decided = {"m1": (datetime.fromtimestamp(at + 0.020, UTC),
                      datetime.fromtimestamp(at + 0.150, UTC)),
               "m2": (datetime.fromtimestamp(at + 0.005, UTC),
                      datetime.fromtimestamp(at + 0.025, UTC))}

    split = stages(clock, decided)

    web, queue, frame = (split[stage] for stage in STAGES)
    assert (web.sent, web.received, web.max_ms) == (3, 2, 30.0)
    assert queue.max_ms == 130.0
    assert frame.max_ms == 75.0
    assert round(queue.p50_ms) == 75

"""`make run`'s supervisor with real processes: a child killed with SIGKILL comes back after
the backoff while the others run on untouched, and SIGTERM to the supervisor stops them all."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from marketplace.devstack.processes import Backoff, Child, Group

# Writes its pid to the file named by argv[1] once running, then idles.
DUMMY = ("import os, sys, time\n"
         "open(sys.argv[1] + '.tmp', 'w').write(str(os.getpid()))\n"
         "os.replace(sys.argv[1] + '.tmp', sys.argv[1])\n"
         "while True: time.sleep(0.05)\n")


def dummy(name: str, directory: Path) -> Child:
    return Child(name, [sys.executable, "-c", DUMMY, str(directory / f"{name}.pid")])


def running_pid(directory: Path, name: str) -> int | None:
    """The pid the child wrote once it ran, if that process is alive."""
    try:
        pid = int((directory / f"{name}.pid").read_text())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    return pid


def wait_for(condition, timeout: float = 20.0, tick=None):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if tick is not None:
            tick()
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("timed out")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_backoff_doubles_from_one_second_to_thirty() -> None:
    backoff = Backoff()
    assert [backoff.delay(restart) for restart in range(1, 9)] == [1, 2, 4, 8, 16, 30, 30, 30]


def test_backoff_schedule_is_configurable() -> None:
    backoff = Backoff(first=0.5, factor=3, limit=5)
    assert [backoff.delay(restart) for restart in range(1, 5)] == [0.5, 1.5, 4.5, 5]


def test_killed_child_is_restarted_after_the_backoff_and_others_are_untouched(
        tmp_path: Path) -> None:
    lines: list[str] = []
    group = Group([dummy("web", tmp_path), dummy("routing-worker", tmp_path),
                   dummy("beat", tmp_path)], log=lines.append)
    group.start(dict(os.environ))
    try:
        pids = {name: wait_for(lambda name=name: running_pid(tmp_path, name))
                for name in ("web", "routing-worker", "beat")}
        killed_at = time.monotonic()
        os.kill(pids["routing-worker"], signal.SIGKILL)
        new_pid = wait_for(lambda: (pid := running_pid(tmp_path, "routing-worker"))
                           and pid != pids["routing-worker"] and pid, tick=group.supervise)
        latency = time.monotonic() - killed_at
        print(f"restart latency (kill to running again): {latency:.2f} s")
        assert lines[0] == "routing-worker exited with code -9; restarting in 1 s (restart 1)"
        assert 1.0 <= latency < 10
        assert new_pid != pids["routing-worker"]
        assert running_pid(tmp_path, "web") == pids["web"]
        assert running_pid(tmp_path, "beat") == pids["beat"]
        assert group.restarts("routing-worker") == 1
        assert group.restarts("web") == 0

        # A second death in a row waits twice as long.
        os.kill(new_pid, signal.SIGKILL)
        wait_for(lambda: len(lines) == 2, tick=group.supervise)
        assert lines[1] == "routing-worker exited with code -9; restarting in 2 s (restart 2)"
    finally:
        group.stop(grace=5)


def test_a_child_that_ran_stably_starts_the_backoff_over(tmp_path: Path) -> None:
    lines: list[str] = []
    group = Group([dummy("worker", tmp_path)], log=lines.append,
                  backoff=Backoff(first=0.2, stable_after=1.0))
    group.start(dict(os.environ))
    try:
        for expected in ("0.2", "0.4"):
            pid = wait_for(lambda: running_pid(tmp_path, "worker"), tick=group.supervise)
            os.kill(pid, signal.SIGKILL)
            wait_for(lambda expected=expected: lines and f"in {expected} s" in lines[-1],
                     tick=group.supervise)
            (tmp_path / "worker.pid").unlink()
        pid = wait_for(lambda: running_pid(tmp_path, "worker"), tick=group.supervise)
        time.sleep(1.2)  # runs stably
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: len(lines) == 3, tick=group.supervise)
        assert "restarting in 0.2 s (restart 3)" in lines[2]
    finally:
        group.stop(grace=5)


SUPERVISOR = textwrap.dedent("""
    import sys
    from pathlib import Path
    from marketplace.devstack.processes import Child, Group, Stop, ignore_signals, stop_on_signals
    sys.path.insert(0, {tests!r})
    from test_supervision import dummy

    stop_on_signals()
    directory = Path(sys.argv[1])
    group = Group([dummy(name, directory) for name in ("web", "worker", "beat")])
    try:
        group.start(dict(__import__("os").environ))
        group.run()
    except Stop:
        print("stopping", flush=True)
    finally:
        ignore_signals()
        group.stop(grace=5)
""")


def test_sigterm_stops_every_child(tmp_path: Path) -> None:
    code = SUPERVISOR.format(tests=str(Path(__file__).parent))
    root = Path(__file__).resolve().parents[3]
    supervisor = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], cwd=root,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        pids = [wait_for(lambda name=name: running_pid(tmp_path, name))
                for name in ("web", "worker", "beat")]
        os.kill(pids[1], signal.SIGKILL)  # a death alone does not stop the group
        time.sleep(0.3)
        assert supervisor.poll() is None
        assert alive(pids[0]) and alive(pids[2])
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=15) == 0
        output = supervisor.stdout.read().decode() if supervisor.stdout else ""
        assert "worker exited with code -9; restarting in 1 s" in output
        assert "stopping" in output
        wait_for(lambda: not any(alive(pid) for pid in pids), timeout=5)
        leftover = running_pid(tmp_path, "worker")
        assert leftover is None or not alive(leftover)
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()

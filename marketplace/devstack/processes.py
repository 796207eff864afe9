"""Supervised child processes with prefixed output.

A `Group` restarts a member that dies, after an exponential backoff (`Backoff`), with a log line,
and stops every member only when asked (`stop`, on Ctrl-C or SIGTERM in `make run`). Members are
`Child` processes, or `Watched` servers that run on their own (the embedded PostgreSQL and
Redis) and are restarted through their own start method."""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType
from typing import IO, Protocol

COLOURS = ["\033[36m", "\033[33m", "\033[35m", "\033[32m", "\033[34m"]
RESET = "\033[0m"


class Stop(Exception):
    """Raised in the main thread by SIGINT / SIGTERM (see `stop_on_signals`)."""


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise Stop(signal.Signals(signum).name)


def stop_on_signals() -> None:
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)


def ignore_signals() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


@dataclass(frozen=True)
class Backoff:
    """Delay before a restart: `first` seconds, times `factor` for each further restart in a
    row, at most `limit`. A member that ran `stable_after` seconds before dying starts over."""

    first: float = 1.0
    factor: float = 2.0
    limit: float = 30.0
    stable_after: float = 60.0

    def delay(self, restart: int) -> float:
        """Seconds to wait before restart number `restart` (1 for the first) of a streak."""
        return float(min(self.limit, self.first * self.factor ** max(0, restart - 1)))


class Member(Protocol):
    name: str

    def launch(self, env: dict[str, str], label: str) -> None: ...

    def running(self) -> bool: ...

    def exit_code(self) -> int | None: ...

    def signal_group(self, number: int) -> None: ...

    def wait(self, timeout: float) -> None: ...


@dataclass
class Child:
    name: str
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    colour: str = ""
    pump: threading.Thread | None = field(default=None, repr=False)
    env: dict[str, str] = field(default_factory=dict)
    """Set for this process only, over the shared environment."""

    def launch(self, env: dict[str, str], label: str) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own commands
            self.command, env={**env, **self.env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        assert self.process.stdout is not None
        self.pump = threading.Thread(target=_pump, args=(self.process.stdout, label),
                                     daemon=True)
        self.pump.start()

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def exit_code(self) -> int | None:
        return self.process.returncode if self.process is not None else None

    def signal_group(self, number: int) -> None:
        """Signal the child's whole process group (its own pool processes too)."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, number)

    def wait(self, timeout: float) -> None:
        if self.process is not None:
            self.process.wait(timeout=timeout)


@dataclass
class Watched:
    """A server that runs on its own: `start` (re)starts it and waits until it answers,
    `alive` tells whether it still runs. Stopped by whoever started it, not by the group."""

    name: str
    start: Callable[[], object]
    alive: Callable[[], bool]

    def launch(self, env: dict[str, str], label: str) -> None:
        self.start()

    def running(self) -> bool:
        return self.alive()

    def exit_code(self) -> int | None:
        return None

    def signal_group(self, number: int) -> None:
        return None

    def wait(self, timeout: float) -> None:
        return None


def _pump(stream: IO[bytes], label: str) -> None:
    for line in iter(stream.readline, b""):
        sys.stdout.write(label + line.decode(errors="replace"))
        sys.stdout.flush()


@dataclass
class _State:
    started_at: float = 0.0
    streak: int = 0
    restarts: int = 0
    restart_at: float | None = None


class Group:
    def __init__(self, children: list[Child], *, watched: list[Watched] | None = None,
                 backoff: Backoff | None = None,
                 log: Callable[[str], None] | None = None) -> None:
        self.children = children
        self.members: list[Member] = [*(watched or []), *children]
        self.backoff = backoff or Backoff()
        self.log = log or _log
        self.states = {member.name: _State() for member in self.members}
        self.width = max(len(member.name) for member in self.members)
        self.env: dict[str, str] = {}
        colour = sys.stdout.isatty()
        for index, child in enumerate(children):
            child.colour = COLOURS[index % len(COLOURS)] if colour else ""

    def _label(self, member: Member) -> str:
        colour = getattr(member, "colour", "")
        return f"{colour}{member.name:<{self.width}} |{RESET if colour else ''} "

    def start(self, env: dict[str, str]) -> None:
        """Start the children (watched servers are already running)."""
        self.env = env
        now = time.monotonic()
        for child in self.children:
            child.launch(env, self._label(child))
            self.states[child.name].started_at = now
        for member in self.members:
            self.states[member.name].started_at = now

    def restarts(self, name: str) -> int:
        return self.states[name].restarts

    def supervise(self) -> None:
        """One look at every member: schedule a restart for one that died, restart those due."""
        for member in self.members:
            state = self.states[member.name]
            now = time.monotonic()
            if state.restart_at is None:
                if member.running():
                    continue
                if now - state.started_at >= self.backoff.stable_after:
                    state.streak = 0
                code = member.exit_code()
                why = "is not running" if code is None else f"exited with code {code}"
                self._schedule(member, state, now, why)
            elif now >= state.restart_at:
                member.signal_group(signal.SIGKILL)  # what is left of the old process group
                state.restart_at = None
                state.started_at = now
                try:
                    member.launch(self.env, self._label(member))
                except (OSError, RuntimeError, subprocess.SubprocessError) as error:
                    self._schedule(member, state, now, f"did not start ({error})")
                    continue
                state.restarts += 1

    def _schedule(self, member: Member, state: _State, now: float, why: str) -> None:
        state.streak += 1
        delay = self.backoff.delay(state.streak)
        state.restart_at = now + delay
        self.log(f"{member.name} {why}; restarting in {delay:g} s "
                 f"(restart {state.restarts + 1})")

    def run(self, tick: float = 0.1) -> None:
        """Supervise until `Stop` (a signal) is raised; the caller then calls `stop`."""
        while True:
            self.supervise()
            time.sleep(tick)

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM to every child's process group, then SIGKILL to what is left after `grace`."""
        for state in self.states.values():
            state.restart_at = None
        for child in self.children:
            child.signal_group(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for child in self.children:
            if child.process is None:
                continue
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.signal_group(signal.SIGKILL)
                child.wait(timeout=5)
            child.signal_group(signal.SIGKILL)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)

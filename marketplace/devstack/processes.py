"""Child processes with prefixed output, stopped together as a group."""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import IO

COLOURS = ["\033[36m", "\033[33m", "\033[35m", "\033[32m", "\033[34m"]
RESET = "\033[0m"


@dataclass
class Child:
    name: str
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    colour: str = ""
    pump: threading.Thread | None = field(default=None, repr=False)
    env: dict[str, str] = field(default_factory=dict)
    """Set for this process only, over the shared environment."""

    def start(self, env: dict[str, str], width: int) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own commands
            self.command, env={**env, **self.env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        label = f"{self.colour}{self.name:<{width}} |{RESET if self.colour else ''} "
        assert self.process.stdout is not None
        self.pump = threading.Thread(target=_pump, args=(self.process.stdout, label),
                                     daemon=True)
        self.pump.start()

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal_group(self, number: int) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, number)


def _pump(stream: IO[bytes], label: str) -> None:
    for line in iter(stream.readline, b""):
        sys.stdout.write(label + line.decode(errors="replace"))
        sys.stdout.flush()


class Group:
    def __init__(self, children: list[Child]) -> None:
        self.children = children
        colour = sys.stdout.isatty()
        for index, child in enumerate(children):
            child.colour = COLOURS[index % len(COLOURS)] if colour else ""

    def start(self, env: dict[str, str]) -> None:
        width = max(len(child.name) for child in self.children)
        for child in self.children:
            child.start(env, width)

    def first_exited(self) -> Child | None:
        return next((child for child in self.children if not child.running()), None)

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM to every process group, then SIGKILL to what is left after `grace`."""
        for child in self.children:
            child.signal_group(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for child in self.children:
            if child.process is None:
                continue
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.signal_group(signal.SIGKILL)
                child.process.wait(timeout=5)
            child.signal_group(signal.SIGKILL)

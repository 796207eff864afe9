"""Helpers for race tests: force the worst interleaving, then run the contenders in threads."""

import contextlib
import functools
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import close_old_connections, connections


def pause_after(monkeypatch: pytest.MonkeyPatch, owner: object, name: str,
                barrier: threading.Barrier) -> None:
    """Replace `owner.name` so that each caller, after the real read, waits until every
    contender has read too: the interleaving in which a check-then-act race would bite. A broken
    barrier (a contender that never reaches the read) lets the others go on."""
    read = getattr(owner, name)

    @functools.wraps(read)
    def read_then_pause(*args: Any, **kwargs: Any) -> Any:
        result = read(*args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        return result

    monkeypatch.setattr(owner, name, read_then_pause)


def run_in_threads(jobs: list[Callable[[], object]], *, timeout: float = 60
                   ) -> list[BaseException]:
    """Run each job in its own thread with its own database connection; returns the errors."""
    errors: list[BaseException] = []

    def run(job: Callable[[], object]) -> None:
        try:
            job()
        except BaseException as error:
            errors.append(error)
        finally:
            close_old_connections()
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return errors

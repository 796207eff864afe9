"""Work that must follow a commit (a Celery task, a live push) and must not undo it: run once the
surrounding transaction commits, at once outside one, and a failure is logged, never raised,
because the data is saved by then and the caller is owed its answer."""


from collections.abc import Callable

from django.db import transaction


def run_after_commit(name: str, action: Callable[[], object]) -> None:
    """Runs `action` after commit; a failure is logged as "Error calling <name> in on_commit()"."""

    def named() -> None:
        action()

    # Django names the failed callable by its __qualname__ when it logs; partial() has none.
    named.__qualname__ = name
    transaction.on_commit(named, robust=True)

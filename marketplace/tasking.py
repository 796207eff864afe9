"""Scheduling Celery tasks by name, only after the surrounding transaction commits.

Apps enqueue each other's tasks by their registered names, so no app imports another's task
module, and nothing is sent to the broker for work that was rolled back. A broker that cannot
be reached is logged, not raised: the data is committed by then, and the reconciling sweeps
pick the work up once the broker is back (an inquiry still `received` after 10 s is routed by
routing.reconcile), so the caller gets its answer instead of a 500 for work that was saved.
"""

from django.db import transaction

from marketplace.celery import app


def enqueue_on_commit(task_name: str, *args: object) -> None:
    def send() -> None:
        app.send_task(task_name, args=list(args))

    send.__qualname__ = f"enqueue {task_name}"  # what Django logs if sending fails
    transaction.on_commit(send, robust=True)

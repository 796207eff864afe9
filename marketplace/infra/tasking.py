"""Scheduling Celery tasks by name, only after the surrounding transaction commits.

Apps enqueue each other's tasks by their registered names, so no app imports another's task
module, and nothing is sent to the broker for work that was rolled back. A broker that cannot
be reached is logged, not raised: the data is committed by then, and the reconciling sweeps
pick the work up once the broker is back (an inquiry still `received` after 4 s is routed by
routing.reconcile), so the caller gets its answer instead of a 500 for work that was saved.
"""


from celery import current_app

from marketplace.infra.after_commit import run_after_commit


def enqueue_on_commit(task_name: str, *args: object) -> None:
    """No task's result is kept (settings: CELERY_TASK_IGNORE_RESULT), so the send says so too
    and Celery asks no result backend about it."""
    run_after_commit(f"enqueue {task_name}",
                     lambda: current_app.send_task(task_name, args=list(args),
                                                   ignore_result=True))

"""Scheduling Celery tasks by name, only after the surrounding transaction commits.

Apps enqueue each other's tasks by their registered names, so no app imports another's task
module, and nothing is sent to the broker for work that was rolled back.
"""

from functools import partial

from django.db import transaction

from marketplace.celery import app


def enqueue_on_commit(task_name: str, *args: object) -> None:
    transaction.on_commit(partial(app.send_task, task_name, args=list(args)))

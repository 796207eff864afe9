"""The Celery application. Routing tasks go to their own queue so slow jobs never delay them."""

import os
from functools import cached_property
from typing import Any

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.development")


class ShiftlineCelery(Celery):  # type: ignore[misc]
    """Shiftline keeps no task results (no result backend, results ignored), yet Celery builds a
    result backend object per thread that sends a task, about 1.2 ms each. Under ASGI every
    request runs in a thread of its own, so that was the largest single cost of taking an
    inquiry in (make bench, intake). The disabled backend holds no state: one per process serves
    every thread. A configured result backend keeps Celery's thread-local one."""

    @cached_property
    def _stateless_backend(self) -> Any:
        return self._get_backend()  # type: ignore[attr-defined]

    @property
    def backend(self) -> Any:
        if self.conf.result_backend:
            return super().backend
        return self._stateless_backend


app = ShiftlineCelery("shiftline")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = (Queue("routing"), Queue("default"))
# Each package with a `tasks` module; a worker registers exactly these.
app.autodiscover_tasks(["marketplace.delivery", "experts", "routing"])

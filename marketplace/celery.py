"""The Celery application. Routing tasks go to their own queue so slow jobs never delay them."""

import os

from celery import Celery
from celery.signals import before_task_publish, task_postrun, task_prerun, worker_process_init
from kombu import Queue

from marketplace.infra import health, push

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.development")

# Broker connections retry every 2 s at most while Redis is away (marketplace/infra/broker.py).
app = Celery("shiftline", amqp="marketplace.infra.broker:QuickReconnectAMQP")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = (Queue("routing"), Queue("default"))
# Each package with a `tasks` module; a worker registers exactly these.
app.autodiscover_tasks([
    "marketplace.delivery", "marketplace.health", "marketplace.privacy", "marketplace.invoicing",
    "marketplace.surveys", "marketplace.widget",
    "experts", "routing", "billing.payouts", "billing.invoices"])


@worker_process_init.connect
def keep_a_push_loop(**_: object) -> None:
    """Each worker process sends its tasks' pushes on one long-lived event loop, over a Redis
    connection that stays open (marketplace/infra/push.py)."""
    push.keep_a_process_loop()


@task_prerun.connect
def hold_the_tasks_pushes(**_: object) -> None:
    """A task's live pushes go out together when it ends (marketplace/infra/push.py says why)."""
    push.hold_pushes()


@task_postrun.connect
def send_the_tasks_pushes(**_: object) -> None:
    push.send_held_pushes()


# Every task message carries its publish time, so `/readyz` can tell the routing queue's oldest
# task's age (marketplace/infra/health.py).
before_task_publish.connect(health.stamp_enqueue_time, weak=False)

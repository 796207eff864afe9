"""The Celery application. Routing tasks go to their own queue so slow jobs never delay them."""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.development")

app = Celery("shiftline")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = (Queue("routing"), Queue("default"))
app.autodiscover_tasks()

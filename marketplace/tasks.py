"""Brand-side background work: delivering replies to customers (slow, so not on routing)."""

import smtplib

from celery import Task, shared_task
from django.utils import timezone

from marketplace import services

TRANSIENT_DELIVERY_ERRORS = (smtplib.SMTPException, OSError)


@shared_task(name="marketplace.deliver_message", bind=True, max_retries=8)
def deliver_message(task: Task, message_id: int) -> None:
    try:
        services.message_deliver(message_id=message_id, now=timezone.now())
    except TRANSIENT_DELIVERY_ERRORS as error:
        if task.request.retries >= (task.max_retries or 0):
            services.message_mark_delivery_failed(message_id=message_id)
            raise
        raise task.retry(exc=error, countdown=min(600, 5 * 2**task.request.retries)) from error

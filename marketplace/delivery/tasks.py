"""Delivery background work: replies and acknowledgements to customers (slow, so not on the
routing queue)."""


import smtplib

from celery import Task, shared_task
from django.conf import settings
from django.utils import timezone

from marketplace.delivery import services as delivery
from marketplace.inquiries.models import DeliveryStatus

MAX_DELIVERY_RETRIES = 4


@shared_task(name="marketplace.deliver_message", bind=True, max_retries=MAX_DELIVERY_RETRIES)
def deliver_message(task: Task, message_id: int) -> None:
    """One attempt per run; a transient failure retries with exponential backoff (countdowns
    stay far below the broker's visibility timeout), the last one marks the message failed."""
    final_attempt = task.request.retries >= MAX_DELIVERY_RETRIES
    message = delivery.message_deliver(message_id=message_id, now=timezone.now(),
                                       final_attempt=final_attempt)
    if message.delivery_status == DeliveryStatus.PENDING and not final_attempt:
        countdown = settings.SHIFTLINE_DELIVERY_RETRY_SECONDS * 2**task.request.retries
        raise task.retry(countdown=countdown)


@shared_task(name="marketplace.deliver_webhook_event", bind=True,
             max_retries=MAX_DELIVERY_RETRIES)
def deliver_webhook_event(task: Task, webhook_event_id: int) -> None:
    """An inquiry event to the brand's helpdesk: one attempt per run, retried with the
    replies' backoff, the last attempt marks it failed."""
    final_attempt = task.request.retries >= MAX_DELIVERY_RETRIES
    webhook_event = delivery.webhook_event_deliver(webhook_event_id=webhook_event_id,
                                                   now=timezone.now(),
                                                   final_attempt=final_attempt)
    if webhook_event.delivery_status == DeliveryStatus.PENDING and not final_attempt:
        countdown = settings.SHIFTLINE_DELIVERY_RETRY_SECONDS * 2**task.request.retries
        raise task.retry(countdown=countdown)


@shared_task(name="marketplace.send_acknowledgement", bind=True, max_retries=5)
def send_acknowledgement(task: Task, inquiry_id: int) -> None:
    try:
        delivery.inquiry_send_acknowledgement(inquiry_id=inquiry_id, now=timezone.now())
    except (smtplib.SMTPException, OSError) as error:
        raise task.retry(exc=error, countdown=30 * 2**task.request.retries) from error


@shared_task(name="marketplace.resume_stalled_deliveries")
def resume_stalled_deliveries() -> int:
    now = timezone.now()
    return (delivery.messages_resume_stalled_deliveries(now=now)
            + delivery.webhook_events_resume_stalled(now=now))

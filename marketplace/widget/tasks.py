"""The widget's background work: the transcript email."""

import smtplib

from celery import Task, shared_task
from django.utils import timezone

from marketplace.widget import services


@shared_task(name="marketplace.widget_send_transcript", bind=True, max_retries=5)
def widget_send_transcript(task: Task, conversation_id: int) -> None:
    try:
        services.widget_transcript_send(conversation_id=conversation_id, now=timezone.now())
    except (smtplib.SMTPException, OSError) as error:
        raise task.retry(exc=error, countdown=30 * 2**task.request.retries) from error

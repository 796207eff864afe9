"""Shift, presence and quality background work: take ids, call one service. On the default
queue (slow jobs), never on routing."""

import smtplib

from celery import Task, shared_task
from django.utils import timezone

from experts.attendance import services as attendance
from experts.presence import services as presence
from experts.quality import services as quality
from experts.shifts import notifications


@shared_task(name="experts.send_shift_email", bind=True, max_retries=5)
def send_shift_email(task: Task, booking_id: int, kind: str) -> bool:
    try:
        return notifications.shift_email_send(booking_id=booking_id, kind=kind)
    except (smtplib.SMTPException, OSError) as error:
        raise task.retry(exc=error, countdown=30 * 2**task.request.retries) from error


@shared_task(name="experts.sweep_shifts")
def sweep_shifts() -> dict[str, int]:
    """No-shows, shifts ended while checked in, and reminders."""
    return attendance.shifts_sweep(now=timezone.now())


@shared_task(name="experts.sweep_presence")
def sweep_presence() -> int:
    return presence.presence_sweep(now=timezone.now())


@shared_task(name="experts.sweep_quality")
def sweep_quality() -> int:
    return quality.quality_sweep(now=timezone.now())

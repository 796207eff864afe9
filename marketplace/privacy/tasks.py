"""The queues' retention, run nightly by beat (CELERY_BEAT_SCHEDULE)."""

from celery import shared_task
from django.utils import timezone

from marketplace.privacy import services as privacy


@shared_task(name="marketplace.apply_retention")
def apply_retention() -> int:
    return privacy.retention_apply(now=timezone.now())

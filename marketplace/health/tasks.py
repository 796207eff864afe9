"""The beat heartbeat: beat schedules this every HEALTH_BEAT_SECONDS; `/readyz` fails when the
last one is older than twice that (beat dead, or no worker on the default queue)."""

from celery import shared_task

from marketplace.infra import health


@shared_task(name="marketplace.beat_heartbeat", ignore_result=True)
def beat_heartbeat() -> None:
    health.record_beat_heartbeat()

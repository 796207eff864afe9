"""Bench-only Celery tasks, loaded into the benchmark's worker with `--include`: the bare
pipeline the routing figures are compared with. Never part of the running platform."""

from asgiref.sync import async_to_sync
from celery import shared_task
from channels.layers import get_channel_layer
from django.conf import settings
from redis import Redis

from marketplace.infra.push import expert_group


@shared_task(name="bench.push_noop")
def push_noop(expert_id: int, marker: int) -> None:
    """Only pushes a frame to the expert's socket: Celery plus the channel layer, no routing."""
    layer = get_channel_layer()
    assert layer is not None
    async_to_sync(layer.group_send)(expert_group(expert_id),
                                    {"type": "offer.closed", "offer_id": marker})


@shared_task(name="bench.noop_count")
def noop_count(key: str) -> None:
    """Does nothing but count itself, so the benchmark can see the worker's pace."""
    Redis.from_url(settings.REDIS_URL).incr(key)

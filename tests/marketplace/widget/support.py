"""Shared setup of the widget tests: a queue open to one site with an expert on shift now
(the API reads the real clock), and the calls as a page on that site makes them."""

from datetime import datetime
from typing import Any

from django.utils import timezone
from rest_framework.test import APIClient

from marketplace.queues.models import OverflowQueue
from tests import factories

SITE = "https://shop.example"


def open_queue(*, staffed: bool = True, now: datetime | None = None) -> OverflowQueue:
    """A queue the network covers around the clock, embeddable on SITE, with (by default)
    an expert checked in on a live shift."""
    queue = factories.queue()
    OverflowQueue.objects.filter(pk=queue.pk).update(widget_allowed_origins=[SITE])
    queue.refresh_from_db()
    if staffed:
        factories.on_shift_expert(on=queue, now=now or timezone.now())
    return queue


def client(origin: str | None = SITE, **headers: str) -> APIClient:
    api = APIClient()
    if origin is not None:
        api.credentials(HTTP_ORIGIN=origin, **headers)
    return api


def start(queue: OverflowQueue, api: APIClient | None = None, **fields: Any) -> Any:
    payload = {"name": "Sam", "email": "sam@example.com", "language": "en",
               "message": "Where is my order?", "client_id": "c-1", **fields}
    return (api or client()).post(f"/widget/api/v1/queues/{queue.widget_public_id}/"
                                  "conversations", payload, format="json")


def bearer(token: str, origin: str = SITE) -> APIClient:
    return client(origin, HTTP_AUTHORIZATION=f"Bearer {token}")

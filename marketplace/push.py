"""Live events to brand consoles over the channel layer, sent only after commit, so a console
never shows a change that was rolled back."""

from functools import partial
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def brand_group(brand_id: int) -> str:
    return f"brand.{brand_id}"


def _send(group: str, event: dict[str, Any]) -> None:
    channel_layer = get_channel_layer()
    if channel_layer is None:
        return
    async_to_sync(channel_layer.group_send)(group, event)


def push_inquiry_changed_on_commit(*, brand_id: int, inquiry_id: int, is_new: bool) -> None:
    """Tells the brand's open consoles that an inquiry changed. A failed push is logged, never
    fatal: the console shows the same state on its next load."""
    transaction.on_commit(
        partial(_send, brand_group(brand_id),
                {"type": "inquiry.changed", "inquiry_id": inquiry_id, "is_new": is_new}),
        robust=True,
    )

"""Live events to experts' browsers over the channel layer, sent only after commit, so a page
never shows an offer that was rolled back (Zulip's send_event_on_commit)."""

import logging
from functools import partial
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def expert_group(expert_id: int) -> str:
    return f"expert.{expert_id}"


def _send(group: str, event: dict[str, Any]) -> None:
    channel_layer = get_channel_layer()
    if channel_layer is None:
        return
    async_to_sync(channel_layer.group_send)(group, event)


def push_to_expert_on_commit(expert_id: int, event_type: str, **payload: Any) -> None:
    """A failed push is logged, never fatal: the page shows the same state on its next load and
    the reconciling sweep keeps the work moving."""
    transaction.on_commit(
        partial(_send, expert_group(expert_id), {"type": event_type, **payload}), robust=True
    )

"""Live events to experts' browsers over the channel layer, sent only after commit, so a page
never shows an offer that was rolled back (Zulip's send_event_on_commit)."""

import logging
from typing import Any

from marketplace.after_commit import run_after_commit
from marketplace.push import group_send

logger = logging.getLogger(__name__)


def expert_group(expert_id: int) -> str:
    return f"expert.{expert_id}"


def _send(group: str, event: dict[str, Any]) -> None:
    group_send(group, event)


def push_to_expert_on_commit(expert_id: int, event_type: str, **payload: Any) -> None:
    """A failed push is logged, never fatal: the page shows the same state on its next load and
    the reconciling sweep keeps the work moving."""
    event = {"type": event_type, **payload}
    run_after_commit(f"push to {expert_group(expert_id)}",
                     lambda: _send(expert_group(expert_id), event))

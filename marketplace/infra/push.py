"""Live events over the channel layer, to the brand console's and the experts' groups. Sent only
after commit, so a page never shows a change that was rolled back (Zulip's
send_event_on_commit).

Sync code pushes through the channel layer's public API, `async_to_sync(group_send)`, as
Channels documents. In the web process that runs on the server's own event loop, whose Redis
connections stay open. Outside one (a Celery worker) every `async_to_sync` call starts an event
loop and opens new connections, a few ms however little it sends, so a Celery task holds its
pushes and sends them together when it ends (`hold_pushes` and `send_held_pushes`, hooked to
Celery's task signals in marketplace/celery.py): one send per task, not one per push. And a
worker process keeps one event loop for those sends on a thread of its own
(`keep_a_process_loop`, called from Celery's `worker_process_init`): profiled (issue 12 §7), a
new loop per task, with the new Redis connection the channel layer opens on it, was a fifth of
a routing task's CPU; on a loop that lives as long as the process, the connection stays open."""


import asyncio
import logging
import os
import threading
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import BaseChannelLayer, get_channel_layer

from marketplace.infra.after_commit import run_after_commit

PUSH_TIMEOUT_SECONDS = 5


HELD_PUSHES_LIMIT = 100
"""A task that holds this many pushes sends them at once instead of waiting for its end (a
long sweep's experts see their changes as it goes)."""


logger = logging.getLogger(__name__)


class _Held(threading.local):
    """This thread's pushes held until its task ends: (name, group, event) in order."""

    def __init__(self) -> None:
        self.depth = 0
        self.pushes: list[tuple[str, str, dict[str, Any]]] = []


_held = _Held()


class _ProcessLoop:
    """One event loop per process, run by a daemon thread, for the held pushes of the process's
    tasks. Started lazily after fork (the pid is checked), so a forked child never uses its
    parent's thread."""

    def __init__(self) -> None:
        self.enabled = False
        self.loop: asyncio.AbstractEventLoop | None = None
        self.pid = 0
        self.lock = threading.Lock()

    def get(self) -> asyncio.AbstractEventLoop:
        with self.lock:
            if self.loop is None or self.pid != os.getpid():
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="push-loop", daemon=True).start()
                self.loop, self.pid = loop, os.getpid()
            return self.loop


_process_loop = _ProcessLoop()


def keep_a_process_loop() -> None:
    """From now on this process sends its held pushes on one long-lived event loop (Celery
    worker processes; see the module's docstring)."""
    _process_loop.enabled = True


def hold_pushes() -> None:
    """From now until the matching `send_held_pushes`, this thread's pushes (each still after its
    commit) wait to be sent together. Nested holds send with the outermost."""
    _held.depth += 1


def send_held_pushes() -> None:
    """Ends a hold; the outermost sends every push held, in order. Never raises: a failed push
    is logged by name."""
    _held.depth = max(0, _held.depth - 1)
    if _held.depth == 0:
        _send_held()


def _send_held() -> None:
    pushes, _held.pushes = _held.pushes, []
    if not pushes:
        return
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        if _process_loop.enabled:
            asyncio.run_coroutine_threadsafe(_group_send_each(layer, pushes),
                                             _process_loop.get()).result(
                timeout=PUSH_TIMEOUT_SECONDS * len(pushes) + 1)
        else:
            async_to_sync(_group_send_each)(layer, pushes)
    except Exception:
        logger.exception("Error sending %d held pushes (%s)", len(pushes),
                         ", ".join(name for name, _, _ in pushes))


async def _group_send_each(layer: BaseChannelLayer,
                           pushes: list[tuple[str, str, dict[str, Any]]]) -> None:
    for name, group, event in pushes:
        try:
            await asyncio.wait_for(layer.group_send(group, event), PUSH_TIMEOUT_SECONDS)
        except Exception:
            logger.exception("Error calling %s after its task", name)


async def _group_send(layer: BaseChannelLayer, group: str, event: dict[str, Any]) -> None:
    await asyncio.wait_for(layer.group_send(group, event), PUSH_TIMEOUT_SECONDS)


def group_send(group: str, event: dict[str, Any]) -> None:
    """Sends `event` to every socket in `group` and waits for the channel layer to take it."""
    layer = get_channel_layer()
    if layer is None:
        return
    async_to_sync(_group_send)(layer, group, event)


def brand_group(brand_id: int) -> str:
    return f"brand.{brand_id}"


def expert_group(expert_id: int) -> str:
    return f"expert.{expert_id}"


OPS_BOARD_GROUP = "ops.board"
"""Every open ops live board (frontend/consumers.py)."""


def user_group(user_id: int) -> str:
    """Every live socket of one signed-in person, whatever their role (consumers.py)."""
    return f"user.{user_id}"


def _send(group: str, event: dict[str, Any]) -> None:
    """Sends now, or, while this thread holds its pushes, adds the push to them. A held
    `inquiry.changed` for an inquiry already held for the same group is one push: the console
    renders the inquiry as it is when the push arrives, so the second would only repeat it (new
    on top if either was new)."""
    if not _held.depth:
        group_send(group, event)
        return
    if event.get("type") in ("board.changed", "widget.queue_changed") and (group, event) in [
            (held_group, held) for _, held_group, held in _held.pushes]:
        return
    if event.get("type") == "inquiry.changed":
        for position, (name, held_group, held) in enumerate(_held.pushes):
            if held_group == group and held.get("type") == "inquiry.changed" \
                    and held.get("inquiry_id") == event.get("inquiry_id"):
                merged = {**held, "is_new": bool(held.get("is_new") or event.get("is_new"))}
                _held.pushes[position] = (name, group, merged)
                return
    _held.pushes.append((f"push to {group}", group, event))
    if len(_held.pushes) >= HELD_PUSHES_LIMIT:
        _send_held()


def push_inquiry_changed_on_commit(*, brand_id: int, inquiry_id: int, is_new: bool) -> None:
    """Tells the brand's open consoles that an inquiry changed. A failed push is logged, never
    fatal: the console shows the same state on its next load."""
    event = {"type": "inquiry.changed", "inquiry_id": inquiry_id, "is_new": is_new}
    run_after_commit(f"push to {brand_group(brand_id)}",
                     lambda: _send(brand_group(brand_id), event))
    push_ops_board_changed_on_commit()


def push_ops_board_changed_on_commit() -> None:
    """Tells the open ops live boards that a queue's figures changed (an inquiry, a booking or
    an expert's seat); each board redraws itself. Held pushes send it once per task."""
    event = {"type": "board.changed"}
    run_after_commit(f"push to {OPS_BOARD_GROUP}", lambda: _send(OPS_BOARD_GROUP, event))


def push_to_expert_on_commit(expert_id: int, event_type: str, **payload: Any) -> None:
    """A failed push is logged, never fatal: the page shows the same state on its next load and
    the reconciling sweep keeps the work moving."""
    event = {"type": event_type, **payload}
    run_after_commit(f"push to {expert_group(expert_id)}",
                     lambda: _send(expert_group(expert_id), event))


def push_to_user_on_commit(user_id: int, event_type: str, **payload: Any) -> None:
    """To every live socket of one person (an expert's reply's delivery state goes to its
    author, wherever they are looking). A failed push is logged, never fatal."""
    event = {"type": event_type, **payload}
    run_after_commit(f"push to {user_group(user_id)}",
                     lambda: _send(user_group(user_id), event))


def push_session_ended_on_commit(*, user_id: int, reason: str) -> None:
    """Closes every open socket of the user (their password changed: the sessions those
    sockets were opened with are no longer valid). A failed push is logged, never fatal."""
    event = {"type": "session.ended", "reason": reason}
    run_after_commit(f"push to {user_group(user_id)}",
                     lambda: _send(user_group(user_id), event))


def ops_payout_batch_group(batch_id: int) -> str:
    """Every ops page watching one payout batch being sent."""
    return f"ops.payouts.{batch_id}"


def brand_billing_group(brand_id: int) -> str:
    """Every open billing page of one brand (its usage this month)."""
    return f"billing.brand.{brand_id}"


def push_to_group_on_commit(group: str, event_type: str, **payload: Any) -> None:
    """Tells a group's open pages that something they show changed, after commit. A failed
    push is logged, never fatal: the page polls while its socket is down and shows the same
    state on its next load."""
    event = {"type": event_type, **payload}
    run_after_commit(f"push to {group}", lambda: _send(group, event))


def widget_conversation_group(inquiry_id: int) -> str:
    """Every open widget socket of one chat (a customer's tabs), by its inquiry."""
    return f"widget.conversation.{inquiry_id}"


def widget_queue_group(queue_id: int) -> str:
    """The widget sockets of a queue's chats still waiting for an expert: told when the
    queue's waiting chats change, so each shows its position and promise."""
    return f"widget.queue.{queue_id}"


def push_widget_queue_changed_on_commit(*, queue_id: int) -> None:
    """The queue's waiting chats changed (one arrived, was offered, accepted or queued again):
    its waiting widget sockets recompute their position. Held pushes send it once per task."""
    push_to_group_on_commit(widget_queue_group(queue_id), "widget.queue_changed")


def push_widget_conversation_changed_on_commit(*, inquiry_id: int) -> None:
    """A widget chat changed status: its customer's sockets send the new State."""
    push_to_group_on_commit(widget_conversation_group(inquiry_id), "widget.state")

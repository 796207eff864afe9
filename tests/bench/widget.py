"""Benchmark widget: from a customer's message POST on the chat widget's API to the frame on
the expert's websocket that shows it, through the real processes (uvicorn and a Celery worker,
as tests/live.py starts them). 200 messages (BENCH_WIDGET_MESSAGES changes the count) over
five live chats, each held by its own expert, at 10 messages a second in all (open loop).
Beside it, in the same run, the bare push: a frame sent straight to the same experts' groups
on the channel layer, the delivery part of the path without the HTTP request, the service and
the database."""

import json
import os
import re
import tempfile
import time
import urllib.request
import uuid
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone

from marketplace.infra.push import expert_group
from marketplace.inquiries.models import Inquiry
from marketplace.queues.models import OverflowQueue
from routing.models import Offer
from routing.offers import services as offers_services
from tests import factories
from tests.bench.database import fresh_factory_names
from tests.bench.pipeline import figures, sockets, wait_for
from tests.live import LivePlatform, live_platform

CHATS = 5
RATE = 10
ORIGIN = "https://shop.example"
BARE_MARKER = 800_000_000


def message_count() -> int:
    return int(os.environ.get("BENCH_WIDGET_MESSAGES", "200"))


def _post(live: LivePlatform, path: str, payload: dict[str, Any],
          token: str | None = None) -> dict[str, Any]:
    headers = {"Content-Type": "application/json", "Origin": ORIGIN}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(  # noqa: S310 - our own local server
        live.base_url + "/widget/api/v1/" + path, data=json.dumps(payload).encode(),
        method="POST", headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        answer: dict[str, Any] = json.loads(response.read())
        return answer


def _open_loop(send: Any, count: int) -> None:
    from concurrent.futures import ThreadPoolExecutor

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        for number in range(count):
            delay = started + number / RATE - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(send, number)


def _accept_offers(inquiry_ids: list[int], timeout: float = 60) -> None:
    """Each chat's offer accepted by the expert it went to, as a click on Accept does."""
    deadline = time.monotonic() + timeout
    accepted: set[int] = set()
    while len(accepted) < len(inquiry_ids) and time.monotonic() < deadline:
        for offer in Offer.objects.filter(inquiry_id__in=inquiry_ids, status="pending") \
                .exclude(inquiry_id__in=accepted).select_related("expert"):
            offers_services.offer_accept(offer_id=offer.pk, expert=offer.expert,
                                         now=timezone.now())
            accepted.add(offer.inquiry_id)
        time.sleep(0.2)
    if len(accepted) < len(inquiry_ids):
        raise TimeoutError(f"only {len(accepted)} of {len(inquiry_ids)} chats were offered")


def run() -> dict[str, object]:
    count = message_count()
    fresh_factory_names()
    now = timezone.now()
    queue = factories.queue()
    OverflowQueue.objects.filter(pk=queue.pk).update(widget_allowed_origins=[ORIGIN])
    slot = factories.shift(on=queue, now=now, headcount=CHATS)
    experts = [factories.on_shift_expert(on=queue, now=now, slot=slot) for _ in range(CHATS)]
    tag = uuid.uuid4().hex[:8]
    log_dir = Path(tempfile.mkdtemp(prefix="shiftline-bench-widget-"))
    # The per-conversation limit (30 a minute) is a customer's; the benchmark is not one.
    web_env = {"DATABASE_POOL_SIZE": "8", "SHIFTLINE_THROTTLE_WIDGET_MESSAGE": "100000/minute",
               "SHIFTLINE_THROTTLE_WIDGET_START": "100000/hour"}
    with live_platform(log_dir, database=nullcontext, web_env=web_env) as live:
        chats = [_post(live, f"queues/{queue.widget_public_id}/conversations", {
            "name": "Sam", "email": f"sam{number}@example.com", "language": "en",
            "message": f"Chat {number}", "client_id": f"{tag}-start-{number}"})
            for number in range(CHATS)]
        inquiry_ids = list(Inquiry.objects.filter(queue=queue).values_list("pk", flat=True))
        _accept_offers(inquiry_ids)

        sent: dict[str, float] = {}
        arrived: dict[str, float] = {}

        def post(number: int) -> None:
            chat = chats[number % CHATS]
            marker = f"{tag}-{number}"
            sent[marker] = time.perf_counter()
            _post(live, f"conversations/{chat['conversation']}/messages",
                  {"body": f"wbench-{marker}", "client_id": marker}, token=chat["token"])

        with sockets(live, experts, re.compile(rf"wbench-({tag}-\d+)"), arrived):
            for number in range(10):  # warm the processes and connections up
                post(1_000_000 + number)
            wait_for(arrived, 10)
            sent.clear()
            arrived.clear()
            _open_loop(post, count)
            wait_for(arrived, len(sent), timeout=30)

        layer = get_channel_layer()
        assert layer is not None
        bare_sent: dict[str, float] = {}
        bare_arrived: dict[str, float] = {}

        def push(number: int) -> None:
            marker = str(BARE_MARKER + number)
            bare_sent[marker] = time.perf_counter()
            async_to_sync(layer.group_send)(expert_group(experts[number % CHATS].pk),
                                            {"type": "offer.closed", "offer_id": int(marker)})

        with sockets(live, experts, re.compile(r'id="offer-(\d{9})"'), bare_arrived):
            _open_loop(push, count)
            wait_for(bare_arrived, len(bare_sent))
    widget, bare = figures(sent, arrived), figures(bare_sent, bare_arrived)
    return {"messages": count, "chats": CHATS, "rate_per_second": RATE,
            "widget": widget.__dict__, "bare": bare.__dict__,
            "ratio_p50": round(widget.p50_ms / bare.p50_ms, 2),
            "ratio_p99": round(widget.p99_ms / bare.p99_ms, 2),
            "load_average": round(os.getloadavg()[0], 2), "cpus": os.cpu_count()}


def print_report(report: dict[str, Any]) -> None:
    print(f"widget. A customer's message POST to the expert's websocket frame: "
          f"{report['messages']} messages over {report['chats']} chats at "
          f"{report['rate_per_second']}/s")
    print(f"{'path':>10} {'sent':>6} {'framed':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name in ("widget", "bare"):
        figures_ = report[name]
        print(f"{name:>10} {figures_['sent']:>6} {figures_['received']:>7} "
              f"{figures_['p50_ms']:>8.1f} {figures_['p99_ms']:>8.1f} {figures_['max_ms']:>8.1f}")
    print(f"widget to bare: p50 {report['ratio_p50']:.2f}x, p99 {report['ratio_p99']:.2f}x "
          "(bare: a frame pushed straight to the same experts on the channel layer)")
    print(f"load average {report['load_average']} on {report['cpus']} CPUs at the end of the run")

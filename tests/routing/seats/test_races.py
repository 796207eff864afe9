"""Many routers at once never push an expert over capacity nor assign an inquiry twice.

The hook below makes every router pause after reading the expert's free capacity and before
writing its offer, until all routers have read: the worst interleaving, forced. Each offer then
takes capacity with a conditional update that matches no row once the seat is full. The
negative control replaces that update with an unconditional "yes" and shows the same test
catching the over-assignment."""

import multiprocessing
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import partial

import pytest
from django.db import OperationalError, connections, transaction
from django.utils import timezone

from routing.models import Assignment, ExpertSeat, Offer, OfferStatus
from routing.offers import services as offers_services
from routing.seats import selectors as seats_selectors
from routing.seats import services as seats
from tests import factories
from tests.races import pause_after, run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)

ROUTERS = 6
CAPACITY = 3


@pytest.fixture
def forced_interleaving(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Barrier]:
    barrier = threading.Barrier(ROUTERS, timeout=1.5)
    pause_after(monkeypatch, seats_selectors, "routing_pool", barrier)
    yield barrier


def one_expert_and_chats(now: datetime) -> tuple[int, list[int]]:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)
    chats = [factories.inquiry(on=queue, now=now, channel="chat").pk for _ in range(ROUTERS)]
    return expert.pk, chats


def route_all_at_once(chats: list[int], now: datetime) -> list[BaseException]:
    return run_in_threads(
        [
            partial(offers_services.inquiry_route, inquiry_id=inquiry_id, now=now)
            for inquiry_id in chats
        ]
    )


def test_concurrent_routers_never_exceed_capacity(
    forced_interleaving: threading.Barrier, captured_tasks: list
) -> None:
    now = timezone.now()
    expert_id, chats = one_expert_and_chats(now)

    errors = route_all_at_once(chats, now)

    assert errors == []
    assert Offer.objects.filter(expert_id=expert_id, status=OfferStatus.PENDING).count() \
        == CAPACITY


def test_negative_control_without_the_expert_lock_capacity_is_exceeded(
    forced_interleaving: threading.Barrier, captured_tasks: list,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(seats, "seat_take", lambda **_: True)
    now = timezone.now()
    expert_id, chats = one_expert_and_chats(now)

    errors = route_all_at_once(chats, now)

    assert errors == []
    assert Offer.objects.filter(expert_id=expert_id, status=OfferStatus.PENDING).count() \
        == ROUTERS


def test_concurrent_accepts_of_a_multi_offer_give_one_assignment(captured_tasks: list) -> None:
    now = timezone.now()
    queue = factories.queue()
    slot = factories.shift(on=queue, now=now)
    experts = [factories.on_shift_expert(on=queue, now=now, slot=slot) for _ in range(3)]
    inquiry = factories.inquiry(on=queue, now=now - (queue.first_response_target("chat") / 2),
                                channel="chat")
    offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)
    offers = {offer.expert_id: offer.pk for offer in Offer.objects.filter(inquiry=inquiry)}
    assert len(offers) == 3

    errors = run_in_threads([
        partial(offers_services.offer_accept, offer_id=offers[expert.pk], expert=expert, now=now)
        for expert in experts
    ])

    assert len(errors) == 2
    assert Assignment.objects.filter(inquiry=inquiry).count() == 1
    assert Offer.objects.filter(inquiry=inquiry, status=OfferStatus.ACCEPTED).count() == 1


def _route_in_process(inquiry_id: int, now_iso: str) -> None:
    connections.close_all()
    offers_services.inquiry_route(inquiry_id=inquiry_id, now=datetime.fromisoformat(now_iso))
    connections.close_all()


def test_concurrent_router_processes_never_exceed_capacity(captured_tasks: list) -> None:
    now = timezone.now()
    expert_id, chats = one_expert_and_chats(now)
    connections.close_all()
    context = multiprocessing.get_context("fork")

    processes = [context.Process(target=_route_in_process, args=(inquiry_id, now.isoformat()))
                 for inquiry_id in chats]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)

    assert [process.exitcode for process in processes] == [0] * ROUTERS
    assert Offer.objects.filter(expert_id=expert_id, status=OfferStatus.PENDING).count() \
        == CAPACITY


def release_then_take(release: int, take: int, barrier: threading.Barrier, *,
                      wait: bool, took: dict[int, bool] | None = None) -> Callable[[], object]:
    def job() -> None:
        with transaction.atomic():
            seats.seat_release(expert_id=release, channel="chat")
            barrier.wait()
            taken = seats.seat_take(expert_id=take, channel="chat", wait=wait)
        if took is not None:
            took[take] = taken
    return job


def two_loaded_seats(now: datetime) -> tuple[int, int]:
    queue = factories.queue()
    slot = factories.shift(on=queue, now=now)
    first, second = (factories.on_shift_expert(on=queue, now=now, slot=slot).pk
                     for _ in range(2))
    ExpertSeat.objects.update(chat_load=1)
    return first, second


def test_takes_after_releases_skip_locked_seats_so_they_never_deadlock() -> None:
    """An expiry releases A and offers to B while another releases B and offers to A: the
    crossing the fault test found. The takes skip the seat the other holds."""
    first, second = two_loaded_seats(timezone.now())
    barrier = threading.Barrier(2, timeout=5)
    took: dict[int, bool] = {}

    errors = run_in_threads([release_then_take(first, second, barrier, wait=False, took=took),
                             release_then_take(second, first, barrier, wait=False, took=took)])

    assert errors == []
    # Each take found the other's seat locked (skipped) or already committed (took it).
    assert dict(ExpertSeat.objects.values_list("expert_id", "chat_load")) == {
        expert_id: int(taken) for expert_id, taken in took.items()}
    assert set(took) == {first, second}


def test_negative_control_waiting_takes_after_releases_deadlock() -> None:
    first, second = two_loaded_seats(timezone.now())
    barrier = threading.Barrier(2, timeout=5)

    errors = run_in_threads([release_then_take(first, second, barrier, wait=True),
                             release_then_take(second, first, barrier, wait=True)])

    assert [type(error) for error in errors] == [OperationalError]
    assert "deadlock detected" in str(errors[0])

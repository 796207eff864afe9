"""50 experts booking a 10-seat slot at the same moment get exactly 10 seats.

A hook makes every booker pause after counting the slot's taken seats and before inserting its
booking, until all bookers have counted (or the wait times out because the slot lock keeps the
others out): the worst interleaving, forced. With the slot's FOR UPDATE lock the count is
serialised; the negative control books through a path without the lock and overbooks."""

import multiprocessing
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import pytest
from django.db import connections
from django.utils import timezone

from experts.shifts.models import ShiftBooking, ShiftSlot
from experts.shifts.services import booking as shifts_booking
from marketplace.infra.errors import Conflict
from tests import factories
from tests.experts.shifting import certified_expert, slot
from tests.races import pause_after, run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)

EXPERTS = 50
SEATS = 10


@pytest.fixture
def forced_interleaving(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Barrier]:
    barrier = threading.Barrier(EXPERTS, timeout=1.5)
    pause_after(monkeypatch, shifts_booking, "_live_seats_taken", barrier)
    yield barrier


def crowd(now: datetime) -> tuple[ShiftSlot, list[Any]]:
    queue = factories.queue()
    contested = slot(on=queue, starts_at=now + timedelta(days=1), headcount=SEATS)
    return contested, [certified_expert(on=queue, now=now) for _ in range(EXPERTS)]


def book_all_at_once(contested: ShiftSlot, experts: list[Any], now: datetime
                     ) -> list[BaseException]:
    return run_in_threads([
        partial(shifts_booking.shift_booking_create, slot=contested, expert=expert, now=now)
        for expert in experts
    ])


def test_fifty_experts_booking_ten_seats_at_once_get_exactly_ten(
    forced_interleaving: threading.Barrier,
) -> None:
    now = timezone.now()
    contested, experts = crowd(now)

    errors = book_all_at_once(contested, experts, now)

    assert ShiftBooking.objects.filter(slot=contested).count() == SEATS
    assert len(errors) == EXPERTS - SEATS
    assert {type(error) for error in errors} == {Conflict}
    assert {error.code for error in errors if isinstance(error, Conflict)} == {"shift_full"}


def test_negative_control_without_the_slot_lock_the_slot_is_overbooked(
    forced_interleaving: threading.Barrier, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def lock_nothing(slot_id: int) -> ShiftSlot:
        return ShiftSlot.objects.select_related("queue").get(pk=slot_id)

    monkeypatch.setattr(shifts_booking, "_lock_slot", lock_nothing)
    now = timezone.now()
    contested, experts = crowd(now)

    errors = book_all_at_once(contested, experts, now)

    assert ShiftBooking.objects.filter(slot=contested).count() > SEATS
    assert len(errors) < EXPERTS - SEATS


def _book_in_process(slot_id: int, expert_id: int, now_iso: str) -> None:
    from experts.profiles.models import ExpertProfile

    connections.close_all()
    try:
        shifts_booking.shift_booking_create(
            slot=ShiftSlot.objects.get(pk=slot_id),
            expert=ExpertProfile.objects.get(pk=expert_id),
            now=datetime.fromisoformat(now_iso),
        )
    except Conflict:
        pass
    finally:
        connections.close_all()


def test_fifty_booking_processes_get_exactly_ten_seats() -> None:
    now = timezone.now()
    contested, experts = crowd(now)
    connections.close_all()
    context = multiprocessing.get_context("fork")

    processes = [
        context.Process(target=_book_in_process, args=(contested.pk, expert.pk, now.isoformat()))
        for expert in experts
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)

    assert [process.exitcode for process in processes] == [0] * EXPERTS
    assert ShiftBooking.objects.filter(slot=contested).count() == SEATS

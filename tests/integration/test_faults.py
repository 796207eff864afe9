"""Faults: real Celery worker processes route 1,000 inquiries while a killer SIGKILLs worker
children again and again (and now and then the whole worker, which is restarted), experts
accept, reply and resolve concurrently in threads, and the reconciling sweep runs as beat
would run it. Afterwards: nothing lost, nothing assigned twice, nobody above capacity."""

import random
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError, close_old_connections, connection, connections
from django.db.models import Count, F, Q
from django.utils import timezone

from experts.profiles.models import ExpertProfile
from marketplace.infra.errors import DomainError
from marketplace.inquiries.models import Inquiry, InquiryStatus
from routing.assignments import services as assignments_services
from routing.models import Assignment, AssignmentStatus, ExpertSeat, Offer, OfferStatus
from routing.offers import selectors as offers_selectors
from routing.offers import services as offers_services
from routing.sweeps import services as sweeps_services
from tests import factories
from tests.live import WorkerProcess, platform_env, purge_queues, wait_for_sessions_to_end

pytestmark = [pytest.mark.integration, pytest.mark.long, pytest.mark.django_db(transaction=True)]

INQUIRIES = 1_000
EXPERTS = 40
ACCEPTORS = 4
KILL_EVERY = (0.2, 0.5)
WHOLE_WORKER_EVERY = 8
MIN_CHILD_KILLS = 20
KILLING_AT_MOST = 40.0
SWEEP_EVERY = 1.0
SETTLE_WITHIN = 45.0
CAPACITY = {"chat": 3, "email": 5, "social": 5}


@pytest.fixture
def worker(django_db_setup: None, django_db_blocker: Any, tmp_path: Path
           ) -> Iterator[WorkerProcess]:
    env = platform_env()
    purge_queues(env)
    process = WorkerProcess(log=tmp_path / "worker.log", env=env, concurrency=4)
    try:
        process.start()
        yield process
    finally:
        process.stop()
        with django_db_blocker.unblock():
            wait_for_sessions_to_end()


class Loop(threading.Thread):
    """Runs `step` until stopped; a step that fails on a lock or a lost connection is retried,
    as an expert's browser or beat would retry it."""

    def __init__(self, step: Callable[[], object], pause: float) -> None:
        super().__init__(daemon=True)
        self.step, self.pause = step, pause
        self.stopping = threading.Event()
        self.errors: list[BaseException] = []

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                try:
                    self.step()
                except DatabaseError:
                    close_old_connections()
                except BaseException as error:  # surfaced by the test
                    self.errors.append(error)
                    return
                self.stopping.wait(self.pause)
        finally:
            connections.close_all()

    def finish(self) -> None:
        self.stopping.set()
        self.join(timeout=30)


def work_offers(experts: dict[int, ExpertProfile]) -> Callable[[], object]:
    def step() -> None:
        offers = list(Offer.objects.filter(expert_id__in=list(experts), status=OfferStatus.PENDING)
                      .values_list("pk", "expert_id", "inquiry_id")[:20])
        for offer_id, expert_id, inquiry_id in offers:
            expert = experts[expert_id]
            try:
                offers_services.offer_accept(offer_id=offer_id, expert=expert, now=timezone.now())
                assignments_services.assignment_reply(inquiry_id=inquiry_id, expert=expert,
                                          author=expert.user, body="On it.", now=timezone.now())
                assignments_services.assignment_resolve(inquiry_id=inquiry_id, expert=expert,
                                            now=timezone.now())
            except DomainError:
                continue  # withdrawn, expired or taken by another expert meanwhile
    return step


HELD_ABOVE_CAPACITY = """
    SELECT count(*) FROM (
        SELECT held.expert_id, held.channel, count(*) AS units FROM (
            SELECT o.expert_id, i.channel FROM {offer} o JOIN {inquiry} i ON i.id = o.inquiry_id
             WHERE o.status = 'pending'
            UNION ALL
            SELECT a.expert_id, i.channel FROM {assignment} a
              JOIN {inquiry} i ON i.id = a.inquiry_id WHERE a.status = 'active'
        ) AS held GROUP BY held.expert_id, held.channel
    ) AS per_expert
    WHERE units > CASE channel WHEN 'chat' THEN %s WHEN 'email' THEN %s ELSE %s END
"""


def real_load_above_capacity() -> int:
    """Pending offers plus active assignments per expert and channel, counted from the rows
    themselves (not the seat counters), above the channel's capacity. One statement, so one
    snapshot: an offer accepted between two reads is not counted twice."""
    sql = HELD_ABOVE_CAPACITY.format(offer=Offer._meta.db_table,
                                     assignment=Assignment._meta.db_table,
                                     inquiry=Inquiry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, [CAPACITY["chat"], CAPACITY["email"], CAPACITY["social"]])
        row = cursor.fetchone()
    return int(row[0]) if row else 0


class Sampler:
    def __init__(self) -> None:
        self.samples = 0
        self.worst = 0

    def sweep_and_sample(self, now: Callable[[], datetime]) -> None:
        sweeps_services.offers_expire_due(now=timezone.now())
        sweeps_services.inquiries_reconcile(now=now())
        self.samples += 1
        self.worst = max(self.worst, real_load_above_capacity())


def lost_inquiries(inquiry_ids: list[int]) -> list[int]:
    """Neither moving nor waiting for a reason: received and never routed, offered without a
    live offer, assigned without an active assignment, or queued while an expert who has not
    passed on it has room."""
    lost: list[int] = []
    live_offer = set(Offer.objects.filter(status=OfferStatus.PENDING)
                     .values_list("inquiry_id", flat=True))
    active = set(Assignment.objects.filter(status=AssignmentStatus.ACTIVE)
                 .values_list("inquiry_id", flat=True))
    for inquiry in Inquiry.objects.filter(pk__in=inquiry_ids):
        if inquiry.status == InquiryStatus.RESOLVED:
            continue
        if inquiry.status == InquiryStatus.OFFERED and inquiry.pk in live_offer:
            continue
        if inquiry.status == InquiryStatus.ASSIGNED and inquiry.pk in active:
            continue
        if inquiry.status == InquiryStatus.QUEUED:
            passed = offers_selectors.expert_ids_passed_on_inquiry(inquiry_id=inquiry.pk)
            load, capacity = f"{inquiry.channel}_load", f"{inquiry.channel}_capacity"
            room = ExpertSeat.objects.filter(available=True, queue_id=inquiry.queue_id,
                                             **{f"{load}__lt": F(capacity)}) \
                .exclude(expert_id__in=passed)
            if not room.exists():
                continue
        lost.append(inquiry.pk)
    return lost


def test_sigkilled_workers_lose_nothing_and_double_nothing(worker: WorkerProcess) -> None:
    now = timezone.now()
    queue = factories.queue()
    slot = factories.shift(on=queue, now=now, headcount=EXPERTS)
    experts = [factories.on_shift_expert(on=queue, now=now, slot=slot) for _ in range(EXPERTS)]
    teams = [{expert.pk: expert for expert in experts[number::ACCEPTORS]}
             for number in range(ACCEPTORS)]
    rng = random.Random(5)
    kills = {"children": 0, "whole": 0}

    def kill() -> None:
        if (kills["children"] + 1) % WHOLE_WORKER_EVERY == 0:
            worker.kill_whole()
            kills["whole"] += 1
            worker.start()
        kills["children"] += worker.kill_child(rng.choice)
        time.sleep(rng.uniform(*KILL_EVERY))

    sampler = Sampler()
    killer = Loop(kill, 0)
    acceptors = [Loop(work_offers(team), 0.05) for team in teams]
    sweeper = Loop(lambda: sampler.sweep_and_sample(timezone.now), SWEEP_EVERY)
    started = time.monotonic()
    for thread in [killer, *acceptors, sweeper]:
        thread.start()
    inquiry_ids = [
        factories.inquiry(on=queue, now=timezone.now(),
                          channel="chat" if number % 2 else "email").pk
        for number in range(INQUIRIES)
    ]
    keep_killing_until = time.monotonic() + KILLING_AT_MOST
    while kills["children"] < MIN_CHILD_KILLS and time.monotonic() < keep_killing_until:
        time.sleep(0.1)
    killer.finish()
    if worker.process is None or worker.process.poll() is not None:
        worker.start()
    sweeper.finish()
    grace = sweeps_services.RECEIVED_GRACE + timedelta(seconds=1)
    deadline = time.monotonic() + SETTLE_WITHIN
    while time.monotonic() < deadline:
        sampler.sweep_and_sample(lambda: timezone.now() + grace)
        if not Inquiry.objects.filter(pk__in=inquiry_ids).exclude(
                status=InquiryStatus.RESOLVED).exists():
            break
        time.sleep(SWEEP_EVERY)
    for thread in acceptors:
        thread.finish()
    sampler.sweep_and_sample(lambda: timezone.now() + grace)
    elapsed = time.monotonic() - started

    lost = lost_inquiries(inquiry_ids)
    doubled = Assignment.objects.filter(inquiry_id__in=inquiry_ids) \
        .exclude(status=AssignmentStatus.RELEASED).values("inquiry_id") \
        .annotate(n=Count("id")).filter(n__gt=1).count()
    seats_over = ExpertSeat.objects.filter(
        Q(chat_load__gt=3) | Q(email_load__gt=5) | Q(social_load__gt=5)).count()
    routings = Offer.objects.filter(inquiry_id__in=inquiry_ids).count()
    resolved = Inquiry.objects.filter(pk__in=inquiry_ids, status=InquiryStatus.RESOLVED).count()
    print(f"\nfault test: {INQUIRIES} inquiries, {kills['children']} worker children and "
          f"{kills['whole']} whole workers SIGKILLed, {routings} offers made, {resolved} "
          f"resolved; lost {len(lost)}, double-assigned {doubled}, over capacity "
          f"{sampler.worst} (worst of {sampler.samples} samples, seats over {seats_over}); "
          f"{elapsed:.1f} s")
    assert [error for thread in [killer, *acceptors, sweeper] for error in thread.errors] == []
    assert kills["children"] >= MIN_CHILD_KILLS
    assert kills["whole"] >= 1
    assert lost == []
    assert doubled == 0
    assert sampler.worst == 0
    assert seats_over == 0

"""The Django side of `make faults` (marketplace/devstack/faults.py), imported only once Django is
set up against the suite's own embedded PostgreSQL and Redis: the seeded brand, queue and
experts on shift, the simulated experts, and the invariants read from the database.

The simulated experts act through the service layer the expert workspace calls (`offer_accept`,
`assignment_reply`, `assignment_resolve`, as frontend/ views do), from threads of the runner
process, with their own database connections: what the workspace's POSTs would do, without a
browser. A step that meets a lost connection (PostgreSQL stopped) is tried again, as a person
clicking again would."""

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, connections
from django.db.models import Count, F
from django.utils import timezone

from billing.models import LedgerTransaction, TransactionKind
from experts.presence import services as presence_services
from experts.profiles.models import ExpertProfile
from marketplace.access.models import ApiKey
from marketplace.delivery.models import DeliveryAttempt
from marketplace.infra.errors import DomainError
from marketplace.inquiries.models import Inquiry, InquiryStatus
from marketplace.queues import services as queues_services
from marketplace.queues.models import OverflowQueue
from routing.assignments import services as assignments_services
from routing.models import Assignment, AssignmentStatus, ExpertSeat, Offer, OfferStatus
from routing.offers import selectors as offers_selectors
from routing.offers import services as offers_services
from tests import factories

SHIFT_HOURS = 4


@dataclass(frozen=True)
class World:
    queue_id: int
    api_key: str
    experts: dict[int, ExpertProfile]


def seed(*, experts: int, webhook_url: str) -> World:
    """A brand with an always-covered queue whose replies go to `webhook_url`, its API key (its
    rate limit kept), and `experts` experts certified, booked on a live shift and checked in,
    all through the services (tests/factories.py)."""
    now = timezone.now()
    queue = factories.queue()
    owner = factories.brand_owner(of=queue.brand)
    queues_services.queue_set_outbound_webhook(queue=queue, membership=owner, url=webhook_url)
    slot = factories.shift(on=queue, now=now, headcount=experts, hours=SHIFT_HOURS)
    people = [factories.on_shift_expert(on=queue, now=now, slot=slot) for _ in range(experts)]
    api_key = factories.api_key(of=queue.brand)
    assert ApiKey.objects.filter(brand=queue.brand).exists()
    return World(queue_id=queue.pk, api_key=api_key,
                 experts={person.pk: person for person in people})


class ExpertDesk(threading.Thread):
    """Some of the experts, each with the workspace open: its heartbeat keeps them present
    (experts/presence; the page sends one over its websocket every
    `PRESENCE_HEARTBEAT_SECONDS`), and each pending offer of theirs is accepted, replied to and
    resolved."""

    def __init__(self, experts: dict[int, ExpertProfile], pause: float = 0.1) -> None:
        super().__init__(daemon=True, name="expert-desk")
        self.experts, self.pause = experts, pause
        self.heartbeat_every = settings.PRESENCE_HEARTBEAT_SECONDS / 2
        self.last_heartbeat = 0.0
        self.stopping = threading.Event()
        self.resolved = 0
        self.database_errors = 0
        self.errors: list[BaseException] = []

    def heartbeat(self) -> None:
        if time.monotonic() - self.last_heartbeat < self.heartbeat_every:
            return
        for expert_id in self.experts:
            presence_services.presence_heartbeat(expert_id=expert_id, active=True,
                                                 now=timezone.now())
        self.last_heartbeat = time.monotonic()

    def step(self) -> None:
        self.heartbeat()
        offers = list(Offer.objects.filter(expert_id__in=list(self.experts),
                                           status=OfferStatus.PENDING)
                      .values_list("pk", "expert_id", "inquiry_id")[:20])
        for offer_id, expert_id, inquiry_id in offers:
            expert = self.experts[expert_id]
            try:
                offers_services.offer_accept(offer_id=offer_id, expert=expert,
                                             now=timezone.now())
                assignments_services.assignment_reply(
                    inquiry_id=inquiry_id, expert=expert, author=expert.user,
                    body="Thanks for waiting: it is on its way.", now=timezone.now())
                assignments_services.assignment_resolve(inquiry_id=inquiry_id, expert=expert,
                                                        now=timezone.now())
                self.resolved += 1
            except DomainError:
                continue  # withdrawn, expired or taken meanwhile: the workspace says so
        self.finish_half_done()

    def finish_half_done(self) -> None:
        """An accepted ticket whose reply or resolve was cut off by an outage is finished, as
        the expert would on finding it still open in the workspace."""
        active = list(Assignment.objects.filter(expert_id__in=list(self.experts),
                                                status=AssignmentStatus.ACTIVE)
                      .values_list("expert_id", "inquiry_id")[:20])
        for expert_id, inquiry_id in active:
            expert = self.experts[expert_id]
            try:
                if not Inquiry.objects.filter(pk=inquiry_id, messages__author=expert.user
                                              ).exists():
                    assignments_services.assignment_reply(
                        inquiry_id=inquiry_id, expert=expert, author=expert.user,
                        body="Thanks for waiting: it is on its way.", now=timezone.now())
                assignments_services.assignment_resolve(inquiry_id=inquiry_id, expert=expert,
                                                        now=timezone.now())
                self.resolved += 1
            except DomainError:
                continue

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                try:
                    self.step()
                except DatabaseError:
                    self.database_errors += 1
                    close_old_connections()
                    connection.close()
                    self.stopping.wait(0.5)
                except BaseException as error:  # reported by the runner
                    self.errors.append(error)
                    return
                self.stopping.wait(self.pause)
        finally:
            connections.close_all()

    def finish(self) -> None:
        self.stopping.set()
        self.join(timeout=30)


HELD_ABOVE_CAPACITY = """
    SELECT count(*) FROM (
        SELECT held.expert_id, held.channel, count(*) AS units FROM (
            SELECT o.expert_id, i.channel FROM {offer} o JOIN {inquiry} i ON i.id = o.inquiry_id
             WHERE o.status = 'pending'
            UNION ALL
            SELECT a.expert_id, i.channel FROM {assignment} a
              JOIN {inquiry} i ON i.id = a.inquiry_id WHERE a.status = 'active'
        ) AS held GROUP BY held.expert_id, held.channel
    ) AS per_expert JOIN {seat} s ON s.expert_id = per_expert.expert_id
    WHERE units > CASE channel WHEN 'chat' THEN s.chat_capacity
                               WHEN 'email' THEN s.email_capacity ELSE s.social_capacity END
"""


def experts_over_capacity() -> int:
    """Experts above a channel's capacity, counted from the rows themselves (pending offers
    plus active assignments, not the seat counters) in one statement, so one snapshot; plus
    seats whose own counters say so."""
    sql = HELD_ABOVE_CAPACITY.format(offer=Offer._meta.db_table,
                                     assignment=Assignment._meta.db_table,
                                     inquiry=Inquiry._meta.db_table,
                                     seat=ExpertSeat._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    held = int(row[0]) if row else 0
    seats = ExpertSeat.objects.filter(chat_load__gt=F("chat_capacity")).count() \
        + ExpertSeat.objects.filter(email_load__gt=F("email_capacity")).count() \
        + ExpertSeat.objects.filter(social_load__gt=F("social_capacity")).count()
    return held + seats


def inquiry_ids(queue_id: int, external_ids: Iterable[str]) -> dict[str, int]:
    return dict(Inquiry.objects.filter(queue_id=queue_id, external_id__in=list(external_ids))
                .values_list("external_id", "pk"))


def offered_any(queue_id: int, external_ids: Iterable[str]) -> bool:
    """Whether routing has offered (or already assigned) one of these inquiries."""
    return Offer.objects.filter(inquiry__queue_id=queue_id,
                                inquiry__external_id__in=list(external_ids)).exists()


def unsettled(ids: Iterable[int]) -> int:
    return Inquiry.objects.filter(pk__in=list(ids)).exclude(status__in=SETTLED).count()


def returned_to_brand(ids: Iterable[int]) -> int:
    """Inquiries the platform gave back to the brand (see `RETURNED`): not lost, but not
    answered by an expert either; a figure of the report."""
    return Inquiry.objects.filter(pk__in=list(ids), status__in=RETURNED).count()


RECENT = timedelta(seconds=30)
# Done with, for the platform: resolved, or back with the brand (handed back when no expert took
# it before its first-response target, or the brand's hours began; escalated; with the brand).
RETURNED = (InquiryStatus.HANDED_BACK, InquiryStatus.ESCALATED, InquiryStatus.WITH_BRAND)
SETTLED = (InquiryStatus.RESOLVED, *RETURNED)
WITH_EXPERT = (InquiryStatus.ASSIGNED, InquiryStatus.ANSWERED,
               InquiryStatus.WAITING_ON_CUSTOMER)


def lost(queue_id: int, external_ids: Iterable[str]) -> list[str]:
    """Accepted inquiries (a 2xx answer) that are missing, or neither settled (resolved, or
    back with the brand, see `RETURNED`) nor moving nor waiting for a reason: received and
    never routed, offered without a live offer, with an expert without an active assignment, or
    queued while an expert who has not passed on it has room."""
    wanted = list(external_ids)
    found = {inquiry.external_id: inquiry
             for inquiry in Inquiry.objects.filter(queue_id=queue_id, external_id__in=wanted)}
    live_offer = set(Offer.objects.filter(status=OfferStatus.PENDING, inquiry__queue_id=queue_id)
                     .values_list("inquiry_id", flat=True))
    active = set(Assignment.objects.filter(status=AssignmentStatus.ACTIVE,
                                           inquiry__queue_id=queue_id)
                 .values_list("inquiry_id", flat=True))
    recent = timezone.now() - RECENT
    missing: list[str] = []
    for external_id in wanted:
        inquiry = found.get(external_id)
        if inquiry is None:
            missing.append(external_id)
            continue
        status = inquiry.status
        if status in SETTLED:
            continue
        if status == InquiryStatus.RECEIVED and inquiry.received_at > recent:
            continue
        if status == InquiryStatus.OFFERED and inquiry.pk in live_offer:
            continue
        if status in WITH_EXPERT and inquiry.pk in active:
            continue
        if status == InquiryStatus.QUEUED:
            passed = offers_selectors.expert_ids_passed_on_inquiry(inquiry_id=inquiry.pk)
            load, capacity = f"{inquiry.channel}_load", f"{inquiry.channel}_capacity"
            room = ExpertSeat.objects.filter(available=True, queue_id=inquiry.queue_id,
                                             **{f"{load}__lt": F(capacity)}) \
                .exclude(expert_id__in=passed)
            if not room.exists():
                continue
        missing.append(external_id)
    return missing


def double_assigned(ids: Iterable[int]) -> int:
    """Inquiries with more than one assignment that was not released (two experts on it)."""
    return Assignment.objects.filter(inquiry_id__in=list(ids)) \
        .exclude(status=AssignmentStatus.RELEASED).values("inquiry_id") \
        .annotate(n=Count("id")).filter(n__gt=1).count()


def double_billed(ids: Iterable[int]) -> int:
    """Inquiries billed by more than one ticket-resolved ledger transaction."""
    return LedgerTransaction.objects.filter(kind=TransactionKind.TICKET_RESOLVED,
                                            reference_inquiry_id__in=list(ids)) \
        .values("reference_inquiry_id").annotate(n=Count("id")).filter(n__gt=1).count()


def unbilled(ids: Iterable[int]) -> int:
    """Resolved inquiries without their ticket-resolved transaction."""
    resolved = set(Inquiry.objects.filter(pk__in=list(ids), status=InquiryStatus.RESOLVED)
                   .values_list("pk", flat=True))
    billed = set(LedgerTransaction.objects.filter(kind=TransactionKind.TICKET_RESOLVED,
                                                  reference_inquiry_id__in=resolved)
                 .values_list("reference_inquiry_id", flat=True))
    return len(resolved - billed)


def replies_delivered_twice(ids: Iterable[int]) -> set[int]:
    """Outbound messages with more than one successful delivery attempt logged."""
    return set(DeliveryAttempt.objects.filter(message__inquiry_id__in=list(ids), succeeded=True)
               .values("message_id").annotate(n=Count("id")).filter(n__gt=1)
               .values_list("message_id", flat=True))


def queue_exists(queue_id: int) -> bool:
    return OverflowQueue.objects.filter(pk=queue_id).exists()


def describe(queue_id: int, external_ids: Iterable[str]) -> list[dict[str, object]]:
    """What happened to these inquiries, for the report of a broken invariant: status, offers,
    assignments and the timeline's event kinds."""
    described: list[dict[str, object]] = []
    for inquiry in Inquiry.objects.filter(queue_id=queue_id, external_id__in=list(external_ids)):
        described.append({
            "external_id": inquiry.external_id, "id": inquiry.pk, "status": inquiry.status,
            "channel": inquiry.channel, "received_at": inquiry.received_at.isoformat(),
            "offers": list(Offer.objects.filter(inquiry=inquiry).order_by("pk")
                           .values_list("expert_id", "status")),
            "assignments": list(Assignment.objects.filter(inquiry=inquiry).order_by("pk")
                                .values_list("expert_id", "status")),
            "events": [f"{at:%H:%M:%S.%f} {kind}: {description}" for at, kind, description in
                       inquiry.events.order_by("created_at", "pk")
                       .values_list("created_at", "kind", "description")],
        })
    return described


def describe_deliveries(message_ids: Iterable[int]) -> list[dict[str, object]]:
    return [{"message_id": message_id,
             "attempts": list(DeliveryAttempt.objects.filter(message_id=message_id)
                              .order_by("number")
                              .values_list("number", "succeeded", "status_code", "error"))}
            for message_id in message_ids]

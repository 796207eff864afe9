"""Reads of expert seats: the routing pool and who is on shift."""


from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.apps import apps
from django.db import connection
from django.db.models import Count

from billing.terms.models import PremiumTier
from experts.profiles.models import ExpertProfile, ExpertStatus
from marketplace.infra.rows import column, table
from routing.engine import Candidate, ExclusionReason
from routing.models import (
    Assignment,
    AssignmentStatus,
    ExpertSeat,
    Offer,
    OfferStatus,
)
from routing.seats.services import CAPACITY_FIELDS, LOAD_FIELDS


def seat_queue_ids(*, expert_id: int) -> list[int]:
    return list(ExpertSeat.objects.filter(expert_id=expert_id, available=True)
                .values_list("queue_id", flat=True))


def seat_for_expert(*, expert_id: int) -> ExpertSeat | None:
    return ExpertSeat.objects.filter(expert_id=expert_id).first()


def expert_is_on_shift_for_queue(*, expert_id: int, queue_id: int, now: datetime) -> bool:
    """Checked in on a shift of the queue that has not ended: the expert holds a seat there
    (check-in opens it; check-out, the shift's end and suspension close it)."""
    return ExpertSeat.objects.filter(expert_id=expert_id, queue_id=queue_id,
                                     shift_ends_at__gt=now).exists()


def seat_premium_tier(*, expert_id: int, queue_id: int) -> str:
    """The premium tier of the shift the expert's seat was opened for, when that seat is on
    `queue_id`; standard (no premium) when they hold no seat there."""
    tier = (ExpertSeat.objects.filter(expert_id=expert_id, queue_id=queue_id)
            .values_list("premium_tier", flat=True).first())
    return PremiumTier.STANDARD if tier is None else tier


def seat_expert_ids_shift_ended(*, now: datetime) -> list[int]:
    return list(ExpertSeat.objects.filter(shift_ends_at__lte=now)
                .values_list("expert_id", flat=True))


@dataclass(frozen=True)
class RoutingPool:
    """What one routing decision reads: the best eligible experts (at most `limit`, in the
    seat index's order) and every other expert the brand could use, counted by the first rule
    they break (`ExclusionReason` values)."""

    shortlist: list[Candidate]
    excluded_counts: dict[str, int]


CERTIFICATION_GRANTED = "granted"
LIVE_BOOKING_STATUSES = ("booked", "checked_in")
"""experts.certification and experts.shifts sit above routing in the layers (pyproject.toml):
routing reads their tables by name, never imports them, and tests/routing/seats checks these
values against theirs."""


@cache
def _pool_sql(channel: str) -> str:
    """The pool statement for one channel, made once per process. The pool is every expert
    certified for the brand (granted or revoked) plus anyone holding a seat on the queue; the
    CASE applies `routing.engine.eligibility.exclusion_reason`'s rules in its order, so the
    engine and the database never disagree on why someone was left out (tests/routing/seats
    checks one expert per reason)."""
    Certification = apps.get_model("experts", "Certification")
    ShiftBooking = apps.get_model("experts", "ShiftBooking")
    ShiftSlot = apps.get_model("experts", "ShiftSlot")
    seat, cert, profile = table(ExpertSeat), table(Certification), table(ExpertProfile)
    booking, slot = table(ShiftBooking), table(ShiftSlot)
    offer, assignment = table(Offer), table(Assignment)
    load = column(ExpertSeat, LOAD_FIELDS[channel])
    capacity = column(ExpertSeat, CAPACITY_FIELDS[channel])
    c = column

    live = ", ".join(f"'{status}'" for status in LIVE_BOOKING_STATUSES)
    reason = ExclusionReason
    return f"""
WITH passed AS (
    SELECT o.{c(Offer, "expert")} AS expert_id FROM {offer} o
    LEFT JOIN {assignment} a ON a.{c(Assignment, "offer")} = o.{c(Offer, "id")}
    WHERE o.{c(Offer, "inquiry")} = %(inquiry)s
      AND (o.{c(Offer, "status")} IN ('{OfferStatus.DECLINED}', '{OfferStatus.EXPIRED}')
           OR a.{c(Assignment, "status")} = '{AssignmentStatus.RELEASED}')
), on_shift AS (
    SELECT DISTINCT b.{c(ShiftBooking, "expert")} AS expert_id FROM {booking} b
    JOIN {slot} sl ON sl.{c(ShiftSlot, "id")} = b.{c(ShiftBooking, "slot")}
    WHERE sl.{c(ShiftSlot, "queue")} = %(queue)s
      AND b.{c(ShiftBooking, "status")} IN ({live})
      AND b.{c(ShiftBooking, "starts_at")} <= %(now)s AND b.{c(ShiftBooking, "ends_at")} > %(now)s
), pool AS (
    SELECT {c(Certification, "expert")} AS expert_id, {c(Certification, "status")} AS certified
    FROM {cert} WHERE {c(Certification, "brand")} = %(brand)s
    UNION ALL
    SELECT s.{c(ExpertSeat, "expert")}, NULL FROM {seat} s
    WHERE s.{c(ExpertSeat, "queue")} = %(queue)s AND NOT EXISTS (
        SELECT 1 FROM {cert} held
        WHERE held.{c(Certification, "expert")} = s.{c(ExpertSeat, "expert")}
          AND held.{c(Certification, "brand")} = %(brand)s)
), judged AS (
    SELECT pool.expert_id, p.{c(ExpertProfile, "display_name")} AS name,
           s.{c(ExpertSeat, "languages")} AS languages, s.{c(ExpertSeat, "skills")} AS skills,
           s.{load} AS load, s.{capacity} AS capacity,
           s.{c(ExpertSeat, "idle_since")} AS idle_since,
           s.{c(ExpertSeat, "quality_score")} AS quality_score,
           CASE
             WHEN p.{c(ExpertProfile, "status")} <> '{ExpertStatus.APPROVED}'
               THEN '{reason.NOT_APPROVED}'
             WHEN pool.certified IS DISTINCT FROM '{CERTIFICATION_GRANTED}'
               THEN '{reason.NOT_CERTIFIED}'
             WHEN s.{c(ExpertSeat, "id")} IS NULL AND on_shift.expert_id IS NULL
               THEN '{reason.OFF_SHIFT}'
             WHEN s.{c(ExpertSeat, "id")} IS NULL THEN '{reason.NOT_CHECKED_IN}'
             WHEN NOT s.{c(ExpertSeat, "available")} THEN '{reason.AWAY}'
             WHEN pool.expert_id IN (SELECT expert_id FROM passed)
               THEN '{reason.DECLINED_BEFORE}'
             WHEN NOT s.{c(ExpertSeat, "languages")} @> ARRAY[%(language)s]::varchar[]
               THEN '{reason.LANGUAGE}'
             WHEN NOT s.{c(ExpertSeat, "skills")} @> %(skills)s::varchar[]
               THEN '{reason.SKILL}'
             WHEN s.{load} >= s.{capacity} THEN '{reason.AT_CAPACITY}'
             ELSE ''
           END AS reason
    FROM pool
    JOIN {profile} p ON p.{c(ExpertProfile, "id")} = pool.expert_id
    LEFT JOIN on_shift ON on_shift.expert_id = pool.expert_id
    LEFT JOIN {seat} s ON s.{c(ExpertSeat, "expert")} = pool.expert_id
                      AND s.{c(ExpertSeat, "queue")} = %(queue)s
                      AND s.{c(ExpertSeat, "shift_ends_at")} > %(now)s
)
SELECT reason, count(*), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM judged WHERE reason <> '' GROUP BY reason
UNION ALL
(SELECT '', 0, expert_id, name, languages, skills, load, capacity, idle_since, quality_score
 FROM judged WHERE reason = '' ORDER BY load, idle_since, expert_id LIMIT %(limit)s)
"""  # noqa: S608 (model identifiers and enum values; values bound)


def routing_pool(
    *, inquiry_id: int, brand_id: int, queue_id: int, channel: str, language: str,
    skills: Iterable[str], now: datetime, limit: int,
) -> RoutingPool:
    """One statement, whatever the number of experts: it judges every expert certified for
    the brand (approved, certified, on a shift of the queue now, checked in, not away, not
    passed on this inquiry before, speaks its language, has its skills, has room on its
    channel) and returns the eligible shortlist by name plus the others' counts by reason.

    Profiled (issue 12 §7): the ORM version read the passed experts, the shortlist and the
    neighbours in three querysets whose building and compiling cost more CPU than PostgreSQL
    spent answering; this SQL is made once per process and returns plain tuples, no model
    instances."""
    with connection.cursor() as cursor:
        cursor.execute(_pool_sql(channel), {
            "inquiry": inquiry_id, "brand": brand_id, "queue": queue_id, "now": now,
            "language": language, "skills": list(skills), "limit": limit,
        })
        rows = cursor.fetchall()
    shortlist: list[Candidate] = []
    counts: dict[str, int] = {}
    for (reason, count, expert_id, name, languages, seat_skills, load, capacity, idle_since,
         quality_score) in rows:
        if reason:
            counts[reason] = count
            continue
        shortlist.append(Candidate(
            expert_id=expert_id, approved=True, certified=True, on_shift=True,
            checked_in=True, languages=frozenset(languages), skills=frozenset(seat_skills),
            active_load=load, capacity=capacity, idle_since=idle_since,
            quality_score=quality_score, name=name,
        ))
    return RoutingPool(shortlist=shortlist, excluded_counts=counts)


def available_seat_counts_by_queue() -> dict[int, int]:
    """Per queue id, the experts routing may offer work to now: an open seat, marked available
    (present, not away)."""
    return dict(ExpertSeat.objects.filter(available=True).order_by().values("queue_id")
                .annotate(total=Count("pk")).values_list("queue_id", "total"))

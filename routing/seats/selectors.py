"""Reads of expert seats: the shortlist and who is on shift."""


from collections.abc import Iterable
from datetime import datetime

from django.db.models import (
    F,
    QuerySet,
)

from billing.terms.models import PremiumTier
from routing.engine import Candidate
from routing.models import (
    ExpertSeat,
)
from routing.seats.services import CAPACITY_FIELDS, LOAD_FIELDS


def _seat_candidate(seat: ExpertSeat, channel: str) -> Candidate:
    return Candidate(
        expert_id=seat.expert_id, approved=True, certified=True, on_shift=True,
        checked_in=True, languages=frozenset(seat.languages), skills=frozenset(seat.skills),
        active_load=getattr(seat, LOAD_FIELDS[channel]),
        capacity=getattr(seat, CAPACITY_FIELDS[channel]),
        idle_since=seat.idle_since, quality_score=seat.quality_score,
    )


def _open_seats(*, queue_id: int, channel: str, now: datetime) -> QuerySet[ExpertSeat]:
    load = LOAD_FIELDS[channel]
    return (
        ExpertSeat.objects.filter(queue_id=queue_id, available=True, shift_ends_at__gt=now)
        .order_by(load, "idle_since", "expert_id")
    )


def seat_shortlist(
    *, queue_id: int, channel: str, language: str, excluded_expert_ids: Iterable[int],
    now: datetime, limit: int, skills: Iterable[str] = (),
) -> list[Candidate]:
    """The best eligible seats in ranking order, read through the per-channel rank index: one
    query whatever the number of experts on shift. The database orders by load and idle time
    (the index); the engine then ranks the shortlist by the whole policy."""
    load, capacity = LOAD_FIELDS[channel], CAPACITY_FIELDS[channel]
    seats = _open_seats(queue_id=queue_id, channel=channel, now=now).filter(
        **{f"{load}__lt": F(capacity)}, languages__contains=[language],
        skills__contains=list(skills),
    ).exclude(expert_id__in=list(excluded_expert_ids))
    return [_seat_candidate(seat, channel) for seat in seats[:limit]]


def seat_neighbours(*, queue_id: int, channel: str, now: datetime,
                    limit: int) -> list[Candidate]:
    """The queue's seats nearest the top of the ranking, eligible or not, so a decision can
    explain why the experts it passed over were left out."""
    seats = _open_seats(queue_id=queue_id, channel=channel, now=now)
    return [_seat_candidate(seat, channel) for seat in seats[:limit]]


def seat_queue_ids(*, expert_id: int) -> list[int]:
    return list(ExpertSeat.objects.filter(expert_id=expert_id, available=True)
                .values_list("queue_id", flat=True))


def seat_for_expert(*, expert_id: int) -> ExpertSeat | None:
    return ExpertSeat.objects.filter(expert_id=expert_id).first()


def seat_premium_tier(*, expert_id: int, queue_id: int) -> str:
    """The premium tier of the shift the expert's seat was opened for, when that seat is on
    `queue_id`; standard (no premium) when they hold no seat there."""
    tier = (ExpertSeat.objects.filter(expert_id=expert_id, queue_id=queue_id)
            .values_list("premium_tier", flat=True).first())
    return PremiumTier.STANDARD if tier is None else tier


def seat_expert_ids_shift_ended(*, now: datetime) -> list[int]:
    return list(ExpertSeat.objects.filter(shift_ends_at__lte=now)
                .values_list("expert_id", flat=True))

"""Opening, closing and loading expert seats (see `ExpertSeat`). Other apps call these when an
expert checks in or out or is suspended; routing calls them as work is offered and finished."""


from datetime import datetime
from functools import cache

from django.db import connection
from django.db.models import F

from marketplace.infra.push import push_ops_board_changed_on_commit
from marketplace.infra.rows import column, table
from routing.models import Assignment, AssignmentStatus, ExpertSeat, Offer, OfferStatus

LOAD_FIELDS = {"chat": "chat_load", "email": "email_load", "social": "social_load"}


CAPACITY_FIELDS = {"chat": "chat_capacity", "email": "email_capacity",
                   "social": "social_capacity"}


def _current_load(expert_id: int) -> dict[str, int]:
    load = dict.fromkeys(LOAD_FIELDS.values(), 0)
    for channel in Offer.objects.filter(expert_id=expert_id, status=OfferStatus.PENDING) \
            .values_list("inquiry__channel", flat=True):
        load[LOAD_FIELDS[channel]] += 1
    for channel in Assignment.objects.filter(expert_id=expert_id,
                                             status=AssignmentStatus.ACTIVE) \
            .values_list("inquiry__channel", flat=True):
        load[LOAD_FIELDS[channel]] += 1
    return load


def seat_open(
    *,
    expert_id: int,
    queue_id: int,
    languages: list[str],
    skills: list[str],
    quality_score: float,
    shift_ends_at: datetime,
    premium_tier: str,
    now: datetime,
) -> ExpertSeat:
    """Opens (or moves) the expert's seat. The load starts from the work the expert actually
    holds, so a seat reopened mid-conversation is not mistaken for an empty one. The shift's
    `premium_tier` rides on the seat so that an accepted offer can keep it, and routing
    never reads shifts to pay the expert. The caller has checked that the expert is approved,
    certified and on shift."""
    seat, _ = ExpertSeat.objects.update_or_create(
        expert_id=expert_id,
        defaults={
            "queue_id": queue_id, "languages": languages, "skills": skills,
            "quality_score": quality_score, "shift_ends_at": shift_ends_at,
            "premium_tier": premium_tier, "available": True, "idle_since": now,
            "opened_at": now, **_current_load(expert_id),
        },
    )
    push_ops_board_changed_on_commit()
    return seat


def seat_close(*, expert_id: int) -> bool:
    deleted, _ = ExpertSeat.objects.filter(expert_id=expert_id).delete()
    if deleted:
        push_ops_board_changed_on_commit()
    return deleted > 0


def seat_take(*, expert_id: int, channel: str, wait: bool = False) -> bool:
    """Takes one unit of the expert's capacity on `channel`, atomically: the update matches no
    row when the seat is gone, unavailable or full, and then returns False.

    Deadlock rule (found by the fault test): a transaction releases seats first, in expert
    order, and only then takes; only a transaction that holds no other seat may wait for one
    (`wait=True`). Every other take locks with SKIP LOCKED: a seat another transaction is
    changing right now counts as taken, and routing moves on to the next-ranked expert. So no
    transaction ever waits for a seat while holding one that another transaction waits for."""
    with connection.cursor() as cursor:
        cursor.execute(_take_sql(channel, wait), [expert_id])
        return cursor.rowcount == 1


@cache
def _take_sql(channel: str, wait: bool) -> str:
    """The take's UPDATE, made once per process: it runs once or more in every routing decision,
    and built as a queryset its compiling cost more CPU than PostgreSQL's work (profiled, issue
    12 §7). Without `wait`, the conditions sit on the locking subquery itself, so PostgreSQL
    rechecks them on the newest row version before locking it."""
    seats = table(ExpertSeat)
    load = column(ExpertSeat, LOAD_FIELDS[channel])
    capacity = column(ExpertSeat, CAPACITY_FIELDS[channel])
    expert, available = column(ExpertSeat, "expert"), column(ExpertSeat, "available")
    pk = column(ExpertSeat, "id")
    room = f"{expert} = %s AND {available} AND {load} < {capacity}"
    if wait:
        return f"UPDATE {seats} SET {load} = {load} + 1 WHERE {room}"  # noqa: S608 (model identifiers; values bound)
    return (f"UPDATE {seats} SET {load} = {load} + 1 WHERE {pk} IN "  # noqa: S608 (model identifiers; values bound)
            f"(SELECT {pk} FROM {seats} WHERE {room} FOR UPDATE SKIP LOCKED)")


def seat_release(*, expert_id: int, channel: str, now: datetime | None = None) -> None:
    """Gives one unit back; with `now`, the expert also counts as idle from then on."""
    load = LOAD_FIELDS[channel]
    changes: dict[str, object] = {load: F(load) - 1}
    if now is not None:
        changes["idle_since"] = now
    ExpertSeat.objects.filter(expert_id=expert_id, **{f"{load}__gt": 0}).update(**changes)


def seat_set_available(*, expert_id: int, available: bool, now: datetime) -> bool:
    changes: dict[str, object] = {"available": available}
    if available:
        changes["idle_since"] = now
    changed = ExpertSeat.objects.filter(expert_id=expert_id).update(**changes) == 1
    if changed:
        push_ops_board_changed_on_commit()
    return changed

"""Presence: available, away or offline, kept by the websocket heartbeat.

Routing sees presence through the seat's `available` flag: away and offline experts get no new
offers, and coming back to available pulls waiting work to them at once.

- The expert's page sends a heartbeat over its websocket every 20 s, saying whether the person
  moved, typed or clicked since the last one (`active`).
- No activity for `PRESENCE_IDLE_SECONDS` turns an available expert away; activity brings them
  back, unless they chose away by hand.
- No heartbeat for `PRESENCE_OFFLINE_SECONDS` (the socket is gone past a grace period, so a
  reconnect after a network blip changes nothing) makes them offline; the sweep does that.
"""


from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from experts.presence.models import ExpertPresence, PresenceStatus
from marketplace.infra.errors import DomainError
from marketplace.infra.push import push_to_expert_on_commit
from marketplace.infra.tasking import enqueue_on_commit
from routing.seats import services as seats

SWEEP_BATCH = 500


def idle_after() -> timedelta:
    return timedelta(seconds=settings.PRESENCE_IDLE_SECONDS)


def offline_after() -> timedelta:
    return timedelta(seconds=settings.PRESENCE_OFFLINE_SECONDS)


def presence_status_at(presence: ExpertPresence, now: datetime) -> str:
    """What the expert's presence is at `now`, from the heartbeat, activity and their choice."""
    heartbeat = presence.last_heartbeat_at
    if heartbeat is None or now - heartbeat > offline_after():
        return PresenceStatus.OFFLINE
    if presence.chosen_status == PresenceStatus.AWAY:
        return PresenceStatus.AWAY
    activity = presence.last_activity_at
    if activity is None or now - activity > idle_after():
        return PresenceStatus.AWAY
    return PresenceStatus.AVAILABLE


def _lock(expert_id: int, now: datetime) -> ExpertPresence:
    presence, _ = ExpertPresence.objects.select_for_update().get_or_create(
        expert_id=expert_id, defaults={"changed_at": now}
    )
    return presence


def _settle(presence: ExpertPresence, now: datetime, changed_fields: list[str],
            *, announce: bool = True) -> ExpertPresence:
    """Saves the presence with its status at `now`. A change moves the routing seat's
    availability, is pushed to the expert's pages (with `announce`), and coming back pulls
    waiting work. Caller holds the presence row lock."""
    status = presence_status_at(presence, now)
    became = status != presence.status
    if became:
        presence.status = status
        presence.changed_at = now
        changed_fields += ["status", "changed_at"]
    presence.save(update_fields=changed_fields)
    if became:
        available = status == PresenceStatus.AVAILABLE
        if seats.seat_set_available(expert_id=presence.expert_id, available=available, now=now) \
                and available:
            enqueue_on_commit("routing.expert_capacity_freed", presence.expert_id)
        if announce:
            push_to_expert_on_commit(presence.expert_id, "presence.changed", status=status)
    return presence


def presence_heartbeat(*, expert_id: int, active: bool, now: datetime,
                       announce: bool = True) -> ExpertPresence:
    """A heartbeat from one of the expert's live sockets; `active` when the person did
    something since the last one. A socket that just connected sends one without `announce`:
    its page already shows the presence it gets (it just loaded, so the expert is active)."""
    with transaction.atomic():
        presence = _lock(expert_id, now)
        presence.last_heartbeat_at = now
        fields = ["last_heartbeat_at"]
        if active:
            presence.last_activity_at = now
            fields.append("last_activity_at")
        return _settle(presence, now, fields, announce=announce)


def presence_choose(*, expert_id: int, chosen: str, now: datetime) -> ExpertPresence:
    """The expert sets themselves away or available by hand; saying so counts as activity."""
    if chosen not in (PresenceStatus.AVAILABLE, PresenceStatus.AWAY):
        raise DomainError("Choose available or away.", code="presence_invalid")
    with transaction.atomic():
        presence = _lock(expert_id, now)
        presence.chosen_status = chosen
        presence.last_activity_at = now
        return _settle(presence, now, ["chosen_status", "last_activity_at"])


def presence_after_check_in(*, expert_id: int, now: datetime) -> bool:
    """Checking in happens on the workspace page, so the expert is there and active: they count
    as connected until their socket's heartbeats take over (or stop). Their choice of away
    stands. Returns whether they are available. Runs inside the check-in transaction and
    before the seat opens, so the lock order is the heartbeat's: presence row, then seat."""
    presence = _lock(expert_id, now)
    presence.last_activity_at = now
    presence.last_heartbeat_at = max(presence.last_heartbeat_at or now, now)
    presence = _settle(presence, now, ["last_activity_at", "last_heartbeat_at"])
    return presence.status == PresenceStatus.AVAILABLE


def presence_sweep(*, now: datetime) -> int:
    """Turns idle experts away and silent ones offline. Returns how many changed."""
    idle = Q(status=PresenceStatus.AVAILABLE) & (
        Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=now - idle_after())
    )
    silent = Q(last_heartbeat_at__isnull=True) | Q(last_heartbeat_at__lt=now - offline_after())
    candidates = ExpertPresence.objects.exclude(status=PresenceStatus.OFFLINE) \
        .filter(idle | silent).values_list("expert_id", flat=True)[:SWEEP_BATCH]
    changed = 0
    for expert_id in list(candidates):
        with transaction.atomic():
            presence = _lock(expert_id, now)
            before = presence.status
            _settle(presence, now, [])
            changed += presence.status != before
    return changed

"""Every non-trivial read on the supply side."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Exists, OuterRef, QuerySet

from experts.models import (
    BookingStatus,
    Certification,
    CertificationStatus,
    ExpertProfile,
    ExpertStatus,
    ShiftBooking,
)
from marketplace.errors import NotFound


@dataclass(frozen=True)
class ShiftCandidate:
    """An expert booked on a shift of the queue that is live at `now`, as routing needs them."""

    expert_id: int
    status: str
    certified: bool
    checked_in: bool
    languages: tuple[str, ...]
    skills: tuple[str, ...]
    idle_since: datetime
    quality_score: float


def expert_profile_for_user(*, user: User | AnonymousUser) -> ExpertProfile | None:
    if not user.is_authenticated:
        return None
    return ExpertProfile.objects.filter(user=user).first()


def expert_get(*, expert_id: int) -> ExpertProfile:
    expert = ExpertProfile.objects.select_related("user").filter(pk=expert_id).first()
    if expert is None:
        raise NotFound("Expert not found.")
    return expert


def expert_list_shift_candidates(
    *, queue_id: int, brand_id: int, now: datetime
) -> list[ShiftCandidate]:
    """One query: every expert with a live booking on a shift of this queue covering `now`."""
    certified = Certification.objects.filter(
        expert_id=OuterRef("expert_id"), brand_id=brand_id, status=CertificationStatus.GRANTED
    )
    bookings = (
        ShiftBooking.objects.filter(
            slot__queue_id=queue_id,
            slot__starts_at__lte=now,
            slot__ends_at__gt=now,
            status__in=[BookingStatus.BOOKED, BookingStatus.CHECKED_IN],
        )
        .annotate(certified=Exists(certified))
        .values_list(
            "expert_id", "expert__status", "certified", "status", "expert__languages",
            "expert__skills", "expert__idle_since", "expert__quality_score",
        )
    )
    candidates: dict[int, ShiftCandidate] = {}
    for (expert_id, status, is_certified, booking_status, languages, skills, idle_since,
         quality) in bookings:
        checked_in = booking_status == BookingStatus.CHECKED_IN
        if expert_id in candidates and not checked_in:
            continue
        candidates[expert_id] = ShiftCandidate(
            expert_id=expert_id, status=status, certified=is_certified, checked_in=checked_in,
            languages=tuple(languages), skills=tuple(skills), idle_since=idle_since,
            quality_score=quality,
        )
    return list(candidates.values())


def expert_queue_ids_checked_in(*, expert_id: int, now: datetime) -> list[int]:
    """The queues the expert is on shift and checked in for at `now`."""
    return list(
        ShiftBooking.objects.filter(
            expert_id=expert_id, status=BookingStatus.CHECKED_IN,
            slot__starts_at__lte=now, slot__ends_at__gt=now,
        ).values_list("slot__queue_id", flat=True).distinct()
    )


def booking_list_for_expert(*, expert: ExpertProfile, now: datetime) -> QuerySet[ShiftBooking]:
    """The expert's current and upcoming shifts, soonest first."""
    return (
        ShiftBooking.objects.filter(
            expert=expert, slot__ends_at__gt=now,
            status__in=[BookingStatus.BOOKED, BookingStatus.CHECKED_IN],
        )
        .select_related("slot__queue__brand")
        .order_by("slot__starts_at")
    )


def expert_list_for_ops(*, status: str | None = None) -> QuerySet[ExpertProfile]:
    experts = ExpertProfile.objects.select_related("user").order_by("status", "display_name")
    if status:
        experts = experts.filter(status=status)
    return experts


def expert_is_approved(*, expert: ExpertProfile) -> bool:
    return expert.status == ExpertStatus.APPROVED

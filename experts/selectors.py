"""Every non-trivial read on the supply side."""

from datetime import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from experts.models import (
    BookingStatus,
    ExpertProfile,
    ExpertStatus,
    ShiftBooking,
)
from marketplace.errors import NotFound


def expert_profile_for_user(*, user: User | AnonymousUser) -> ExpertProfile | None:
    if not user.is_authenticated:
        return None
    return ExpertProfile.objects.filter(user=user).first()


def expert_get(*, expert_id: int) -> ExpertProfile:
    expert = ExpertProfile.objects.select_related("user").filter(pk=expert_id).first()
    if expert is None:
        raise NotFound("Expert not found.")
    return expert


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

"""Helpers for shift tests: certified experts and future slots, built through the services."""

from datetime import datetime, timedelta

from billing.terms.models import PremiumTier
from experts.certification import services as certification_services
from experts.profiles.models import ExpertProfile
from experts.shifts.models import ShiftBooking, ShiftSlot
from experts.shifts.services import booking as shifts_booking
from experts.shifts.services import publishing as shifts_publishing
from marketplace.queues.models import OverflowQueue
from tests import factories


def certified_expert(*, on: OverflowQueue, now: datetime, time_zone: str = "Europe/Lisbon",
                     **kwargs: object) -> ExpertProfile:
    expert = factories.expert(now=now, **kwargs)  # type: ignore[arg-type]
    certification_services.certification_grant(expert=expert, brand=on.brand, now=now)
    if time_zone != expert.time_zone:
        ExpertProfile.objects.filter(pk=expert.pk).update(time_zone=time_zone)
        expert.refresh_from_db()
    return expert


def slot(*, on: OverflowQueue, starts_at: datetime, hours: float = 5, headcount: int = 1,
         tier: str = PremiumTier.STANDARD, is_hot: bool = False) -> ShiftSlot:
    return shifts_publishing.shift_slot_create(
        queue=on, starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours),
        headcount=headcount, premium_tier=tier, is_hot=is_hot,
    )


def book(slot_: ShiftSlot, expert: ExpertProfile, now: datetime) -> ShiftBooking:
    return shifts_booking.shift_booking_create(slot=slot_, expert=expert, now=now)

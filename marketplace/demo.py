"""Demo data for `make run`: one brand with an always-covered queue, two experts on a shift that
is live now, an ops user. Running it again creates no duplicates."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction

from experts import services as expert_services
from experts import shift_services
from experts.models import BookingStatus, ExpertProfile, ExpertStatus, ShiftBooking, ShiftSlot
from marketplace import services
from marketplace.models import ApiKey, Brand, BrandMembership, BrandRole, OverflowQueue

DEMO_PASSWORD = "shiftline-demo"  # noqa: S105 (demo data, printed by make run)
DEMO_API_KEY = "sl_demo0001_northwind-demo-key-not-for-production"
DEMO_SHIFT_HOURS = 12


@dataclass(frozen=True)
class DemoLogins:
    brand_admin: str
    experts: tuple[str, ...]
    ops: str
    password: str
    api_key: str


def _user(email: str, *, first_name: str, is_staff: bool = False) -> User:
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=email, defaults={"email": email, "first_name": first_name, "is_staff": is_staff,
                                  "is_superuser": is_staff},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _approved_expert(email: str, name: str, system: User, now: datetime) -> ExpertProfile:
    user = _user(email, first_name=name)
    expert = ExpertProfile.objects.filter(user=user).first()
    if expert is None:
        expert = expert_services.expert_profile_create(
            user=user, display_name=name, time_zone="Europe/Lisbon", languages=["en", "pt"],
            now=now,
        )
    if expert.status != ExpertStatus.APPROVED:
        expert = expert_services.expert_decide(
            expert=expert, to_status=ExpertStatus.APPROVED, decided_by=system,
            reason="Demo data: vetted expert.", now=now,
        )
    return expert


@transaction.atomic
def seed_demo(*, now: datetime) -> DemoLogins:
    ops = _user("ops@shiftline.demo", first_name="Olivia", is_staff=True)
    brand, _ = Brand.objects.get_or_create(
        slug="northwind", defaults={"name": "Northwind Outfitters"}
    )
    brand_admin = _user("brand@shiftline.demo", first_name="Bea")
    BrandMembership.objects.get_or_create(brand=brand, user=brand_admin,
                                          defaults={"role": BrandRole.OWNER})
    queue, _ = OverflowQueue.objects.get_or_create(
        brand=brand, name="Always covered (demo)",
        defaults={"time_zone": "Europe/Dublin", "covers_after_hours": True,
                  "covers_weekends": True,
                  "price_per_ticket_minor": 450, "expert_rate_minor": 300, "currency": "EUR"},
    )
    if not ApiKey.objects.filter(prefix=DEMO_API_KEY.split("_")[1]).exists():
        services.api_key_create(brand=brand, name="Demo key", raw_key=DEMO_API_KEY)

    experts = [
        _approved_expert("ada@shiftline.demo", "Ada Lovelace", ops, now),
        _approved_expert("grace@shiftline.demo", "Grace Hopper", ops, now),
    ]
    slot = ShiftSlot.objects.filter(queue=queue, starts_at__lte=now,
                                    ends_at__gt=now + timedelta(hours=1)).first()
    if slot is None:
        start = now.replace(minute=0, second=0, microsecond=0)
        slot = shift_services.shift_slot_create(
            queue=queue, starts_at=start, ends_at=start + timedelta(hours=DEMO_SHIFT_HOURS),
            headcount=len(experts),
        )
    for expert in experts:
        expert_services.certification_grant(expert=expert, brand=brand, now=now)
        booking = shift_services.shift_booking_create(slot=slot, expert=expert, now=now)
        if booking.status == BookingStatus.BOOKED:
            shift_services.shift_booking_check_in(booking_id=booking.pk, expert=expert, now=now)
    assert ShiftBooking.objects.filter(slot=slot, status=BookingStatus.CHECKED_IN).count() >= 2
    return DemoLogins(
        brand_admin=brand_admin.username,
        experts=tuple(expert.user.username for expert in experts),
        ops=ops.username,
        password=DEMO_PASSWORD,
        api_key=DEMO_API_KEY,
    )

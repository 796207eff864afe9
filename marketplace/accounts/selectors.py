"""Which time zone a person's pages show times in: the one rule, for the pages' middleware and
for the live sockets that render HTML."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import OuterRef, Subquery

from experts.profiles.models import ExpertProfile
from marketplace.accounts.models import AccountSettings
from marketplace.onboarding.models import BrandMembership
from marketplace.queues.models import OverflowQueue

DEFAULT_TIME_ZONE = "UTC"


@dataclass(frozen=True)
class ViewerTimeZone:
    # The IANA zone the person's pages show times in.
    name: str
    # The zone they chose themselves (an expert's profile zone counts); "" when it is a default.
    chosen: str
    # What applies while they choose none: their brand's first queue's zone, else UTC.
    default: str
    # Experts must have a zone (it places their shifts); others may go back to the default.
    required: bool


def account_time_zone_detail(*, user: User | AnonymousUser | AbstractBaseUser) -> ViewerTimeZone:
    """Ops staff: their own choice, else UTC. An expert (or applicant): their profile's zone.
    A brand member: their own choice, else the zone of their brand's first queue, else UTC.
    One query."""
    if not user.is_authenticated:
        return ViewerTimeZone(name=DEFAULT_TIME_ZONE, chosen="", default=DEFAULT_TIME_ZONE,
                              required=False)
    first_brand = BrandMembership.objects.filter(user=OuterRef(OuterRef("pk"))).order_by("pk")
    row = User.objects.filter(pk=user.pk).annotate(
        own_zone=Subquery(AccountSettings.objects.filter(user=OuterRef("pk")).values("time_zone")),
        expert_zone=Subquery(ExpertProfile.objects.filter(user=OuterRef("pk")).values("time_zone")),
        brand_zone=Subquery(
            OverflowQueue.objects.filter(brand_id=Subquery(first_brand.values("brand_id")[:1]))
            .order_by("pk").values("time_zone")[:1]),
    ).values("is_staff", "own_zone", "expert_zone", "brand_zone").first()
    if row is None:
        return ViewerTimeZone(name=DEFAULT_TIME_ZONE, chosen="", default=DEFAULT_TIME_ZONE,
                              required=False)
    if row["expert_zone"] and not row["is_staff"]:
        return ViewerTimeZone(name=row["expert_zone"], chosen=row["expert_zone"],
                              default=DEFAULT_TIME_ZONE, required=True)
    default = (None if row["is_staff"] else row["brand_zone"]) or DEFAULT_TIME_ZONE
    chosen = row["own_zone"] or ""
    return ViewerTimeZone(name=chosen or default, chosen=chosen, default=default, required=False)


def account_time_zone(*, user: User | AnonymousUser | AbstractBaseUser) -> str:
    """The IANA zone this person's pages show times in (see `account_time_zone_detail`)."""
    return account_time_zone_detail(user=user).name

"""A person changes their own settings."""

from django.contrib.auth.models import User
from django.db import transaction

from experts.profiles import services as profiles_services
from experts.profiles.selectors import expert_profile_for_user
from marketplace.accounts.models import AccountSettings
from marketplace.infra.errors import FieldErrors
from marketplace.infra.timezones import is_time_zone


@transaction.atomic
def account_time_zone_set(*, user: User, time_zone: str) -> str:
    """Sets the zone the person's pages show times in and returns it. An expert's is their
    profile's zone (it also places their shifts) and cannot be emptied; anyone else may empty
    it to go back to the default (`account_time_zone_detail`)."""
    zone = time_zone.strip()
    expert = None if user.is_staff else expert_profile_for_user(user=user)
    if zone and not is_time_zone(zone):
        raise FieldErrors({"time_zone": [
            f"{zone[:64]!r} is not a time zone we know: pick one from the list, such as "
            "Europe/Dublin or America/New_York."]})
    if expert is not None:
        if not zone:
            raise FieldErrors({"time_zone": ["Choose your time zone: it also places your shifts."]})
        profiles_services.expert_time_zone_set(expert=expert, time_zone=zone)
        return zone
    AccountSettings.objects.update_or_create(user=user, defaults={"time_zone": zone})
    return zone

"""IANA time-zone names, checked in one place, and the short name a time is shown with."""

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from django.core.exceptions import ValidationError


@cache
def time_zone_names() -> tuple[str, ...]:
    """Every IANA zone this machine knows, sorted: what a person picks their zone from. The
    legacy aliases ("US/Eastern", "Etc/GMT+5") are left out of the list, still accepted."""
    return tuple(sorted(name for name in available_timezones()
                        if ("/" in name and not name.startswith(("Etc/", "SystemV/", "US/")))
                        or name == "UTC"))


def is_time_zone(value: str) -> bool:
    return value in _known_zones()


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def validate_time_zone(value: str) -> None:
    if not is_time_zone(value):
        raise ValidationError(f"{value!r} is not an IANA time zone such as Europe/Dublin.")


def zone_abbreviation(instant: datetime) -> str:
    """"CET", "EDT", "UTC"; a zone without letters (tzdata writes "+0545", "-03") reads as
    "UTC+05:45", "UTC-03"."""
    name = instant.tzname() or "UTC"
    if name[:1] not in "+-":
        return name
    sign, digits = name[0], name[1:]
    return f"UTC{sign}{digits[:2]}:{digits[2:]}" if len(digits) == 4 else f"UTC{sign}{digits}"


def time_in_zone_text(instant: datetime, zone_name: str, pattern: str = "%a %d %b %H:%M") -> str:
    """A time written for a person in their zone, for a message built outside a template:
    "Wed 02 Dec 21:05 CET"."""
    local = instant.astimezone(ZoneInfo(zone_name))
    return f"{local.strftime(pattern)} {zone_abbreviation(local)}"

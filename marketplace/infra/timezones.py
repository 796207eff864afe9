"""IANA time-zone names, checked in one place."""


from zoneinfo import available_timezones

from django.core.exceptions import ValidationError


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(f"{value!r} is not an IANA time zone such as Europe/Dublin.")

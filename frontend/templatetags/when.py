"""`{{ instant|when }}` or `{{ instant|when:"D H:i" }}`: a time in the viewer's zone (activated
by `frontend.timezones.ViewerTimeZoneMiddleware`, or by a live socket for its recipient) with
the zone's abbreviation, "Wed 02 Dec 21:05 CET". A time that belongs to a place (a queue's
shift slots) is shown inside Django's `{% timezone slot.queue.time_zone %}` block, labelled with
that zone's name. Loaded in every template (TEMPLATES' builtins)."""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format

from marketplace.infra.timezones import time_zone_names, zone_abbreviation

register = template.Library()

DEFAULT_FORMAT = "D d M H:i"


@register.filter
def when(value: datetime | None, format_string: str = DEFAULT_FORMAT) -> str:
    if not isinstance(value, datetime):
        return ""
    local = value
    if timezone.is_aware(value) and getattr(value, "convert_to_local_time", True):
        local = timezone.localtime(value)
    if timezone.is_naive(local):
        return date_format(local, format_string)
    return f"{date_format(local, format_string)} {zone_abbreviation(local)}"


@register.inclusion_tag("frontend/includes/time_zone_datalist.html")
def time_zone_datalist() -> dict[str, object]:
    """The `<datalist id="time-zone-names">` a time-zone input searches as the person types."""
    return {"names": time_zone_names()}

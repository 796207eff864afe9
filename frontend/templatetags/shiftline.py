from django import template
from django.conf import settings

register = template.Library()


@register.filter
def negate(value: int) -> int:
    return -int(value)


@register.simple_tag
def presence_heartbeat_seconds() -> int:
    """How often an expert page's live socket sends its presence heartbeat."""
    return int(settings.PRESENCE_HEARTBEAT_SECONDS)

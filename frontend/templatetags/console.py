"""Template helpers of the brand console."""

from datetime import datetime, timedelta

from django import template

from frontend import labels
from marketplace.inquiries.selectors import OPEN_STATUSES

register = template.Library()


def _duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {seconds:02d} s"
    return f"{seconds} s"


@register.filter
def time_left(deadline: datetime, now: datetime) -> str:
    """'4 min 05 s left' or 'overdue by 1 h 02 min'; console.js keeps counting in the page."""
    seconds = int((deadline - now).total_seconds())
    if seconds >= 0:
        return f"{_duration(seconds)} left"
    return f"overdue by {_duration(-seconds)}"


@register.filter
def duration_between(later: datetime, earlier: datetime) -> str:
    return _duration(max(0, int((later - earlier).total_seconds())))


@register.filter
def span(value: timedelta | None) -> str:
    """A duration such as a median reply time: '4 min 05 s', a dash when there is none."""
    return "–" if value is None else _duration(max(0, round(value.total_seconds())))


@register.filter
def percent(share: float | None) -> str:
    return "–" if share is None else f"{round(share * 100)} %"


@register.filter
def is_open(status: str) -> bool:
    return status in OPEN_STATUSES


@register.filter
def event_label(kind: str) -> str:
    """A readable name for a timeline event; unknown kinds read as their words."""
    return labels.label(kind, "event")

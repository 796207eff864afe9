"""Template helpers of the brand console."""

from datetime import datetime

from django import template

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
def percent(share: float | None) -> str:
    return "–" if share is None else f"{round(share * 100)} %"


@register.filter
def is_open(status: str) -> bool:
    return status in OPEN_STATUSES


EVENT_LABELS = {
    "received": "Received",
    "acknowledged": "Acknowledgement sent",
    "auto_reply": "Automatic reply received",
    "coverage": "Coverage decision",
    "waiting": "Waiting for an expert",
    "offered": "Offered",
    "requeued": "Back in the queue",
    "accepted": "Accepted",
    "declined": "Declined",
    "offer_expired": "Offer expired",
    "offer_withdrawn": "Offer withdrawn",
    "reassigned": "Reassigned",
    "at_risk": "At risk",
    "replied": "Reply sent",
    "customer_message": "Customer wrote",
    "customer_replied": "Customer replied",
    "delivery_failed": "Reply not delivered",
    "delivery_bounced": "Reply bounced",
    "acknowledgement_bounced": "Acknowledgement bounced",
    "quoted_another_conversation": "Quoted another conversation",
    "quoted_by_another_sender": "Quoted by another sender",
    "delivery_retried": "Delivery retried",
    "resolved": "Resolved",
    "resolved_quietly": "Resolved (no reply from the customer)",
    "handed_back": "Handed back",
}


@register.filter
def event_label(kind: str) -> str:
    """A readable name for a timeline event; unknown kinds read as their words."""
    return EVENT_LABELS.get(kind, kind.replace("_", " ").capitalize())

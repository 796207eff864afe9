"""The inquiry timeline's writer, shared by every service module of the brand side."""

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User

from marketplace import rows
from marketplace.models import Inquiry, InquiryEvent
from marketplace.push import push_inquiry_changed_on_commit


def inquiry_event(*, kind: str, description: str, now: datetime, actor: User | None = None,
                  data: dict[str, Any] | None = None) -> InquiryEvent:
    """An event as the timeline keeps it, not yet saved: intake writes the first one in the same
    statement as its inquiry (marketplace/services/inquiries.py), every later one goes through
    `inquiry_record_event`."""
    return InquiryEvent(kind=kind, description=description[:500], actor=actor,
                        data=data or {}, created_at=now)


def inquiry_record_event(
    *,
    inquiry: Inquiry,
    kind: str,
    description: str,
    now: datetime,
    actor: User | None = None,
    data: dict[str, Any] | None = None,
    new_in_console: bool = False,
) -> InquiryEvent:
    """Appends to the timeline. Every change of an inquiry after its intake passes here, so this
    is where the brand's live console hears of it (after commit). Intake itself pushes nothing:
    routing's first step (the coverage decision) passes `new_in_console`, and the console puts
    the inquiry on top of its queue then. A hand-written INSERT (marketplace/rows.py): every
    step of every inquiry writes one."""
    event = inquiry_event(kind=kind, description=description, now=now, actor=actor, data=data)
    event.inquiry = inquiry
    rows.insert(event)
    push_inquiry_changed_on_commit(brand_id=inquiry.brand_id, inquiry_id=inquiry.pk,
                                   is_new=new_in_console)
    return event

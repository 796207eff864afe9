"""The inquiry timeline's one writer, shared by every service module of the brand side."""

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User

from marketplace.models import Inquiry, InquiryEvent
from marketplace.push import push_inquiry_changed_on_commit


def inquiry_record_event(
    *,
    inquiry: Inquiry,
    kind: str,
    description: str,
    now: datetime,
    actor: User | None = None,
    data: dict[str, Any] | None = None,
) -> InquiryEvent:
    """Appends to the timeline. Every change of an inquiry passes here, so this is where the
    brand's live console hears of it (after commit)."""
    event = InquiryEvent.objects.create(
        inquiry=inquiry, kind=kind, description=description[:500], actor=actor,
        data=data or {}, created_at=now,
    )
    push_inquiry_changed_on_commit(
        brand_id=inquiry.brand_id, inquiry_id=inquiry.pk, is_new=kind == "received"
    )
    return event

"""The inquiry timeline's one writer, shared by every service module of the brand side."""

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User

from marketplace.models import Inquiry, InquiryEvent


def inquiry_record_event(
    *,
    inquiry: Inquiry,
    kind: str,
    description: str,
    now: datetime,
    actor: User | None = None,
    data: dict[str, Any] | None = None,
) -> InquiryEvent:
    return InquiryEvent.objects.create(
        inquiry=inquiry, kind=kind, description=description[:500], actor=actor,
        data=data or {}, created_at=now,
    )

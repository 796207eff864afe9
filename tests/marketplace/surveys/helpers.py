"""Resolved inquiries to survey: routed, answered and resolved through the services."""

from datetime import datetime

from experts.profiles.models import ExpertProfile
from marketplace.inquiries.models import Inquiry
from marketplace.queues.models import OverflowQueue
from routing.assignments import services as assignments_services
from routing.offers import services as offers_services
from tests import factories


def resolved(queue: OverflowQueue, now: datetime, *, expert: ExpertProfile | None = None,
             **fields: str) -> Inquiry:
    expert = expert or factories.on_shift_expert(on=queue, now=now)
    inquiry = factories.inquiry(on=queue, now=now, **fields)
    offer_id = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now).offer_id
    assert offer_id is not None
    offers_services.offer_accept(offer_id=offer_id, expert=expert, now=now)
    assignments_services.assignment_reply(inquiry_id=inquiry.pk, expert=expert,
                                          author=expert.user, body="Here you go.", now=now)
    assignments_services.assignment_resolve(inquiry_id=inquiry.pk, expert=expert, now=now)
    inquiry.refresh_from_db()
    return inquiry

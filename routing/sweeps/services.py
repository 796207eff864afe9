"""The periodic sweeps that keep work moving: expired offers, inquiries still waiting, deadlines
(handing back at the brand's opening or past the target), silent chats released."""

import logging
from datetime import datetime, timedelta

from marketplace.queues import selectors as queues_selectors
from routing.assignments import selectors as assignments_selectors
from routing.assignments.services import (
    assignment_release_silent,
    expert_leave_routing,
    inquiry_flag_at_risk,
    inquiry_hand_back,
)
from routing.engine.coverage import brand_is_open
from routing.offers import selectors as offers_selectors
from routing.offers.services import SWEEP_BATCH, inquiry_route, offer_expire
from routing.seats import selectors as seats_selectors

logger = logging.getLogger(__name__)


# An inquiry still `received` this long after it arrived lost its routing task (its publish
# failed while Redis was away, or the message was lost): the reconcile, every 5 s, routes it.
# Beat is back within 5 s of Redis (its lock's standby), so an inquiry that arrived during an
# outage has its offer within about 10 s of Redis's return. A task merely queued behind others
# is harmless to route early: routing is idempotent under the inquiry's lock.
RECEIVED_GRACE = timedelta(seconds=4)


def offers_expire_due(*, now: datetime) -> int:
    """The periodic sweep over the indexed `expires_at`: no Celery ETAs for timeouts."""
    return sum(
        offer_expire(offer_id=offer_id, now=now)
        for offer_id in offers_selectors.offer_ids_due_to_expire(now=now, limit=SWEEP_BATCH)
    )


def inquiries_reconcile(*, now: datetime) -> int:
    """Re-routes anything that should be moving and is not, so a lost broker message, a killed
    worker or a Redis restart loses nothing."""
    routed = 0
    for inquiry_id in offers_selectors.inquiry_ids_needing_routing(
        now=now, received_grace=RECEIVED_GRACE, limit=SWEEP_BATCH
    ):
        outcome = inquiry_route(inquiry_id=inquiry_id, now=now, log_empty=False)
        routed += outcome.offer_id is not None
    return routed


BRAND_OPENED = "Handed back: the brand's business hours began before an expert took it."


TARGET_PASSED = "Handed back: no expert could take it before the first-response target."


def deadlines_sweep(*, now: datetime) -> dict[str, int]:
    """Flags inquiries at half their target, hands back those past it, and hands back every
    unassigned inquiry of a queue whose business hours have begun."""
    handed_back = 0
    for queue_id in offers_selectors.queue_ids_with_unassigned_work():
        queue = queues_selectors.queue_get(queue_id=queue_id)
        calendar = queues_selectors.queue_coverage_calendar(queue=queue, now=now)
        if brand_is_open(calendar, now):
            for inquiry_id in offers_selectors.inquiry_ids_unassigned_in_queue(queue_id=queue_id,
                                                                         limit=SWEEP_BATCH):
                handed_back += inquiry_hand_back(inquiry_id=inquiry_id, reason=BRAND_OPENED,
                                                 now=now)
    for inquiry_id in offers_selectors.inquiry_ids_unassigned_past_target(
        now=now, limit=SWEEP_BATCH):
        handed_back += inquiry_hand_back(inquiry_id=inquiry_id, reason=TARGET_PASSED, now=now)
    at_risk = sum(
        inquiry_flag_at_risk(inquiry_id=inquiry_id, now=now)
        for inquiry_id in offers_selectors.inquiry_ids_at_risk(now=now, limit=SWEEP_BATCH)
    )
    seats_closed = 0
    for expert_id in seats_selectors.seat_expert_ids_shift_ended(now=now):
        expert_leave_routing(expert_id=expert_id, now=now, release_assignments=False,
                             reason="The expert's shift ended before they answered.")
        seats_closed += 1
    return {"handed_back": handed_back, "at_risk": at_risk, "seats_closed": seats_closed}


def assignments_release_silent(*, now: datetime) -> int:
    """Reassigns chats accepted but left without a reply past their queue's chat reply
    timeout (default 3 minutes)."""
    released = 0
    for assignment_id in assignments_selectors.assignment_ids_chat_silent_past_queue_timeout(
        now=now, limit=SWEEP_BATCH
    ):
        released += assignment_release_silent(assignment_id=assignment_id, now=now)
    return released

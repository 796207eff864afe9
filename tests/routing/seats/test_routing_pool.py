"""The routing pool judges every expert the brand could use, in the database, with the
engine's rules: one expert per reason, each counted once in the decision log."""

from datetime import datetime, timedelta

import pytest

from experts.certification import services as certification_services
from experts.certification.models import Certification, CertificationStatus
from experts.profiles.models import ExpertProfile, ExpertStatus
from marketplace.queues.models import OverflowQueue
from routing.models import ExpertSeat, Offer, OfferStatus, RoutingDecisionLog
from routing.offers import services as offers_services
from routing.seats import selectors as seats_selectors
from routing.seats import services as seats
from tests import factories

pytestmark = pytest.mark.django_db


def _one_expert_per_reason(queue: OverflowQueue, now: datetime) -> dict[str, ExpertProfile]:
    slot = factories.shift(on=queue, now=now, headcount=20)

    def seated(*, checked_in: bool = True, languages: tuple[str, ...] = ("en",)
               ) -> ExpertProfile:
        return factories.on_shift_expert(on=queue, now=now, slot=slot, checked_in=checked_in,
                                         languages=languages)

    experts = {
        "eligible": seated(),
        "not_approved": seated(),
        "not_certified": seated(),
        "not_checked_in": seated(checked_in=False),
        "away": seated(),
        "declined_before": seated(),
        "language": seated(languages=("pt",)),
        "skill": seated(),
        "at_capacity": seated(),
        "off_shift": factories.expert(now=now),
    }
    certification_services.certification_grant(expert=experts["off_shift"], brand=queue.brand,
                                               now=now)
    # The seat stays open: the pool must not trust it for approval or certification.
    ExpertProfile.objects.filter(pk=experts["not_approved"].pk).update(
        status=ExpertStatus.SUSPENDED)
    Certification.objects.filter(expert=experts["not_certified"]).update(
        status=CertificationStatus.REVOKED)
    seats.seat_set_available(expert_id=experts["away"].pk, available=False, now=now)
    ExpertSeat.objects.filter(expert=experts["at_capacity"]).update(email_load=5,
                                                                   email_capacity=5)
    OverflowQueue.objects.filter(pk=queue.pk).update(required_skills=["returns"])
    ExpertSeat.objects.exclude(expert=experts["skill"]).update(skills=["returns"])
    # Someone on another brand's queue is no part of this brand's pool.
    factories.on_shift_expert(on=factories.queue(), now=now)
    return experts


def test_every_expert_of_the_brand_is_counted_by_the_first_rule_they_break(
    now: datetime, captured_tasks: list
) -> None:
    queue = factories.queue()
    experts = _one_expert_per_reason(queue, now)
    inquiry = factories.inquiry(on=queue, now=now)
    Offer.objects.create(inquiry=inquiry, expert=experts["declined_before"],
                         status=OfferStatus.DECLINED, created_at=now,
                         expires_at=now + timedelta(minutes=2), responded_at=now)

    outcome = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)

    assert outcome.offer_id is not None
    assert Offer.objects.get(pk=outcome.offer_id).expert_id == experts["eligible"].pk
    log = RoutingDecisionLog.objects.get(inquiry=inquiry)
    assert [(row["expert_id"], row["name"]) for row in log.detail["ranked"]] == [
        (experts["eligible"].pk, experts["eligible"].display_name)]
    assert log.detail["excluded_counts"] == {
        reason: 1 for reason in experts if reason != "eligible"}


def test_the_pool_is_one_select(now: datetime, captured_tasks: list,
                                django_assert_num_queries: object) -> None:
    queue = factories.queue()
    _one_expert_per_reason(queue, now)
    inquiry = factories.inquiry(on=queue, now=now)
    queue.refresh_from_db()

    with django_assert_num_queries(1):  # type: ignore[operator]
        pool = seats_selectors.routing_pool(
            inquiry_id=inquiry.pk, brand_id=queue.brand_id, queue_id=queue.pk,
            channel="email", language="en", skills=queue.required_skills, now=now, limit=10)

    assert len(pool.shortlist) == 2  # the eligible one and the one who declined elsewhere
    assert sum(pool.excluded_counts.values()) == 8


def test_an_expert_past_their_shift_end_is_off_shift(now: datetime, captured_tasks: list
                                                     ) -> None:
    queue = factories.queue()
    expert = factories.on_shift_expert(on=queue, now=now)
    later = now + timedelta(hours=9)  # the shift (8 h from an hour ago) is over, the seat open

    pool = seats_selectors.routing_pool(
        inquiry_id=0, brand_id=queue.brand_id, queue_id=queue.pk, channel="email",
        language="en", skills=[], now=later, limit=10)

    assert ExpertSeat.objects.filter(expert=expert).exists()
    assert (pool.shortlist, pool.excluded_counts) == ([], {"off_shift": 1})


def test_the_pool_reads_the_experts_tables_with_their_own_values() -> None:
    from experts.shifts.models import LIVE_BOOKING_STATUSES

    assert seats_selectors.CERTIFICATION_GRANTED == CertificationStatus.GRANTED
    assert set(seats_selectors.LIVE_BOOKING_STATUSES) == set(LIVE_BOOKING_STATUSES)

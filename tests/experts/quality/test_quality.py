"""Quality thresholds: rolling figures, alerts to ops, automatic suspension, reviews by API."""

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from experts.applications.models import ExpertDecision
from experts.attendance import services as attendance
from experts.profiles.models import ExpertProfile, ExpertStatus
from experts.quality import services as quality
from experts.quality.models import InquiryReview, QualityAlert, QualityMetric
from experts.shifts.models import QueueShiftPolicy
from marketplace.inquiries.models import Inquiry
from marketplace.queues.models import OverflowQueue
from routing.assignments import services as assignments_services
from routing.models import ExpertSeat, Offer
from routing.offers import services as offers_services
from tests import factories
from tests.experts.shifting import book, certified_expert, slot

pytestmark = pytest.mark.django_db


def review(expert: ExpertProfile, queue: OverflowQueue, now: datetime, rating: int,
           reason: str = "controllable", age: int = 0) -> InquiryReview:
    """A review stored directly: the figures read only the review rows."""
    inquiry = factories.inquiry(on=queue, now=now)
    return InquiryReview.objects.create(inquiry=inquiry, expert=expert, rating=rating,
                                        legacy_reason=reason,
                                        created_at=now - timedelta(minutes=age))


def offer(expert: ExpertProfile, inquiry: Inquiry, now: datetime, status: str,
          days_ago: int = 0) -> Offer:
    created = now - timedelta(days=days_ago)
    return Offer.objects.create(inquiry=inquiry, expert=expert, status=status,
                                created_at=created, expires_at=created + timedelta(minutes=2))


def test_csat_counts_the_last_50_controllable_reviews(now: datetime, captured_tasks: list
                                                      ) -> None:
    queue = factories.queue()
    expert = factories.expert(now=now)
    review(expert, queue, now, rating=1, age=1000)
    for minutes in range(40):
        review(expert, queue, now, rating=5, age=minutes)
    for minutes in range(40, 50):
        review(expert, queue, now, rating=2, age=minutes)
    for minutes in range(3):
        review(expert, queue, now, rating=1, reason="uncontrollable", age=minutes)

    figures = quality.quality_figures(expert_id=expert.pk, now=now)

    assert (figures.csat_percent, figures.csat_reviews) == (80, 50)


def test_acceptance_rate_counts_answered_offers_of_the_last_30_days(
    now: datetime, captured_tasks: list
) -> None:
    queue = factories.queue()
    expert = factories.expert(now=now)
    for status in ["accepted", "accepted", "accepted", "declined", "expired",
                   "withdrawn", "pending"]:
        offer(expert, factories.inquiry(on=queue, now=now), now, status)
    offer(expert, factories.inquiry(on=queue, now=now), now, "declined", days_ago=31)

    figures = quality.quality_figures(expert_id=expert.pk, now=now)

    assert (figures.acceptance_percent, figures.offers_answered) == (60, 5)


def policy(queue: OverflowQueue, **thresholds: Any) -> QueueShiftPolicy:
    return QueueShiftPolicy.objects.create(queue=queue, **thresholds)


def worker_on(queue: OverflowQueue, now: datetime) -> ExpertProfile:
    expert = factories.on_shift_expert(on=queue, now=now)
    return expert


def test_falling_below_csat_alerts_ops_and_suspends_when_the_policy_says_so(
    now: datetime, captured_tasks: list
) -> None:
    queue = factories.queue()
    policy(queue, min_csat_percent=80, suspend_automatically=True)
    expert = worker_on(queue, now)
    for rating in [5, 5, 2, 1, 3]:
        review(expert, queue, now, rating=rating)

    quality.quality_refresh(expert_id=expert.pk, now=now)
    quality.quality_refresh(expert_id=expert.pk, now=now + timedelta(minutes=1))

    alert = QualityAlert.objects.get()
    assert (alert.metric, alert.value, alert.threshold, alert.suspended) == (
        QualityMetric.CSAT, 40, 80, True)
    expert.refresh_from_db()
    assert expert.status == ExpertStatus.SUSPENDED
    decision = ExpertDecision.objects.get(expert=expert)
    assert decision.decided_by.username == quality.SYSTEM_USERNAME
    assert decision.reason.startswith("Automatic: below the quality thresholds")
    assert not ExpertSeat.objects.filter(expert=expert).exists()


def test_without_the_suspend_policy_ops_are_only_alerted(now: datetime, captured_tasks: list
                                                         ) -> None:
    queue = factories.queue()
    policy(queue, min_csat_percent=80)
    expert = worker_on(queue, now)
    for rating in [1, 1, 1, 1, 1]:
        review(expert, queue, now, rating=rating)

    quality.quality_refresh(expert_id=expert.pk, now=now)

    assert QualityAlert.objects.get().suspended is False
    assert ExpertProfile.objects.get(pk=expert.pk).status == ExpertStatus.APPROVED


def test_too_few_reviews_are_not_judged(now: datetime, captured_tasks: list) -> None:
    queue = factories.queue()
    policy(queue, min_csat_percent=80, suspend_automatically=True)
    expert = worker_on(queue, now)
    for rating in [1, 1, 1, 1]:
        review(expert, queue, now, rating=rating)

    quality.quality_refresh(expert_id=expert.pk, now=now)

    assert QualityAlert.objects.count() == 0
    assert ExpertProfile.objects.get(pk=expert.pk).status == ExpertStatus.APPROVED


def test_thresholds_of_queues_the_expert_never_worked_do_not_apply(
    now: datetime, captured_tasks: list
) -> None:
    worked, strict = factories.queue(), factories.queue()
    policy(strict, min_csat_percent=99, suspend_automatically=True)
    expert = worker_on(worked, now)
    for rating in [1, 1, 1, 1, 1]:
        review(expert, worked, now, rating=rating)

    quality.quality_refresh(expert_id=expert.pk, now=now)

    assert QualityAlert.objects.count() == 0


def test_a_no_show_above_the_queue_maximum_alerts_ops(now: datetime, captured_tasks: list
                                                      ) -> None:
    queue = factories.queue()
    policy(queue, max_no_shows=0)
    expert = certified_expert(on=queue, now=now)
    start = now + timedelta(hours=1)
    book(slot(on=queue, starts_at=start), expert, now)

    attendance.shifts_sweep(now=start + timedelta(minutes=11))

    alert = QualityAlert.objects.get()
    assert (alert.metric, alert.value, alert.threshold) == (QualityMetric.NO_SHOWS, 1, 0)


def test_ops_see_and_acknowledge_alerts(now: datetime, captured_tasks: list) -> None:
    queue = factories.queue()
    policy(queue, min_acceptance_percent=50)
    expert = worker_on(queue, now)
    for _ in range(5):
        offer(expert, factories.inquiry(on=queue, now=now), now, "expired")
    quality.quality_refresh(expert_id=expert.pk, now=now)
    ops = Client()
    ops.force_login(factories.user(is_staff=True))

    page = ops.get("/ops/quality/").content.decode()
    console = ops.get("/ops/").content.decode()
    alert = QualityAlert.objects.get()
    ops.post(f"/ops/quality/alerts/{alert.pk}/acknowledge/")

    assert expert.display_name in page
    assert "Offer acceptance" in page
    assert f"{expert.display_name} (Offer acceptance 0% on {queue})" in console
    assert QualityAlert.objects.get().acknowledged_at is not None
    assert "No open quality alerts" in ops.get("/ops/quality/").content.decode()
    assert 'id="quality-alerts"' not in ops.get("/ops/").content.decode()


def resolved_inquiry(queue: OverflowQueue, expert: ExpertProfile, now: datetime) -> Inquiry:
    inquiry = factories.inquiry(on=queue, now=now)
    outcome = offers_services.inquiry_route(inquiry_id=inquiry.pk, now=now)
    assert outcome.offer_id is not None
    offers_services.offer_accept(offer_id=outcome.offer_id, expert=expert, now=now)
    assignments_services.assignment_reply(inquiry_id=inquiry.pk, expert=expert, author=expert.user,
                                      body="Here you go.", now=now)
    assignments_services.assignment_resolve(inquiry_id=inquiry.pk, expert=expert, now=now)
    return inquiry


def test_a_brand_records_a_review_by_api_once(captured_tasks: list) -> None:
    now = timezone.now()
    queue = factories.queue()
    expert = worker_on(queue, now)
    done = resolved_inquiry(queue, expert, now)
    open_inquiry = factories.inquiry(on=queue, now=now)
    foreign = factories.inquiry(on=factories.queue(), now=now)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {factories.api_key(of=queue.brand)}")

    def post(inquiry_id: int, payload: dict[str, object]) -> Any:
        return client.post(f"/api/v1/inquiries/{inquiry_id}/review", payload,
                           content_type="application/json")

    created = post(done.pk, {"rating": 4, "reason": "controllable", "comment": "Quick"})
    again = post(done.pk, {"rating": 1, "reason": "controllable"})
    unresolved = post(open_inquiry.pk, {"rating": 5, "reason": "controllable"})
    other_brand = post(foreign.pk, {"rating": 5, "reason": "controllable"})
    bad_rating = post(done.pk, {"rating": 6, "reason": "controllable"})
    bad_reason = post(done.pk, {"rating": 3, "reason": "weather"})

    assert created.status_code == 201
    assert created.json()["rating"] == 4
    assert (again.status_code, again.json()["code"]) == (409, "already_reviewed")
    assert (unresolved.status_code, unresolved.json()["code"]) == (409, "inquiry_not_resolved")
    assert other_brand.status_code == 404
    assert (bad_rating.status_code, bad_reason.status_code) == (400, 400)
    stored = InquiryReview.objects.get()
    assert (stored.expert, stored.rating, stored.comment) == (expert, 4, "Quick")
    assert quality.quality_figures(expert_id=expert.pk, now=now).csat_reviews == 1


def reasoned(expert: ExpertProfile, queue: OverflowQueue, now: datetime, rating: int,
             reasons: list[str], age: int = 0) -> InquiryReview:
    inquiry = factories.inquiry(on=queue, now=now)
    return InquiryReview.objects.create(inquiry=inquiry, expert=expert, rating=rating,
                                        reasons=reasons, created_at=now - timedelta(minutes=age))


def test_csat_leaves_out_low_ratings_whose_reasons_are_all_about_the_brand(
    now: datetime, captured_tasks: list,
) -> None:
    queue = factories.queue()
    expert = factories.expert(now=now)
    reasoned(expert, queue, now, rating=5, reasons=[])
    reasoned(expert, queue, now, rating=4, reasons=["speed"])
    reasoned(expert, queue, now, rating=2, reasons=["shipping", "tone"])
    reasoned(expert, queue, now, rating=1, reasons=["policy", "refund_not_processed"])
    reasoned(expert, queue, now, rating=3, reasons=["wrong_item"])

    figures = quality.quality_figures(expert_id=expert.pk, now=now)

    assert (figures.csat_percent, figures.csat_reviews) == (67, 3)


def test_csat_counts_a_5_recorded_as_uncontrollable_before_reasons_existed(
    now: datetime, captured_tasks: list,
) -> None:
    queue = factories.queue()
    expert = factories.expert(now=now)
    review(expert, queue, now, rating=5, reason="uncontrollable")
    review(expert, queue, now, rating=2, reason="uncontrollable")
    review(expert, queue, now, rating=2, reason="controllable")

    figures = quality.quality_figures(expert_id=expert.pk, now=now)

    assert (figures.csat_percent, figures.csat_reviews) == (50, 2)


def test_the_database_refuses_a_low_rating_without_a_reason_or_an_unknown_reason(
    now: datetime, captured_tasks: list,
) -> None:
    from django.db import IntegrityError, transaction

    queue = factories.queue()
    expert = factories.expert(now=now)
    for reasons in ([], ["weather"]):
        with pytest.raises(IntegrityError), transaction.atomic():
            reasoned(expert, queue, now, rating=3, reasons=reasons)

    assert not InquiryReview.objects.exists()


def test_the_review_api_takes_reasons_and_still_the_old_reason(captured_tasks: list) -> None:
    now = timezone.now()
    queue = factories.queue()
    expert = worker_on(queue, now)
    new_style = resolved_inquiry(queue, expert, now)
    old_style = resolved_inquiry(queue, expert, now)
    missing = resolved_inquiry(queue, expert, now)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {factories.api_key(of=queue.brand)}")

    def post(inquiry_id: int, payload: dict[str, object]) -> Any:
        return client.post(f"/api/v1/inquiries/{inquiry_id}/review", payload,
                           content_type="application/json")

    created = post(new_style.pk, {"rating": 2, "reasons": ["shipping", "policy"]})
    legacy = post(old_style.pk, {"rating": 3, "reason": "controllable"})
    no_reason = post(missing.pk, {"rating": 3})
    unknown = post(missing.pk, {"rating": 3, "reasons": ["weather"]})

    assert created.status_code == 201
    assert {key: created.json()[key] for key in ("rating", "reasons", "reason",
                                                 "counts_for_expert", "source")} == {
        "rating": 2, "reasons": ["policy", "shipping"], "reason": "uncontrollable",
        "counts_for_expert": False, "source": "brand_review"}
    assert (legacy.status_code, legacy.json()["reason"], legacy.json()["reasons"],
            legacy.json()["counts_for_expert"]) == (201, "controllable", [], True)
    assert (no_reason.status_code, no_reason.json()) == (
        400, {"reasons": ["A rating below 5 needs at least one reason."]})
    assert (unknown.status_code, list(unknown.json())) == (400, ["reasons"])
    stored = InquiryReview.objects.get(inquiry=old_style)
    assert (stored.legacy_reason, stored.source) == ("controllable", "brand_review")
    assert quality.quality_figures(expert_id=expert.pk, now=now).csat_reviews == 1

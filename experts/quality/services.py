"""Quality thresholds: the expert's rolling figures, the queue's thresholds, alerts to ops and
automatic suspension when the queue's policy says so.

- CSAT: the share of satisfied customers (4 or 5 of 5) over the expert's last 50 counted
  ratings: every 5, and every lower rating with at least one reason about the answer; a low
  rating whose reasons are all about the brand (policy, shipping, ...) is left out
  (`counted_for_expert`, experts/quality/models.py).
- Offer acceptance: accepted / answered offers over the last 30 days.
- No-shows: bookings marked no-show that started in the last 30 days.

A figure is judged only once it rests on enough cases (settings QUALITY_MIN_REVIEWS and
QUALITY_MIN_OFFERS), so one bad review does not suspend anyone.
"""


from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from experts.applications.services import decisions as applications_decisions
from experts.profiles.models import ExpertProfile, ExpertStatus
from experts.quality.models import (
    ExpertQuality,
    InquiryReview,
    QualityAlert,
    QualityMetric,
    RatingReason,
    ReviewReason,
    ReviewSource,
    counted_for_expert,
)
from experts.shifts.models import BookingStatus, QueueShiftPolicy, ShiftBooking
from marketplace.infra.errors import Conflict, FieldErrors, NotFound
from marketplace.inquiries import selectors as inquiries_selectors
from marketplace.inquiries.models import InquiryStatus
from marketplace.onboarding.models import Brand
from marketplace.queues.models import OverflowQueue
from routing.assignments import selectors as assignments_selectors
from routing.offers import selectors as offers_selectors

CSAT_WINDOW = 50


RECENT = timedelta(days=30)


SYSTEM_USERNAME = "shiftline-system"


@dataclass(frozen=True)
class QualityFigures:
    csat_percent: int | None
    csat_reviews: int
    acceptance_percent: int | None
    offers_answered: int
    no_shows: int


def _percent(part: int, whole: int) -> int | None:
    return None if whole == 0 else round(100 * part / whole)


def quality_figures(*, expert_id: int, now: datetime) -> QualityFigures:
    ratings = list(
        InquiryReview.objects.filter(counted_for_expert(), expert_id=expert_id)
        .order_by("-created_at", "-id").values_list("rating", flat=True)[:CSAT_WINDOW]
    )
    accepted, answered = offers_selectors.offer_answer_counts(expert_id=expert_id,
                                                               since=now - RECENT)
    no_shows = ShiftBooking.objects.filter(
        expert_id=expert_id, status=BookingStatus.NO_SHOW, starts_at__gte=now - RECENT,
    ).count()
    return QualityFigures(
        csat_percent=_percent(sum(rating >= 4 for rating in ratings), len(ratings)),
        csat_reviews=len(ratings),
        acceptance_percent=_percent(accepted, answered), offers_answered=answered,
        no_shows=no_shows,
    )


def _breaches(figures: QualityFigures, policy: QueueShiftPolicy) -> list[tuple[str, int, int]]:
    """(metric, value, threshold) for every threshold of the policy the figures fall below."""
    found: list[tuple[str, int, int]] = []
    if (policy.min_csat_percent is not None and figures.csat_percent is not None
            and figures.csat_reviews >= settings.QUALITY_MIN_REVIEWS
            and figures.csat_percent < policy.min_csat_percent):
        found.append((QualityMetric.CSAT, figures.csat_percent, policy.min_csat_percent))
    if (policy.min_acceptance_percent is not None and figures.acceptance_percent is not None
            and figures.offers_answered >= settings.QUALITY_MIN_OFFERS
            and figures.acceptance_percent < policy.min_acceptance_percent):
        found.append((QualityMetric.ACCEPTANCE, figures.acceptance_percent,
                      policy.min_acceptance_percent))
    if policy.max_no_shows is not None and figures.no_shows > policy.max_no_shows:
        found.append((QualityMetric.NO_SHOWS, figures.no_shows, policy.max_no_shows))
    return found


def system_user() -> User:
    """The author of automatic decisions in the audit trail; it cannot log in."""
    user, created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"is_active": False, "first_name": "Shiftline"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def quality_refresh(*, expert_id: int, now: datetime) -> ExpertQuality:
    """Recomputes the expert's figures, raises an alert for each threshold of a queue they
    work (booked in the last 30 days or ahead) that they fall below, and suspends them when
    that queue's policy says so."""
    figures = quality_figures(expert_id=expert_id, now=now)
    snapshot, _ = ExpertQuality.objects.update_or_create(
        expert_id=expert_id,
        defaults={**figures.__dict__, "computed_at": now},
    )
    if figures.csat_percent is not None:
        ExpertProfile.objects.filter(pk=expert_id).update(
            quality_score=figures.csat_percent / 100
        )
    policies = QueueShiftPolicy.objects.filter(
        queue__shift_slots__bookings__expert_id=expert_id,
        queue__shift_slots__bookings__starts_at__gte=now - RECENT,
    ).select_related("queue__brand").distinct()
    for policy in policies:
        breaches = _breaches(figures, policy)
        if not breaches:
            continue
        suspend = policy.suspend_automatically and ExpertProfile.objects.filter(
            pk=expert_id, status=ExpertStatus.APPROVED).exists()
        for metric, value, threshold in breaches:
            try:
                with transaction.atomic():
                    QualityAlert.objects.create(
                        expert_id=expert_id, queue=policy.queue, metric=metric, value=value,
                        threshold=threshold, suspended=suspend, created_at=now,
                    )
            except IntegrityError:
                continue
        if suspend:
            described = "; ".join(
                f"{QualityMetric(metric).label} {value} (threshold {threshold})"
                for metric, value, threshold in breaches
            )
            applications_decisions.expert_decide(
                expert=ExpertProfile.objects.get(pk=expert_id), to_status=ExpertStatus.SUSPENDED,
                decided_by=system_user(), now=now,
                reason=f"Automatic: below the quality thresholds of {policy.queue}: {described}.",
            )
    return snapshot


COMMENT_MAX_LENGTH = 2000


def review_reasons_check(*, rating: object, reasons: list[str], legacy_reason: str = "",
                         ) -> list[str]:
    """The reasons as stored, or FieldErrors: a rating is a whole number from 1 to 5; below 5
    it needs at least one known reason (or, from older API clients, a `legacy_reason`); a 5
    needs none, and any given with it are dropped."""
    errors: dict[str, list[str]] = {}
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        errors["rating"] = [gettext("A rating is a whole number from 1 to 5.")]
    unknown = [reason for reason in reasons if reason not in RatingReason.values]
    if unknown:
        errors["reasons"] = [f"Unknown reason {unknown[0][:40]!r}; choose from "
                             f"{', '.join(RatingReason.values)}."]
    if legacy_reason and legacy_reason not in ReviewReason.values:
        errors["reason"] = [f"The reason is one of: {', '.join(ReviewReason.values)}."]
    if not errors and rating != 5 and not reasons and not legacy_reason:
        errors["reasons"] = [gettext("A rating below 5 needs at least one reason.")]
    if errors:
        raise FieldErrors(errors)
    if rating == 5:
        return []
    return [reason for reason in RatingReason.values if reason in reasons]


def review_record(*, brand: Brand, inquiry_id: int, rating: int, reasons: list[str],
                  source: str, comment: str, now: datetime, legacy_reason: str = "",
                  speed_as_promised: bool | None = None) -> InquiryReview:
    """Records the rating of a resolved inquiry (once), by its customer or by the brand, and
    refreshes the resolving expert's figures. `legacy_reason` (controllable or not, without
    saying why) is what older API clients send instead of `reasons`."""
    reasons = review_reasons_check(rating=rating, reasons=reasons, legacy_reason=legacy_reason)
    if source not in ReviewSource.values:
        raise FieldErrors({"source": [f"One of: {', '.join(ReviewSource.values)}."]})
    inquiry = inquiries_selectors.inquiry_get_for_brand(brand=brand, inquiry_id=inquiry_id)
    expert_id = assignments_selectors.resolving_expert_id(inquiry_id=inquiry.pk)
    if inquiry.status != InquiryStatus.RESOLVED or expert_id is None:
        raise Conflict("Only inquiries an expert resolved can be reviewed.",
                       code="inquiry_not_resolved")
    try:
        with transaction.atomic():
            review = InquiryReview.objects.create(
                inquiry=inquiry, expert_id=expert_id, rating=rating, reasons=reasons,
                legacy_reason="" if reasons else legacy_reason,
                source=source, speed_as_promised=speed_as_promised,
                comment=comment.strip()[:COMMENT_MAX_LENGTH], created_at=now,
            )
    except IntegrityError as error:
        raise Conflict("This inquiry has a review already.", code="already_reviewed") from error
    quality_refresh(expert_id=expert_id, now=now)
    return review


def quality_alert_acknowledge(*, alert_id: int, user: User, now: datetime) -> QualityAlert:
    alert = QualityAlert.objects.filter(pk=alert_id).first()
    if alert is None:
        raise NotFound("Alert not found.")
    QualityAlert.objects.filter(pk=alert_id, acknowledged_at__isnull=True).update(
        acknowledged_at=now, acknowledged_by=user
    )
    alert.refresh_from_db()
    return alert


def quality_sweep(*, now: datetime) -> int:
    """Refreshes everyone who worked or was offered work lately, so acceptance rates and
    thresholds changed by a brand take effect without a new review."""
    expert_ids = set(offers_selectors.expert_ids_with_offers_since(since=now - RECENT))
    expert_ids.update(ShiftBooking.objects.filter(starts_at__gte=now - RECENT)
                      .values_list("expert_id", flat=True).distinct())
    for expert_id in sorted(expert_ids):
        quality_refresh(expert_id=expert_id, now=now)
    return len(expert_ids)


def queue_policy_set(
    *, queue: OverflowQueue, cancel_cutoff_hours: int, min_csat_percent: int | None,
    min_acceptance_percent: int | None, max_no_shows: int | None, suspend_automatically: bool,
) -> QueueShiftPolicy:
    """Sets the queue's cancellation cut-off and quality thresholds (None: no threshold)."""
    policy, _ = QueueShiftPolicy.objects.update_or_create(queue=queue, defaults={
        "cancel_cutoff_hours": cancel_cutoff_hours, "min_csat_percent": min_csat_percent,
        "min_acceptance_percent": min_acceptance_percent, "max_no_shows": max_no_shows,
        "suspend_automatically": suspend_automatically,
    })
    return policy


def review_comments_erase(*, inquiry_ids: list[int]) -> int:
    """Empties the customers' comments on these inquiries' reviews (a customer's data erased
    at their request, marketplace/privacy/); the ratings and reasons stay for the figures."""
    return InquiryReview.objects.filter(inquiry_id__in=inquiry_ids).exclude(comment="").update(
        comment="")

"""Reads for quality: figures and open alerts."""


from dataclasses import dataclass

from django.db.models import (
    Count,
    F,
    Prefetch,
    Q,
    QuerySet,
)

from experts.certification.models import Certification, CertificationStatus
from experts.profiles.models import ExpertProfile
from experts.quality.models import (
    UNCONTROLLABLE_REASONS,
    ExpertQuality,
    InquiryReview,
    QualityAlert,
    RatingReason,
    ReviewReason,
    counted_for_expert,
)


def quality_for_expert(*, expert: ExpertProfile) -> ExpertQuality | None:
    return ExpertQuality.objects.filter(expert=expert).first()


def alert_list_open() -> QuerySet[QualityAlert]:
    return QualityAlert.objects.filter(acknowledged_at__isnull=True) \
        .select_related("expert", "queue__brand")


def quality_list_for_ops() -> QuerySet[ExpertQuality]:
    """Every expert's figures, lowest CSAT first (not yet rated last)."""
    return ExpertQuality.objects.select_related("expert").order_by(
        F("csat_percent").asc(nulls_last=True), "expert__display_name")


def expert_directory(*, search: str | None = None,
                     status: str | None = None) -> QuerySet[ExpertProfile]:
    """Every expert for the ops directory, by name, with their quality figures, presence and
    granted certifications (`granted_certifications`, with the brands) loaded: a page costs
    the same few queries however many experts it shows."""
    granted = (Certification.objects.filter(status=CertificationStatus.GRANTED)
               .select_related("brand").order_by("brand__name"))
    experts = (
        ExpertProfile.objects.select_related("user", "quality", "presence")
        .prefetch_related(Prefetch("certifications", queryset=granted,
                                   to_attr="granted_certifications"))
        .order_by("display_name", "id")
    )
    if status:
        experts = experts.filter(status=status)
    if search:
        experts = experts.filter(Q(display_name__icontains=search)
                                 | Q(user__email__icontains=search))
    return experts


def review_list_for_brand(*, brand_id: int, queue_id: int | None = None,
                          rating: int | None = None) -> QuerySet[InquiryReview]:
    """The brand's reviews, newest first, with their inquiry and expert (one query a page)."""
    reviews = (InquiryReview.objects.filter(inquiry__brand_id=brand_id)
               .select_related("inquiry__queue", "expert").order_by("-created_at", "-id"))
    if queue_id is not None:
        reviews = reviews.filter(inquiry__queue_id=queue_id)
    if rating is not None:
        reviews = reviews.filter(rating=rating)
    return reviews


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class ReasonCount:
    reason: str
    label: str
    count: int


@dataclass(frozen=True)
class ReviewSummary:
    """CSAT both ways: over every rating, and over the ratings that count for the expert
    (every 5, and low ratings with a reason about the answer); the low ratings left out; what
    customers said about speed; and the reasons about the brand, most frequent first."""

    ratings: int
    csat_all: float | None
    counted: int
    csat_counted: float | None
    left_out: int
    speed_answers: int
    speed_as_promised: float | None
    brand_reasons: list[ReasonCount]
    legacy_uncontrollable: int


def review_summary_for_brand(*, brand_id: int, queue_id: int | None = None) -> ReviewSummary:
    """One aggregate query over the brand's reviews (of one queue if given)."""
    reviews = review_list_for_brand(brand_id=brand_id, queue_id=queue_id).order_by()
    satisfied = Q(rating__gte=4)
    counted = counted_for_expert()
    figures = reviews.aggregate(
        ratings=Count("id"), satisfied=Count("id", filter=satisfied),
        counted=Count("id", filter=counted), counted_satisfied=Count("id", filter=counted
                                                                      & satisfied),
        speed_answers=Count("id", filter=Q(speed_as_promised__isnull=False)),
        speed_yes=Count("id", filter=Q(speed_as_promised=True)),
        legacy_uncontrollable=Count("id", filter=Q(
            rating__lt=5, legacy_reason=ReviewReason.UNCONTROLLABLE)),
        **{f"reason_{code}": Count("id", filter=Q(rating__lt=5, reasons__contains=[code]))
           for code in UNCONTROLLABLE_REASONS},
    )
    brand_reasons = sorted(
        (ReasonCount(code, str(RatingReason(code).label), figures[f"reason_{code}"])
         for code in UNCONTROLLABLE_REASONS if figures[f"reason_{code}"]),
        key=lambda item: (-item.count, item.reason))
    return ReviewSummary(
        ratings=figures["ratings"], csat_all=_share(figures["satisfied"], figures["ratings"]),
        counted=figures["counted"],
        csat_counted=_share(figures["counted_satisfied"], figures["counted"]),
        left_out=figures["ratings"] - figures["counted"],
        speed_answers=figures["speed_answers"],
        speed_as_promised=_share(figures["speed_yes"], figures["speed_answers"]),
        brand_reasons=brand_reasons, legacy_uncontrollable=figures["legacy_uncontrollable"],
    )


@dataclass(frozen=True)
class ExpertCsat:
    expert_name: str
    ratings: int
    csat_all: float | None
    counted: int
    csat_counted: float | None


def review_csat_by_expert_for_brand(*, brand_id: int, queue_id: int | None = None
                                    ) -> list[ExpertCsat]:
    """Per expert who worked the brand's inquiries, CSAT over all their ratings beside CSAT
    over the ratings that count for them (one grouped query), most rated first."""
    counted = counted_for_expert()
    rows = (review_list_for_brand(brand_id=brand_id, queue_id=queue_id).order_by()
            .values("expert_id", "expert__display_name")
            .annotate(ratings=Count("id"), satisfied=Count("id", filter=Q(rating__gte=4)),
                      counted=Count("id", filter=counted),
                      counted_satisfied=Count("id", filter=counted & Q(rating__gte=4)))
            .order_by("-ratings", "expert__display_name"))
    return [ExpertCsat(expert_name=row["expert__display_name"], ratings=row["ratings"],
                       csat_all=_share(row["satisfied"], row["ratings"]), counted=row["counted"],
                       csat_counted=_share(row["counted_satisfied"], row["counted"]))
            for row in rows]


def review_for_inquiry(*, inquiry_id: int) -> InquiryReview | None:
    return InquiryReview.objects.filter(inquiry_id=inquiry_id).first()

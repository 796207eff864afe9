"""Every non-trivial read on the supply side."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, F, Prefetch, Q, QuerySet

from experts.models import (
    RETAKE_COOLDOWN,
    BookingStatus,
    Certification,
    CertificationAttempt,
    ExpertApplication,
    ExpertDecision,
    ExpertProfile,
    ExpertStatus,
    ShiftBooking,
    TrainingPack,
    TrainingQuestion,
)
from marketplace.errors import NotFound
from marketplace.models import Brand


def expert_profile_for_user(*, user: User | AnonymousUser) -> ExpertProfile | None:
    if not user.is_authenticated:
        return None
    return ExpertProfile.objects.filter(user=user).first()


def expert_get(*, expert_id: int) -> ExpertProfile:
    expert = ExpertProfile.objects.select_related("user").filter(pk=expert_id).first()
    if expert is None:
        raise NotFound("Expert not found.")
    return expert


def booking_list_for_expert(*, expert: ExpertProfile, now: datetime) -> QuerySet[ShiftBooking]:
    """The expert's current and upcoming shifts, soonest first."""
    return (
        ShiftBooking.objects.filter(
            expert=expert, slot__ends_at__gt=now,
            status__in=[BookingStatus.BOOKED, BookingStatus.CHECKED_IN],
        )
        .select_related("slot__queue__brand")
        .order_by("slot__starts_at")
    )


def expert_list_for_ops(*, status: str | None = None) -> QuerySet[ExpertProfile]:
    experts = ExpertProfile.objects.select_related("user").order_by("status", "display_name")
    if status:
        experts = experts.filter(status=status)
    return experts


def expert_is_approved(*, expert: ExpertProfile) -> bool:
    return expert.status == ExpertStatus.APPROVED


# Applying, vetting and brand certification.

PIPELINE_STATUSES = (ExpertStatus.APPLIED, ExpertStatus.IN_REVIEW, ExpertStatus.NEEDS_INFO,
                     ExpertStatus.APPROVED, ExpertStatus.REJECTED, ExpertStatus.SUSPENDED)


def application_for_expert(*, expert: ExpertProfile) -> ExpertApplication | None:
    return ExpertApplication.objects.filter(expert=expert).first()


def expert_pipeline_counts() -> list[tuple[str, str, int]]:
    """(status, label, count) for every pipeline column, empty columns included."""
    counts = dict(ExpertProfile.objects.values_list("status").annotate(total=Count("pk"))
                  .order_by())
    return [(status.value, status.label, counts.get(status.value, 0))
            for status in PIPELINE_STATUSES]


def expert_list_for_vetting(*, status: str | None, search: str) -> QuerySet[ExpertProfile]:
    """The pipeline, oldest submission first, so the longest-waiting applicant is on top."""
    experts = ExpertProfile.objects.select_related("user", "application")
    if status:
        experts = experts.filter(status=status)
    if search:
        experts = experts.filter(Q(display_name__icontains=search)
                                 | Q(user__email__icontains=search))
    return experts.order_by(F("application__submitted_at").asc(nulls_last=True), "created_at",
                            "pk")


def decision_list_for_expert(*, expert: ExpertProfile) -> QuerySet[ExpertDecision]:
    return expert.decisions.select_related("decided_by").order_by("-decided_at", "-id")


def certification_list_for_expert(*, expert: ExpertProfile) -> QuerySet[Certification]:
    return expert.certifications.select_related("brand", "revoked_by").order_by("brand__name")


def certification_list_for_brand(*, brand: Brand) -> QuerySet[Certification]:
    return (Certification.objects.filter(brand=brand).select_related("expert", "revoked_by")
            .order_by("status", "expert__display_name"))


def training_pack_for_brand(*, brand: Brand) -> TrainingPack | None:
    return (TrainingPack.objects.filter(brand=brand)
            .prefetch_related(Prefetch("questions", TrainingQuestion.objects.order_by("position")))
            .first())


@dataclass(frozen=True)
class BrandTraining:
    """One brand as an expert sees it on the certification page."""

    brand: Brand
    question_count: int
    certification_status: str | None
    last_attempt: CertificationAttempt | None
    retake_at: datetime | None

    @property
    def can_take(self) -> bool:
        return self.certification_status is None and self.retake_at is None


def brand_training_list_for_expert(*, expert: ExpertProfile, now: datetime,
                                   brand_slug: str | None = None) -> list[BrandTraining]:
    """Brands whose pack has a quiz, with where this expert stands on each."""
    packs = (TrainingPack.objects.select_related("brand")
             .annotate(question_count=Count("questions"))
             .filter(question_count__gt=0).order_by("brand__name"))
    if brand_slug is not None:
        packs = packs.filter(brand__slug=brand_slug)
    statuses = dict(expert.certifications.values_list("brand_id", "status"))
    latest: dict[int, CertificationAttempt] = {}
    for attempt in expert.certification_attempts.order_by("-attempted_at", "-id"):
        latest.setdefault(attempt.brand_id, attempt)
    rows = []
    for pack in packs:
        last_attempt = latest.get(pack.brand_id)
        retake_at = None
        if last_attempt is not None and not last_attempt.passed:
            retake_at = last_attempt.attempted_at + RETAKE_COOLDOWN
            if retake_at <= now:
                retake_at = None
        rows.append(BrandTraining(
            brand=pack.brand, question_count=pack.question_count,  # type: ignore[attr-defined]
            certification_status=statuses.get(pack.brand_id), last_attempt=last_attempt,
            retake_at=retake_at,
        ))
    return rows

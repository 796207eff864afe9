"""Reads for certification: who is certified, training packs."""


from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Prefetch, QuerySet

from experts.certification.models import (
    RETAKE_COOLDOWN,
    Certification,
    CertificationAttempt,
    CertificationStatus,
    TrainingPack,
    TrainingQuestion,
)
from experts.profiles.models import ExpertProfile
from marketplace.onboarding.models import Brand


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


def is_certified(expert_id: int, brand_id: int) -> bool:
    return Certification.objects.filter(
        expert_id=expert_id, brand_id=brand_id, status=CertificationStatus.GRANTED
    ).exists()


def certified_expert_counts_by_brand() -> dict[int, int]:
    """Per brand id, how many experts hold a granted certification (one grouped query)."""
    return dict(
        Certification.objects.filter(status=CertificationStatus.GRANTED).order_by()
        .values("brand_id").annotate(total=Count("expert_id", distinct=True))
        .values_list("brand_id", "total")
    )


def training_pack_is_published(*, brand: Brand) -> bool:
    """The brand's pack has guidelines and at least one quiz question: experts can certify."""
    return TrainingQuestion.objects.filter(pack__brand=brand).exclude(
        pack__guidelines="").exists()


def certified_expert_count(*, brand: Brand) -> int:
    return Certification.objects.filter(brand=brand, status=CertificationStatus.GRANTED).count()

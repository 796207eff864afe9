"""Reads for quality: figures and open alerts."""


from django.db.models import (
    F,
    Prefetch,
    Q,
    QuerySet,
)

from experts.certification.models import Certification, CertificationStatus
from experts.profiles.models import ExpertProfile
from experts.quality.models import ExpertQuality, QualityAlert


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

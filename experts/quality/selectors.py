"""Reads for quality: figures and open alerts."""


from django.db.models import (
    F,
    QuerySet,
)

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

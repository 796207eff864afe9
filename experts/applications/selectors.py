"""Reads for vetting: the pipeline, applications, decisions."""


from django.db.models import Count, F, Q, QuerySet

from experts.applications.models import ExpertApplication, ExpertDecision
from experts.profiles.models import ExpertProfile, ExpertStatus

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

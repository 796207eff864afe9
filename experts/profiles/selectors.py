"""Reads of expert profiles."""


from datetime import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from experts.profiles.models import ExpertProfile, ExpertStatus
from marketplace.infra.errors import NotFound


def expert_profile_for_user(*, user: User | AnonymousUser) -> ExpertProfile | None:
    if not user.is_authenticated:
        return None
    return ExpertProfile.objects.filter(user=user).first()


def expert_get(*, expert_id: int) -> ExpertProfile:
    expert = ExpertProfile.objects.select_related("user").filter(pk=expert_id).first()
    if expert is None:
        raise NotFound("Expert not found.")
    return expert


def expert_list_for_ops(*, status: str | None = None) -> QuerySet[ExpertProfile]:
    experts = ExpertProfile.objects.select_related("user").order_by("status", "display_name")
    if status:
        experts = experts.filter(status=status)
    return experts




def expert_payout_holds(*, now: datetime) -> dict[int, str]:
    """Experts whose payouts billing holds, with why: every suspended expert (their money stays
    owed to them until they are approved again). Named in settings.PAYOUT_HOLD_SOURCES."""
    return dict.fromkeys(
        ExpertProfile.objects.filter(status=ExpertStatus.SUSPENDED).values_list("pk", flat=True),
        "Expert suspended",
    )


"""Reads of expert profiles."""


from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from experts.profiles.models import ExpertProfile
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



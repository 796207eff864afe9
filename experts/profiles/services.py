"""Expert profiles: created at sign-up; live sessions ended."""


from collections.abc import Sequence
from datetime import datetime

from django.contrib.auth.models import User

from experts.profiles.models import ExpertProfile
from marketplace.infra.push import push_to_expert_on_commit


def expert_profile_create(
    *,
    user: User,
    display_name: str,
    time_zone: str,
    languages: Sequence[str],
    skills: Sequence[str] = (),
    now: datetime,
) -> ExpertProfile:
    profile = ExpertProfile(
        user=user, display_name=display_name, time_zone=time_zone,
        languages=list(languages), skills=list(skills),
    )
    profile.full_clean()
    profile.save()
    return profile


def expert_disconnect_live_sessions(*, user: User) -> None:
    """Closes the expert's open websockets, e.g. when they log out."""
    expert = ExpertProfile.objects.filter(user=user).only("pk").first()
    if expert is not None:
        push_to_expert_on_commit(expert.pk, "connection.revoke", reason="logged_out")


def expert_time_zone_set(*, expert: ExpertProfile, time_zone: str) -> None:
    """The expert's own zone: their pages' times and where their shift calendar places each day.
    The caller has checked `time_zone` is an IANA zone."""
    expert.time_zone = time_zone
    expert.save(update_fields=["time_zone"])

"""Reads for presence."""


from experts.presence.models import ExpertPresence
from experts.profiles.models import ExpertProfile


def presence_for_expert(*, expert: ExpertProfile) -> ExpertPresence | None:
    return ExpertPresence.objects.filter(expert=expert).first()

"""Why an expert is held from a payout, from the apps that know: billing imports no other app,
so each source is named by its dotted path in settings.PAYOUT_HOLD_SOURCES (the experts app's
suspended experts, the disputes' experts with open disputes) and called with `now`; each returns
{expert id: reason}. Experts without payout details are held by the batch itself."""

from collections.abc import Callable, Mapping
from datetime import datetime

from django.conf import settings
from django.utils.module_loading import import_string

HoldSource = Callable[..., Mapping[int, str]]


def payout_holds_collect(*, now: datetime) -> dict[int, str]:
    holds: dict[int, str] = {}
    for path in settings.PAYOUT_HOLD_SOURCES:
        source: HoldSource = import_string(path)
        for expert_id, reason in source(now=now).items():
            holds[expert_id] = f"{holds[expert_id]}; {reason}" if expert_id in holds else reason
    return holds

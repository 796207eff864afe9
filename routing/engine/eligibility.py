"""Who may take an inquiry, and who should: eligibility, then ranking, with every reason kept."""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ExclusionReason(StrEnum):
    NOT_APPROVED = "not_approved"
    NOT_CERTIFIED = "not_certified"
    OFF_SHIFT = "off_shift"
    NOT_CHECKED_IN = "not_checked_in"
    AWAY = "away"
    AT_CAPACITY = "at_capacity"
    DECLINED_BEFORE = "declined_before"
    LANGUAGE = "language"
    SKILL = "skill"


EXCLUSION_LABELS: dict[ExclusionReason, str] = {
    ExclusionReason.NOT_APPROVED: "not an approved expert",
    ExclusionReason.NOT_CERTIFIED: "not certified for this brand",
    ExclusionReason.OFF_SHIFT: "not on a shift of this queue",
    ExclusionReason.NOT_CHECKED_IN: "not checked in to their shift",
    ExclusionReason.AWAY: "away",
    ExclusionReason.AT_CAPACITY: "at capacity",
    ExclusionReason.DECLINED_BEFORE: "had this inquiry before (declined or let it expire)",
    ExclusionReason.LANGUAGE: "does not answer in the customer's language",
    ExclusionReason.SKILL: "lacks a skill the inquiry needs",
}


@dataclass(frozen=True, slots=True)
class InquiryNeeds:
    inquiry_id: int
    channel: str
    language: str
    skills: frozenset[str] = frozenset()
    excluded_expert_ids: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Candidate:
    """An expert as routing sees them at one moment. `active_load` counts pending offers and
    active assignments on the inquiry's channel; `capacity` is the limit on that channel."""

    expert_id: int
    approved: bool
    certified: bool
    on_shift: bool
    checked_in: bool
    languages: frozenset[str]
    skills: frozenset[str]
    active_load: int
    capacity: int
    idle_since: datetime
    quality_score: float
    available: bool = True
    name: str = ""


@dataclass(frozen=True, slots=True)
class CandidateScore:
    expert_id: int
    rank: int
    active_load: int
    idle_seconds: float
    quality_score: float
    name: str = ""


@dataclass(frozen=True, slots=True)
class Exclusion:
    expert_id: int
    reason: ExclusionReason


@dataclass(frozen=True, slots=True)
class RoutingDecision:
    inquiry_id: int
    chosen_expert_id: int | None
    ranked: tuple[CandidateScore, ...]
    excluded: tuple[Exclusion, ...]
    decided_at: datetime
    excluded_counts: dict[str, int] = field(default_factory=dict)
    """Every expert left out, counted by reason: those in `excluded` and those the caller
    judged before the engine saw them (`choose_expert`'s `counted`)."""

    def as_log(self) -> dict[str, object]:
        return {
            "chosen_expert_id": self.chosen_expert_id,
            "ranked": [
                {
                    "expert_id": score.expert_id,
                    "name": score.name,
                    "rank": score.rank,
                    "active_load": score.active_load,
                    "idle_seconds": round(score.idle_seconds, 3),
                    "quality_score": score.quality_score,
                }
                for score in self.ranked
            ],
            "excluded": [
                {"expert_id": item.expert_id, "reason": item.reason.value}
                for item in self.excluded
            ],
            "excluded_counts": dict(sorted(self.excluded_counts.items())),
        }


def exclusion_reason(needs: InquiryNeeds, candidate: Candidate) -> ExclusionReason | None:
    """The first rule a candidate breaks, in the order a person would check them."""
    if not candidate.approved:
        return ExclusionReason.NOT_APPROVED
    if not candidate.certified:
        return ExclusionReason.NOT_CERTIFIED
    if not candidate.on_shift:
        return ExclusionReason.OFF_SHIFT
    if not candidate.checked_in:
        return ExclusionReason.NOT_CHECKED_IN
    if not candidate.available:
        return ExclusionReason.AWAY
    if candidate.expert_id in needs.excluded_expert_ids:
        return ExclusionReason.DECLINED_BEFORE
    if needs.language not in candidate.languages:
        return ExclusionReason.LANGUAGE
    if not needs.skills <= candidate.skills:
        return ExclusionReason.SKILL
    if candidate.active_load >= candidate.capacity:
        return ExclusionReason.AT_CAPACITY
    return None


def choose_expert(
    needs: InquiryNeeds, candidates: tuple[Candidate, ...] | list[Candidate], now: datetime,
    *, counted: Mapping[str, int] | None = None,
) -> RoutingDecision:
    """Rank eligible experts by fewest active tickets, then longest idle, then best quality,
    then lowest id so that equal inputs always give the same answer. `counted`: experts the
    caller already left out, by `ExclusionReason` value (the database judges a whole brand's
    pool with the same rules, in the same order, and sends only the counts and the eligible
    shortlist); they join the decision's `excluded_counts`."""
    eligible: list[Candidate] = []
    excluded: list[Exclusion] = []
    for candidate in candidates:
        reason = exclusion_reason(needs, candidate)
        if reason is None:
            eligible.append(candidate)
        else:
            excluded.append(Exclusion(candidate.expert_id, reason))
    eligible.sort(
        key=lambda item: (item.active_load, item.idle_since, -item.quality_score, item.expert_id)
    )
    ranked = tuple(
        CandidateScore(
            expert_id=item.expert_id,
            rank=position,
            active_load=item.active_load,
            idle_seconds=max(0.0, (now - item.idle_since).total_seconds()),
            quality_score=item.quality_score, name=item.name,
        )
        for position, item in enumerate(eligible, start=1)
    )
    return RoutingDecision(
        inquiry_id=needs.inquiry_id,
        chosen_expert_id=ranked[0].expert_id if ranked else None,
        ranked=ranked,
        excluded=tuple(sorted(excluded, key=lambda item: item.expert_id)),
        decided_at=now,
        excluded_counts=dict(Counter(item.reason.value for item in excluded) + Counter(counted)),
    )

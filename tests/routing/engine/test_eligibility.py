"""Eligibility and ranking, without a database."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from routing.engine import Candidate, ExclusionReason, InquiryNeeds, choose_expert
from routing.engine.policy import policy_for

NOW = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)
NEEDS = InquiryNeeds(inquiry_id=7, channel="chat", language="en")


def candidate(expert_id: int, **changes: object) -> Candidate:
    base = Candidate(
        expert_id=expert_id, approved=True, certified=True, on_shift=True, checked_in=True,
        languages=frozenset({"en"}), skills=frozenset(), active_load=0, capacity=3,
        idle_since=NOW - timedelta(minutes=5), quality_score=4.5,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"approved": False}, ExclusionReason.NOT_APPROVED),
        ({"certified": False}, ExclusionReason.NOT_CERTIFIED),
        ({"on_shift": False}, ExclusionReason.OFF_SHIFT),
        ({"checked_in": False}, ExclusionReason.NOT_CHECKED_IN),
        ({"available": False}, ExclusionReason.AWAY),
        ({"languages": frozenset({"pt"})}, ExclusionReason.LANGUAGE),
        ({"active_load": 3}, ExclusionReason.AT_CAPACITY),
    ],
)
def test_each_rule_excludes_with_its_reason(changes: dict[str, object],
                                            reason: ExclusionReason) -> None:
    decision = choose_expert(NEEDS, [candidate(1, **changes)], NOW)

    assert decision.chosen_expert_id is None
    assert [(item.expert_id, item.reason) for item in decision.excluded] == [(1, reason)]


def test_expert_who_declined_is_not_offered_again() -> None:
    needs = replace(NEEDS, excluded_expert_ids=frozenset({1}))

    decision = choose_expert(needs, [candidate(1), candidate(2)], NOW)

    assert decision.chosen_expert_id == 2
    assert [(item.expert_id, item.reason) for item in decision.excluded] == [
        (1, ExclusionReason.DECLINED_BEFORE)
    ]


def test_missing_skill_excludes() -> None:
    needs = replace(NEEDS, skills=frozenset({"returns"}))

    decision = choose_expert(needs, [candidate(1), candidate(2, skills=frozenset({"returns"}))],
                             NOW)

    assert decision.chosen_expert_id == 2
    assert decision.excluded[0].reason == ExclusionReason.SKILL


def test_ranking_prefers_fewest_active_then_longest_idle_then_quality() -> None:
    busy = candidate(1, active_load=1, idle_since=NOW - timedelta(hours=3))
    idle_long = candidate(2, idle_since=NOW - timedelta(minutes=30), quality_score=3.0)
    idle_short_best = candidate(3, idle_since=NOW - timedelta(minutes=1), quality_score=5.0)
    tie_low_quality = candidate(4, idle_since=NOW - timedelta(minutes=30), quality_score=2.0)

    decision = choose_expert(NEEDS, [busy, idle_long, idle_short_best, tie_low_quality], NOW)

    assert [score.expert_id for score in decision.ranked] == [2, 4, 3, 1]
    assert decision.chosen_expert_id == 2
    assert decision.ranked[0].idle_seconds == 1800.0


def test_same_input_same_decision() -> None:
    pool = [candidate(number) for number in range(10, 0, -1)]

    first = choose_expert(NEEDS, pool, NOW)
    second = choose_expert(NEEDS, list(reversed(pool)), NOW)

    assert first == second
    assert first.chosen_expert_id == 1


def test_decision_log_names_every_candidate() -> None:
    decision = choose_expert(NEEDS, [candidate(1, name="Ana"), candidate(2, certified=False)],
                             NOW, counted={"off_shift": 3, "not_certified": 1})

    assert decision.as_log() == {
        "chosen_expert_id": 1,
        "ranked": [{"expert_id": 1, "name": "Ana", "rank": 1, "active_load": 0,
                    "idle_seconds": 300.0, "quality_score": 4.5}],
        "excluded": [{"expert_id": 2, "reason": "not_certified"}],
        "excluded_counts": {"not_certified": 2, "off_shift": 3},
    }


def test_chat_is_offered_to_several_experts_only_close_to_its_deadline() -> None:
    policy = policy_for("chat")
    due = NOW + timedelta(seconds=30)

    widths = [policy.offer_width(NOW + timedelta(seconds=elapsed), due)
              for elapsed in (0, 14, 15, 29)]

    assert widths == [1, 1, 3, 3]
    assert policy_for("email").offer_width(due, due) == 1

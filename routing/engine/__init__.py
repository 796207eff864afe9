"""The routing engine: plain Python, no Django, no database, `now` always passed in.

The Celery tasks, the simulator and the tests all drive these same functions.
"""

from routing.engine.coverage import (
    BacklogReport,
    Closure,
    CoverageCalendar,
    CoverageDecision,
    CoverageReason,
    OverflowRule,
    WeeklySpan,
    coverage_week,
    decide_coverage,
)
from routing.engine.eligibility import (
    Candidate,
    CandidateScore,
    Exclusion,
    ExclusionReason,
    InquiryNeeds,
    RoutingDecision,
    choose_expert,
)
from routing.engine.policy import Channel, OfferPolicy

__all__ = [
    "BacklogReport",
    "Candidate",
    "CandidateScore",
    "Channel",
    "Closure",
    "CoverageCalendar",
    "CoverageDecision",
    "CoverageReason",
    "Exclusion",
    "ExclusionReason",
    "InquiryNeeds",
    "OfferPolicy",
    "OverflowRule",
    "RoutingDecision",
    "WeeklySpan",
    "choose_expert",
    "coverage_week",
    "decide_coverage",
]

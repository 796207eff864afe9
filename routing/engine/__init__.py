"""The routing engine: plain Python, no Django, no database, `now` always passed in.

The Celery tasks, the simulator and the tests all drive these same functions.
"""

from routing.engine.coverage import CoverageCalendar, CoverageDecision, WeeklySpan, decide_coverage
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
    "Candidate",
    "CandidateScore",
    "Channel",
    "CoverageCalendar",
    "CoverageDecision",
    "Exclusion",
    "ExclusionReason",
    "InquiryNeeds",
    "OfferPolicy",
    "RoutingDecision",
    "WeeklySpan",
    "choose_expert",
    "decide_coverage",
]

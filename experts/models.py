"""The expert side's models, for Django and the migrations. Each model lives in its capability's
package (profiles, applications, certification, shifts, presence, quality); import it from
there."""

from experts.applications.models import DecisionKind, ExpertApplication, ExpertDecision
from experts.certification.models import (
    RETAKE_COOLDOWN,
    Certification,
    CertificationAttempt,
    CertificationStatus,
    TrainingPack,
    TrainingQuestion,
)
from experts.presence.models import ExpertPresence, PresenceStatus
from experts.profiles.models import ExpertProfile, ExpertStatus
from experts.quality.models import (
    ExpertQuality,
    InquiryReview,
    QualityAlert,
    QualityMetric,
    RatingReason,
    ReviewReason,
    ReviewSource,
)
from experts.shifts.models import (
    LIVE_BOOKING_STATUSES,
    BookingStatus,
    QueueShiftPolicy,
    ShiftBooking,
    ShiftSlot,
    ShiftWaitlistEntry,
    TsTzRange,
    WaitlistStatus,
)

__all__ = [
    "LIVE_BOOKING_STATUSES", "RETAKE_COOLDOWN", "BookingStatus", "Certification",
    "CertificationAttempt", "CertificationStatus", "DecisionKind", "ExpertApplication",
    "ExpertDecision", "ExpertPresence", "ExpertProfile", "ExpertQuality", "ExpertStatus",
    "InquiryReview", "PresenceStatus", "QualityAlert", "QualityMetric", "QueueShiftPolicy",
    "RatingReason", "ReviewReason", "ReviewSource",
    "ShiftBooking", "ShiftSlot", "ShiftWaitlistEntry", "TrainingPack",
    "TrainingQuestion", "TsTzRange", "WaitlistStatus",
]

from django.contrib import admin

from experts.applications.models import ExpertApplication, ExpertDecision
from experts.certification.models import (
    Certification,
    CertificationAttempt,
    TrainingPack,
    TrainingQuestion,
)
from experts.presence.models import ExpertPresence
from experts.profiles.models import ExpertProfile
from experts.quality.models import ExpertQuality, InquiryReview, QualityAlert
from experts.shifts.models import QueueShiftPolicy, ShiftBooking, ShiftSlot, ShiftWaitlistEntry


@admin.register(ExpertProfile)
class ExpertProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "status", "languages", "time_zone"]
    list_filter = ["status"]
    search_fields = ["display_name", "user__email"]
    readonly_fields = ["status"]


@admin.register(ExpertDecision)
class ExpertDecisionAdmin(admin.ModelAdmin):
    """The vetting audit trail: readable, never editable (PostgreSQL refuses it too)."""

    list_display = ["expert", "kind", "from_status", "to_status", "decided_by", "decided_at"]
    list_filter = ["kind", "to_status"]
    search_fields = ["expert__display_name", "reason"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ["expert", "brand", "status", "granted_at"]


class BookingInline(admin.TabularInline):
    model = ShiftBooking
    extra = 0


@admin.register(ShiftSlot)
class ShiftSlotAdmin(admin.ModelAdmin):
    list_display = ["queue", "starts_at", "ends_at", "headcount", "premium_tier", "is_hot"]
    list_filter = ["is_hot"]
    inlines = [BookingInline]


@admin.register(ExpertApplication)
class ExpertApplicationAdmin(admin.ModelAdmin):
    """Applications change through the apply pages and the vetting console, which audit every
    change; the admin only reads them."""

    list_display = ["expert", "email_verified_at", "quiz_score", "submitted_at"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


class TrainingQuestionInline(admin.TabularInline):
    model = TrainingQuestion
    extra = 0


@admin.register(TrainingPack)
class TrainingPackAdmin(admin.ModelAdmin):
    list_display = ["brand", "pass_mark_percent", "updated_at"]
    inlines = [TrainingQuestionInline]


@admin.register(CertificationAttempt)
class CertificationAttemptAdmin(admin.ModelAdmin):
    list_display = ["expert", "brand", "score", "total", "passed", "attempted_at"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records kept by services (presence, figures, alerts, waitlists): read here, changed by
    the product."""

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(QueueShiftPolicy)
class QueueShiftPolicyAdmin(admin.ModelAdmin):
    list_display = ["queue", "cancel_cutoff_hours", "min_csat_percent", "min_acceptance_percent",
                    "max_no_shows", "suspend_automatically"]


@admin.register(ShiftWaitlistEntry)
class ShiftWaitlistEntryAdmin(ReadOnlyAdmin):
    list_display = ["slot", "expert", "status", "joined_at"]


@admin.register(ExpertPresence)
class ExpertPresenceAdmin(ReadOnlyAdmin):
    list_display = ["expert", "status", "chosen_status", "last_heartbeat_at", "last_activity_at"]


@admin.register(ExpertQuality)
class ExpertQualityAdmin(ReadOnlyAdmin):
    list_display = ["expert", "csat_percent", "csat_reviews", "acceptance_percent", "no_shows",
                    "computed_at"]


@admin.register(InquiryReview)
class InquiryReviewAdmin(ReadOnlyAdmin):
    list_display = ["inquiry", "expert", "rating", "reasons", "legacy_reason", "source",
                    "created_at"]
    list_filter = ["source", "rating"]


@admin.register(QualityAlert)
class QualityAlertAdmin(ReadOnlyAdmin):
    list_display = ["expert", "queue", "metric", "value", "threshold", "suspended", "created_at",
                    "acknowledged_at"]

from django.contrib import admin

from experts.models import Certification, ExpertDecision, ExpertProfile, ShiftBooking, ShiftSlot


@admin.register(ExpertProfile)
class ExpertProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "status", "languages", "time_zone"]
    list_filter = ["status"]
    search_fields = ["display_name", "user__email"]
    readonly_fields = ["status"]


@admin.register(ExpertDecision)
class ExpertDecisionAdmin(admin.ModelAdmin):
    """The vetting audit trail: readable, never editable."""

    list_display = ["expert", "from_status", "to_status", "decided_by", "decided_at"]

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
    list_display = ["queue", "starts_at", "ends_at", "headcount"]
    inlines = [BookingInline]

from django.contrib import admin

from routing.models import Assignment, Offer, RoutingDecisionLog


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["id", "inquiry", "expert", "status", "created_at", "expires_at"]
    list_filter = ["status"]
    readonly_fields = [field.name for field in Offer._meta.fields]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["id", "inquiry", "expert", "status", "created_at", "ended_at"]
    list_filter = ["status"]
    readonly_fields = [field.name for field in Assignment._meta.fields]


@admin.register(RoutingDecisionLog)
class RoutingDecisionLogAdmin(admin.ModelAdmin):
    list_display = ["id", "inquiry", "chosen_expert", "decided_at"]
    readonly_fields = [field.name for field in RoutingDecisionLog._meta.fields]

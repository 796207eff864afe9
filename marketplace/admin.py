from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.forms import ModelForm
from django.http import HttpRequest

from marketplace.access.models import ApiKey
from marketplace.delivery.models import DeliveryAttempt
from marketplace.inquiries.models import Attachment, Customer, Inquiry, InquiryEvent, Message
from marketplace.intake.models import InboundDelivery, MailLogEntry
from marketplace.onboarding.audit import audit_changes, brand_audit_record
from marketplace.onboarding.models import (
    Brand,
    BrandAuditAction,
    BrandAuditEvent,
    BrandMembership,
)
from marketplace.queues.models import BusinessHoursSpan, OverflowQueue, QueueMacro
from marketplace.surveys.models import SurveyInvitation


class MembershipInline(admin.TabularInline):
    model = BrandMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    inlines = [MembershipInline]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "brand", "prefix", "scopes", "created_at", "last_used_at",
                    "revoked_at", "rate_limited"]
    list_editable = ["rate_limited"]
    readonly_fields = ["prefix", "hashed_key", "scopes", "created_at", "last_used_at"]
    list_filter = ["brand"]

    def has_add_permission(self, request: object) -> bool:
        return False


class SpanInline(admin.TabularInline):
    model = BusinessHoursSpan
    extra = 0


class MacroInline(admin.TabularInline):
    """Shown to ops, written by the brand in its console, where placeholders are checked."""

    model = QueueMacro
    extra = 0
    readonly_fields = ["name", "body", "updated_at"]

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(OverflowQueue)
class OverflowQueueAdmin(admin.ModelAdmin):
    list_display = ["name", "brand", "time_zone", "covers_after_hours", "covers_weekends",
                    "currency"]
    readonly_fields = ["webhook_secret", "inbound_email_token"]
    inlines = [SpanInline, MacroInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request: HttpRequest, obj: OverflowQueue, form: ModelForm,
                   change: bool) -> None:
        """Ops changing a queue here (its hours, say) shows in the brand's audit log."""
        before = {field: form.initial.get(field) for field in form.changed_data}
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            changes = audit_changes(before, {field: form.cleaned_data.get(field)
                                             for field in form.changed_data})
            if changes or not change:
                brand_audit_record(
                    brand=obj.brand, actor=request.user,  # type: ignore[arg-type]
                    action=(BrandAuditAction.QUEUE_SETTINGS_CHANGED if change
                            else BrandAuditAction.QUEUE_CREATED),
                    target=f"Queue {obj.name} (#{obj.pk}), by Shiftline ops", changes=changes)


@admin.register(BrandAuditEvent)
class BrandAuditEventAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only (marketplace/onboarding/models.py)."""

    list_display = ["occurred_at", "brand", "actor_label", "action", "target"]
    list_filter = ["action", "brand"]
    search_fields = ["target", "actor_label"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "brand"]
    search_fields = ["email", "name"]


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    can_delete = False
    fields = ("direction", "body", "created_at", "delivery_status")
    readonly_fields = fields


class EventInline(admin.TabularInline):
    model = InquiryEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "description", "actor")
    readonly_fields = fields


@admin.register(Inquiry)
class InquiryAdmin(admin.ModelAdmin):
    list_display = ["id", "brand", "subject", "channel", "status", "received_at"]
    list_filter = ["status", "channel", "brand"]
    search_fields = ["subject", "external_id", "customer__email"]
    readonly_fields = ["status", "coverage_reason", "received_at", "first_response_due_at",
                       "first_replied_at", "resolved_at", "source", "promised_reply_by",
                       "promise_text", "promise_basis", "promise_kept", "acknowledged_at",
                       "acknowledgement_message_id", "quoted_inquiry"]
    inlines = [MessageInline, EventInline]


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ("number", "route", "attempted_at", "succeeded", "status_code", "error")
    readonly_fields = fields


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    can_delete = False
    fields = ("filename", "content_type", "size", "stored", "not_stored_reason")
    readonly_fields = fields


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Replies and their delivery log; a failed one is retried from the brand console or the
    API (`message_retry_delivery`), which logs who asked."""

    list_display = ["id", "inquiry", "direction", "delivery_status", "delivery_attempts",
                    "created_at"]
    list_filter = ["direction", "delivery_status"]
    readonly_fields = ["inquiry", "direction", "author", "body", "created_at",
                       "email_message_id", "delivery_status", "delivered_at",
                       "delivery_attempts", "delivery_error", "unreadable_reason"]
    inlines = [AttachmentInline, DeliveryAttemptInline]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(InboundDelivery)
class InboundDeliveryAdmin(admin.ModelAdmin):
    list_display = ["delivery_id", "queue", "inquiry", "response_status", "received_at"]
    list_filter = ["queue"]
    readonly_fields = ["queue", "delivery_id", "inquiry", "response_status", "response_body",
                       "received_at"]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(MailLogEntry)
class MailLogEntryAdmin(admin.ModelAdmin):
    """Mail that reached a queue but is no customer message: kept as it came, for reading."""

    list_display = ["received_at", "queue", "kind", "sender", "subject"]
    list_filter = ["kind", "queue"]
    search_fields = ["sender", "subject", "email_message_id"]
    readonly_fields = ["queue", "received_at", "kind", "reason", "sender", "subject", "text",
                       "email_message_id", "attachments", "original", "original_size",
                       "inquiry"]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(admin.ModelAdmin):
    """The survey asked of each resolved inquiry's customer: read-only (the key is the link's
    secret part and is not shown)."""

    list_display = ["inquiry", "channel", "created_at", "sent_at", "answered_at", "expires_at"]
    list_filter = ["channel"]
    fields = ("inquiry", "channel", "created_at", "sent_at", "answered_at", "expires_at")
    readonly_fields = ("inquiry", "channel", "created_at", "sent_at", "answered_at",
                       "expires_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

from django.contrib import admin

from billing.disputes.models import Dispute, DisputeEvent
from billing.invoices.models import Invoice, InvoiceLine, VatRate
from billing.ledger.models import Account, LedgerEntry, LedgerTransaction
from billing.payouts.models import Payout, PayoutBatch, PayoutDetails


class EntryInline(admin.TabularInline):
    model = LedgerEntry
    extra = 0
    can_delete = False
    readonly_fields = ["account", "amount_minor", "description"]


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(admin.ModelAdmin):
    """Append-only: the database refuses changes, so the admin does not offer them."""

    list_display = ["id", "kind", "idempotency_key", "currency", "created_at"]
    inlines = [EntryInline]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "owner_id", "currency"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Payouts change only through their services (the ops pages at /ops/payouts/)."""


@admin.register(VatRate)
class VatRateAdmin(admin.ModelAdmin):
    """Ops keep the rates here or on /ops/vat-rates/; a new rate from a date, not an edit."""

    list_display = ["country", "rate_percent", "valid_from"]
    list_filter = ["country"]


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    can_delete = False
    readonly_fields = ["position", "kind", "description", "quantity", "unit_minor",
                       "amount_minor"]


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    """Read-only: invoices change only through their services (issue, pay, void)."""

    list_display = ["__str__", "kind", "brand_name", "period_start", "status", "total_minor",
                    "currency"]
    list_filter = ["status", "kind", "vat_treatment"]
    inlines = [InvoiceLineInline]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(PayoutBatch)
class PayoutBatchAdmin(ReadOnlyAdmin):
    list_display = ["week_start", "status", "drafted_at", "approved_at", "executed_at"]


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ["id", "batch", "expert_id", "expert_name", "currency", "amount_minor",
                    "status", "method", "hold_reason"]
    list_filter = ["status", "method", "currency"]


@admin.register(PayoutDetails)
class PayoutDetailsAdmin(ReadOnlyAdmin):
    list_display = ["expert_id", "method", "stripe_onboarded", "country", "updated_at"]


class DisputeEventInline(admin.TabularInline):
    model = DisputeEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "actor", "note", "created_at"]


@admin.register(Dispute)
class DisputeAdmin(admin.ModelAdmin):
    """Read-only: decisions are taken on /ops/disputes/, through the services."""

    list_display = ["inquiry_id", "brand_id", "status", "appeal_status", "opened_at"]
    list_filter = ["status", "appeal_status"]
    inlines = [DisputeEventInline]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False

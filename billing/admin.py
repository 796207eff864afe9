from django.contrib import admin

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

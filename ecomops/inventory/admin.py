"""Admin of the warehouse: read-only. Posted documents, the ledger, balances, reversals, reservations
and daily closes are evidence (WMS-13): nobody adds, changes or deletes them here, superusers
included. Locations and documents change through the pages (``actions``), which check and record."""

from django.contrib import admin

from ecomops.audit.admin import ReadOnlyAdmin, ReadOnlyAuditedAdmin

from .models import (
    Bin,
    CustomerHold,
    CustomerHoldExtension,
    DailyClose,
    Lot,
    Reservation,
    Reversal,
    StockBalance,
    StockDocument,
    StockDocumentLine,
    StockMove,
    Warehouse,
    Zone,
)


@admin.register(Warehouse)
class WarehouseAdmin(ReadOnlyAuditedAdmin):
    list_display = ("code", "name", "supervisor", "is_active")
    search_fields = ("code", "name")


@admin.register(Zone)
class ZoneAdmin(ReadOnlyAuditedAdmin):
    list_display = ("warehouse", "code", "name", "is_active")
    list_filter = ("warehouse",)


@admin.register(Bin)
class BinAdmin(ReadOnlyAuditedAdmin):
    list_display = ("warehouse", "code", "zone", "kind", "pick_order", "is_active")
    list_filter = ("warehouse", "kind")
    search_fields = ("code",)


@admin.register(Lot)
class LotAdmin(ReadOnlyAdmin):
    list_display = ("number", "client", "supplier", "received_on", "source_kind", "source_number")
    list_filter = ("source_kind",)
    search_fields = ("number", "source_number")


@admin.register(StockBalance)
class StockBalanceAdmin(ReadOnlyAdmin):
    list_display = ("sku", "warehouse", "bin", "lot", "on_hand", "reserved")
    list_filter = ("warehouse",)
    search_fields = ("sku__sku_code", "lot__number")
    list_select_related = ("sku", "warehouse", "bin", "lot")


@admin.register(StockMove)
class StockMoveAdmin(ReadOnlyAdmin):
    list_display = ("id", "posted_at", "doc_kind", "doc_number", "sku", "lot", "from_bin", "to_bin", "quantity",
                    "from_after", "to_after", "by")
    list_filter = ("doc_kind",)
    search_fields = ("doc_number", "sku__sku_code", "lot__number")
    date_hierarchy = "posted_at"
    list_select_related = ("sku", "lot", "from_bin", "to_bin", "by")


class StockDocumentLineInline(admin.TabularInline):
    model = StockDocumentLine
    fields = ("sku", "lot", "from_bin", "to_bin", "quantity")
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StockDocument)
class StockDocumentAdmin(ReadOnlyAuditedAdmin):
    list_display = ("number", "kind", "warehouse", "client", "state", "reference", "created_by", "posted_at")
    list_filter = ("kind", "state", "warehouse")
    search_fields = ("number", "reference")
    inlines = [StockDocumentLineInline]


@admin.register(Reversal)
class ReversalAdmin(ReadOnlyAdmin):
    list_display = ("number", "original_kind", "original_number", "reason", "by", "at")
    search_fields = ("number", "original_number")


@admin.register(Reservation)
class ReservationAdmin(ReadOnlyAuditedAdmin):
    list_display = ("doc_kind", "doc_number", "sku", "warehouse", "quantity", "state", "expires_at")
    list_filter = ("state", "doc_kind")
    search_fields = ("doc_number", "sku__sku_code")


@admin.register(DailyClose)
class DailyCloseAdmin(ReadOnlyAdmin):
    list_display = ("warehouse", "day", "closed_by", "closed_at")
    list_filter = ("warehouse",)
    date_hierarchy = "day"


class ExtensionInline(admin.TabularInline):
    model = CustomerHoldExtension
    fields = ("at", "by", "old_expires_at", "new_expires_at", "note")
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CustomerHold)
class CustomerHoldAdmin(ReadOnlyAuditedAdmin):
    list_display = ("number", "sku", "warehouse", "quantity", "customer", "staff", "state", "expires_at")
    list_filter = ("state", "warehouse")
    search_fields = ("number", "customer", "sku__sku_code")
    inlines = [ExtensionInline]

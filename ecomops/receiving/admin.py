"""Receipts in the admin: read-only (posted documents are never edited or deleted, WMS-13)."""

from django.contrib import admin

from .models import QcRecord, Receipt, ReceiptLine


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LineInline(admin.TabularInline):
    model = ReceiptLine
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Receipt)
class ReceiptAdmin(ReadOnly):
    list_display = ("number", "client", "warehouse", "supplier", "purchase_order", "delivery_note_no", "state")
    list_filter = ("state", "warehouse")
    search_fields = ("number", "delivery_note_no", "purchase_order__number")
    inlines = [LineInline]


@admin.register(QcRecord)
class QcRecordAdmin(ReadOnly):
    list_display = ("receipt", "line", "kind", "sampled", "passed", "failed", "outcome", "by", "at")
    list_filter = ("kind",)

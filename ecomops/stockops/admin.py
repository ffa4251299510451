"""Read-only admin: documents of the warehouse operations are changed through their actions only, and
posted documents are never edited or deleted (WMS-13)."""

from django.contrib import admin

from .models import CountSheet, SampleLoan, ScrapNote, StockopsEvent, Transfer


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = ("number", "client", "from_warehouse", "to_warehouse", "state", "requested_at")
    list_filter = ("state",)
    search_fields = ("number",)


@admin.register(CountSheet)
class CountSheetAdmin(ReadOnlyAdmin):
    list_display = ("number", "kind", "client", "warehouse", "state", "snapshot_at")
    list_filter = ("state", "kind")
    search_fields = ("number",)


@admin.register(ScrapNote)
class ScrapNoteAdmin(ReadOnlyAdmin):
    list_display = ("number", "client", "warehouse", "state", "reason", "created_at")
    list_filter = ("state",)
    search_fields = ("number",)


@admin.register(SampleLoan)
class SampleLoanAdmin(ReadOnlyAdmin):
    list_display = ("number", "client", "warehouse", "borrower", "lent_on", "due_on", "state")
    list_filter = ("state",)
    search_fields = ("number", "borrower")


@admin.register(StockopsEvent)
class StockopsEventAdmin(ReadOnlyAdmin):
    list_display = ("doc_kind", "doc_id", "kind", "actor", "at")

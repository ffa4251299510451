"""Jobs and their error rows are read-only here (they are records of what happened); formats are
edited on their own page, which checks the mapping."""

from django.contrib import admin

from ecomops.audit.admin import ReadOnlyAdmin

from .models import ImportFormat, ImportJob, ImportRowError


@admin.register(ImportFormat)
class ImportFormatAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "platform", "is_active")


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "store", "format", "state", "rows_done", "rows_total", "orders_created", "rows_failed",
                    "created_at")
    list_filter = ("state", "store")
    exclude = ("file", "second_file")  # LAW-04: the uploaded exports are never served (core.uploads)


@admin.register(ImportRowError)
class ImportRowErrorAdmin(ReadOnlyAdmin):
    list_display = ("job", "file", "row_no", "column", "order_no", "reason")

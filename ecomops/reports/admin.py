from django.contrib import admin

from .models import ManagementReport
from .queries import visible_reports


@admin.register(ManagementReport)
class ManagementReportAdmin(admin.ModelAdmin):
    """Read only: reports are written by ``build.generate`` (the jobs and the 经营报表 page)."""

    list_display = ("kind", "period_start", "period_end", "generated_at", "generation", "mail_status")
    list_filter = ("kind", "mail_status")

    def get_queryset(self, request):
        return visible_reports(request.user)  # company-wide figures: only for users who see every client

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

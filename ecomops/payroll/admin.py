"""Read-only admin of pay: every change goes through ``payroll.actions`` (with its checks and audit
history); a locked month is never edited, not even here."""

from django.contrib import admin

from ecomops.audit.admin import ReadOnlyAdmin, ReadOnlyAuditedAdmin

from .models import (
    ActivityFund,
    HarmCase,
    KpiActual,
    OverCompletionBonus,
    PayAdjustment,
    PayGroup,
    PayLine,
    PayProfile,
    PayrollRun,
    PaySlip,
    RampUpMonth,
    RunEvent,
    Target,
)


@admin.register(PayGroup)
class PayGroupAdmin(ReadOnlyAuditedAdmin):
    list_display = ("department", "kind")


@admin.register(PayProfile)
class PayProfileAdmin(ReadOnlyAuditedAdmin):
    list_display = ("staff", "role", "base_salary", "is_active")
    list_filter = ("role", "is_active")


@admin.register(Target)
class TargetAdmin(ReadOnlyAuditedAdmin):
    list_display = ("month", "scope", "department", "staff", "metric", "plan", "late", "set_at")
    list_filter = ("month", "scope", "metric", "late")


@admin.register(KpiActual)
class KpiActualAdmin(ReadOnlyAuditedAdmin):
    list_display = ("month", "scope", "department", "staff", "metric", "value", "evidence")
    list_filter = ("month", "metric")


@admin.register(OverCompletionBonus)
class OverCompletionBonusAdmin(ReadOnlyAuditedAdmin):
    list_display = ("month", "staff", "amount", "entered_by")


@admin.register(RampUpMonth)
class RampUpMonthAdmin(ReadOnlyAuditedAdmin):
    list_display = ("month", "department", "granted_by")


@admin.register(HarmCase)
class HarmCaseAdmin(ReadOnlyAuditedAdmin):
    list_display = ("staff", "occurred_on", "recorded_on", "recorded_by")


@admin.register(PayAdjustment)
class PayAdjustmentAdmin(ReadOnlyAuditedAdmin):
    list_display = ("month", "staff", "corrects", "amount", "entered_by")


@admin.register(PayrollRun)
class PayrollRunAdmin(ReadOnlyAuditedAdmin):
    list_display = ("month", "state", "slip_count", "net_sales", "total", "computed_at", "locked_at")


@admin.register(RunEvent)
class RunEventAdmin(ReadOnlyAdmin):
    list_display = ("run", "kind", "from_state", "to_state", "actor", "at", "note")


class PayLineInline(admin.TabularInline):
    model = PayLine
    fields = ("seq", "kind", "amount", "explanation", "clause", "corrects")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PaySlip)
class PaySlipAdmin(ReadOnlyAdmin):
    list_display = ("run", "employee_no", "name", "role", "total")
    list_filter = ("run",)
    inlines = [PayLineInline]


@admin.register(ActivityFund)
class ActivityFundAdmin(ReadOnlyAdmin):
    list_display = ("run", "department", "sales", "rate", "amount")

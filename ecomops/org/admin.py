"""Admin of the organisation. Reference data (departments, positions, platforms, job levels) is
adjusted here by administrators; a position's permissions are those of its Django group (ORG-02),
edited on the group's page. Every change is kept in the history (DAT-02)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from ecomops.audit.admin import AuditedAdmin
from ecomops.core.models import APIToken

from . import actions
from .models import (
    Attendance,
    Client,
    ClientGrant,
    ClientMember,
    Company,
    Department,
    JobLevel,
    LeaveRequest,
    PasswordState,
    Platform,
    Position,
    Staff,
    StaffPosition,
    Store,
    StoreGrant,
)


@admin.register(Company)
class CompanyAdmin(AuditedAdmin):
    list_display = ("name", "name_en", "kind", "credit_code")


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    list_display = ("code", "name", "name_en", "parent", "is_group", "sort_order", "is_active")
    list_filter = ("is_group", "is_active")
    search_fields = ("code", "name", "name_en")
    list_select_related = ("parent",)


@admin.register(Position)
class PositionAdmin(AuditedAdmin):
    list_display = ("code", "name", "name_en", "department_hint", "group", "sort_order")
    search_fields = ("code", "name", "name_en", "duties")
    list_select_related = ("group",)


@admin.register(JobLevel)
class JobLevelAdmin(AuditedAdmin):
    list_display = ("ladder", "rank", "code", "name", "salary_min", "salary_max", "review_months")
    list_filter = ("ladder",)
    search_fields = ("code", "name")


class StaffPositionInline(admin.TabularInline):
    """Shown, not edited: positions are set through org.actions.set_positions, which also moves the
    person's permission groups."""

    model = StaffPosition
    fields = ("position", "is_primary", "since")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Staff)
class StaffAdmin(AuditedAdmin):
    list_display = ("employee_no", "name", "department", "job_level", "status", "hired_on", "left_on")
    list_filter = ("status", "department")
    search_fields = ("employee_no", "name", "user__username")
    raw_id_fields = ("user",)
    inlines = [StaffPositionInline]
    list_select_related = ("department", "job_level")


@admin.register(Attendance)
class AttendanceAdmin(AuditedAdmin):
    list_display = ("date", "staff", "kind", "clock_in", "clock_out", "late_minutes", "early_leave_minutes")
    list_filter = ("kind",)
    search_fields = ("staff__name", "staff__employee_no")
    date_hierarchy = "date"
    raw_id_fields = ("staff",)
    list_select_related = ("staff",)


@admin.register(LeaveRequest)
class LeaveRequestAdmin(AuditedAdmin):
    list_display = ("staff", "kind", "start_date", "end_date", "status", "decided_by")
    list_filter = ("kind", "status")
    search_fields = ("staff__name", "staff__employee_no")
    raw_id_fields = ("staff", "decided_by")
    list_select_related = ("staff", "decided_by")


@admin.register(Platform)
class PlatformAdmin(AuditedAdmin):
    list_display = ("code", "name", "name_en", "region", "sort_order", "is_active")
    list_filter = ("region", "is_active")
    search_fields = ("code", "name", "name_en")


@admin.register(Client)
class ClientAdmin(AuditedAdmin):
    list_display = ("code", "name", "status", "is_self", "contract_start", "contract_end")
    list_filter = ("status", "is_self")
    search_fields = ("code", "name", "name_en")


@admin.register(Store)
class StoreAdmin(AuditedAdmin):
    list_display = ("code", "name", "client", "platform", "status", "opened_on")
    list_filter = ("status", "platform", "client")
    search_fields = ("code", "name", "platform_shop_id")
    list_select_related = ("client", "platform")


@admin.register(ClientMember)
class ClientMemberAdmin(AuditedAdmin):
    list_display = ("user", "client", "title")
    list_filter = ("client",)
    search_fields = ("user__username", "title")
    raw_id_fields = ("user",)
    list_select_related = ("user", "client")


@admin.register(ClientGrant)
class ClientGrantAdmin(AuditedAdmin):
    list_display = ("user", "client", "granted_by", "granted_at")
    list_filter = ("client",)
    search_fields = ("user__username",)
    raw_id_fields = ("user", "granted_by")
    list_select_related = ("user", "client", "granted_by")


@admin.register(StoreGrant)
class StoreGrantAdmin(AuditedAdmin):
    list_display = ("user", "store", "granted_by", "granted_at")
    list_filter = ("store__client",)
    search_fields = ("user__username", "store__code", "store__name")
    raw_id_fields = ("user", "granted_by")
    list_select_related = ("user", "store", "granted_by")


# --- Login accounts: Django's user admin, plus the required password change (DAT-02) -------------

User = get_user_model()


class PasswordStateInline(admin.StackedInline):
    """Shown, not edited here: the flag is set by the actions below (or on the staff page) and clears
    when the person changes their password, each time with its history."""

    model = PasswordState
    fk_name = "user"
    fields = ("must_change", "required_by", "required_at", "changed_at")
    readonly_fields = fields
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False


@admin.action(description=_("要求下次登录修改密码"), permissions=["change"])
def require_password_change(modeladmin, request, queryset):
    for account in queryset:
        actions.require_password_change(account, user=request.user, required=True)
    modeladmin.message_user(request, _("已要求 %(count)d 个账号下次登录修改密码") % {"count": queryset.count()},
                            messages.SUCCESS)


@admin.action(description=_("取消修改密码的要求"), permissions=["change"])
def withdraw_password_change(modeladmin, request, queryset):
    for account in queryset:
        actions.require_password_change(account, user=request.user, required=False)
    modeladmin.message_user(request, _("已取消 %(count)d 个账号修改密码的要求") % {"count": queryset.count()},
                            messages.SUCCESS)


if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(UserAdmin):
    inlines = [PasswordStateInline]
    actions = [require_password_change, withdraw_password_change]
    list_display = (*UserAdmin.list_display, "must_change_password")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("password_state")

    @admin.display(description=_("须修改密码"), boolean=True)
    def must_change_password(self, account):
        state = getattr(account, "password_state", None)
        return bool(state and state.must_change)


# Personal API tokens (core.APIToken): administrators see who holds which token and may revoke one.
# Tokens are never created here (a token is shown once to its own user, through the API) and the
# digest is not shown. Revoking goes through ``ecomops.apiutil.tokens`` like every other revocation.
@admin.register(APIToken)
class APITokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at")
    list_filter = ("revoked_at", "expires_at")
    search_fields = ("name", "prefix", "user__username")
    list_select_related = ("user",)
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at")
    fields = readonly_fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the record stays for the audit trail

    @admin.action(description=_("吊销所选令牌"), permissions=["change"])
    def revoke(self, request, queryset):
        from ecomops.apiutil.tokens import revoke_token

        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            revoke_token(token, user=request.user)
            count += 1
        self.message_user(request, _("已吊销 %(n)d 个令牌") % {"n": count}, messages.SUCCESS)

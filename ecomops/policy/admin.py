"""Admin of the policy registry. Values change only through the policy pages (policy.actions), so
versions, regulation versions and signed commitments are read-only here (POL-01, ORG-06)."""

from __future__ import annotations

from django.contrib import admin

from ecomops.audit.admin import AuditedAdmin, ReadOnlyAuditedAdmin

from .models import Acknowledgement, PolicyParameter, PolicyVersion, RegulationVersion


class PolicyVersionInline(admin.TabularInline):
    model = PolicyVersion
    fields = ("number", "value", "effective_from", "reason", "created_by", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-effective_from", "-number")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PolicyParameter)
class PolicyParameterAdmin(AuditedAdmin):
    """Names, descriptions and the owner may be corrected here; the key, clause, kind and options are
    what code relies on and stay as seeded."""

    list_display = ("key", "clause", "name", "kind", "owner", "is_decision")
    list_filter = ("group", "kind", "is_decision", "owner")
    search_fields = ("key", "clause", "name", "name_en", "description")
    readonly_fields = ("key", "clause", "group", "kind", "options")
    inlines = [PolicyVersionInline]
    list_select_related = ("owner",)

    def has_add_permission(self, request):
        return False  # parameters come from policy/seed/parameters.toml

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ReadOnlyAuditedAdmin):
    list_display = ("parameter", "number", "effective_from", "created_by", "created_at")
    list_filter = ("parameter__group",)
    search_fields = ("parameter__key", "reason")
    list_select_related = ("parameter", "created_by")


@admin.register(RegulationVersion)
class RegulationVersionAdmin(ReadOnlyAuditedAdmin):
    list_display = ("code", "title", "effective_from", "published_at", "published_by")
    search_fields = ("code", "title")


@admin.register(Acknowledgement)
class AcknowledgementAdmin(ReadOnlyAuditedAdmin):
    list_display = ("regulation", "staff", "acknowledged_at", "ip_address")
    list_filter = ("regulation",)
    search_fields = ("staff__name", "staff__employee_no")
    list_select_related = ("regulation", "staff")

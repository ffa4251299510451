"""Admin of the audit app, and the two admin bases every app uses (DAT-02).

- ``AuditedAdmin``: Django admin with the history view of django-simple-history, read-only: the
  history can be read but never reverted or edited from the admin.
- ``ReadOnlyAdmin``: records nobody may add, change or delete from the admin, superusers included
  (sign-in records, personal-data reads, due items, policy versions).
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from .models import AuthEvent, DueItem, PersonalDataAccess


class AuditedAdmin(SimpleHistoryAdmin):
    """The history of a record is evidence: readable here, never rewritten or replayed."""

    def has_change_history_permission(self, request, obj=None):
        return False

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied  # a POST here would write the old version back over the record
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable with the view permission; no add, change or delete for anybody."""

    actions = None

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAuditedAdmin(ReadOnlyAdmin, AuditedAdmin):
    pass


@admin.register(AuthEvent)
class AuthEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "kind", "username", "user", "ip_address", "channel")
    list_filter = ("kind", "channel")
    search_fields = ("username", "ip_address")
    date_hierarchy = "at"
    list_select_related = ("user",)


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "ip_address", "content_type", "object_id", "fields", "purpose")
    list_filter = ("content_type",)
    search_fields = ("user__username", "object_id", "purpose")
    date_hierarchy = "at"
    list_select_related = ("user", "content_type")


@admin.register(DueItem)
class DueItemAdmin(ReadOnlyAdmin):
    """Due items are raised and completed by the modules' actions (DAT-04), not edited by hand."""

    list_display = ("title", "clause", "owner", "due_at", "done_at", "cancelled_at", "kind")
    list_filter = ("kind", "clause")
    search_fields = ("title", "owner__username")
    date_hierarchy = "due_at"
    list_select_related = ("owner",)

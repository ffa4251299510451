"""Carriers are edited here (where their numbers come from, the API address and the name of the
environment variable holding its key); a number range is added here and then only read (its next
value moves as numbers are handed out); the numbers themselves are records, read-only."""

from django import forms
from django.contrib import admin

from ecomops.audit.admin import AuditedAdmin, ReadOnlyAdmin
from ecomops.core.errors import BusinessError

from . import numbers
from .models import Carrier, NumberPool, TrackingNumber


@admin.register(Carrier)
class CarrierAdmin(AuditedAdmin):
    list_display = ("code", "name", "number_source", "api_url", "api_key_env", "is_active")
    list_filter = ("number_source", "is_active")
    readonly_fields = ("code",)

    def has_add_permission(self, request):
        return False  # one per courier, seeded

    def has_delete_permission(self, request, obj=None):
        return False


class NumberPoolForm(forms.ModelForm):
    class Meta:
        model = NumberPool
        fields = ("carrier", "prefix", "first", "last", "width")

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                numbers.check_pool(data["carrier"], prefix=data.get("prefix") or "", first=data["first"],
                                   last=data["last"], width=data["width"])
            except BusinessError as error:
                raise forms.ValidationError(error.message) from None
        return data


@admin.register(NumberPool)
class NumberPoolAdmin(ReadOnlyAdmin):
    form = NumberPoolForm
    list_display = ("__str__", "carrier", "first", "last", "next_value", "width", "created_at")
    list_filter = ("carrier",)

    def has_add_permission(self, request, obj=None):
        return True

    def save_model(self, request, obj, form, change):
        obj.next_value = obj.first
        obj._history_user = request.user
        super().save_model(request, obj, form, change)


@admin.register(TrackingNumber)
class TrackingNumberAdmin(ReadOnlyAdmin):
    list_display = ("number", "carrier", "source", "order", "assigned_at", "created_at")
    list_filter = ("carrier", "source")
    search_fields = ("number",)
    raw_id_fields = ("order",)

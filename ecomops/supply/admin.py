"""Read-only admin: purchasing, plans, returns, defects and packaging are changed through the actions
only; posted documents are never edited or deleted (WMS-13)."""

from django.contrib import admin

from . import models


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


for model, fields in (
    (models.PurchaseOrder, ("number", "client", "supplier", "warehouse", "state")),
    (models.SupplierReturn, ("number", "client", "supplier", "warehouse", "state")),
    (models.ShippingDefect, ("number", "client", "code", "quantity", "reason")),
    (models.ReplenishmentPlan, ("number", "client", "warehouse", "plan_date", "state")),
    (models.PackagingMaterial, ("code", "name", "unit", "weight_g", "is_active")),
    (models.PackagingMove, ("doc_number", "material", "warehouse", "kind", "quantity", "on_hand_after")),
    (models.PackagingReceipt, ("number", "warehouse", "state")),
    (models.SupplierReturnTerms, ("supplier", "source")),
):
    admin.site.register(model, type(f"{model.__name__}Admin", (ReadOnly,), {"list_display": fields}))

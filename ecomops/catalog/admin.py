"""Admin of the catalogue: reference data (categories, the in-store barcode series) is adjusted here by
administrators; products are maintained on the 商品 pages, through the actions. History is read-only."""

from __future__ import annotations

from django.contrib import admin

from ecomops.audit.admin import AuditedAdmin

from .models import SKU, BarcodeSeries, Brand, Category, PlatformSKU, Style


@admin.register(Category)
class CategoryAdmin(AuditedAdmin):
    list_display = ("code", "name", "name_en", "parent", "special_goods", "sort_order", "is_active")
    list_filter = ("special_goods", "is_active")
    search_fields = ("code", "name", "name_en")
    list_select_related = ("parent",)


@admin.register(Brand)
class BrandAdmin(AuditedAdmin):
    list_display = ("name", "name_en", "client", "trademark_no", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "name_en", "trademark_no")
    list_select_related = ("client",)


@admin.register(BarcodeSeries)
class BarcodeSeriesAdmin(AuditedAdmin):
    list_display = ("prefix", "next_number", "is_active")


class ReadOnlyCatalogAdmin(AuditedAdmin):
    """Products change through the 商品 pages and the import (actions check rights and scope)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Style)
class StyleAdmin(ReadOnlyCatalogAdmin):
    list_display = ("style_no", "name", "client", "brand", "category", "status", "price", "is_hero")
    list_filter = ("status", "is_hero", "return_class")
    search_fields = ("style_no", "name")
    list_select_related = ("client", "brand", "category")


@admin.register(SKU)
class SKUAdmin(ReadOnlyCatalogAdmin):
    list_display = ("sku_code", "barcode", "style", "colour", "size", "is_active")
    search_fields = ("sku_code", "barcode")
    list_select_related = ("style",)


@admin.register(PlatformSKU)
class PlatformSKUAdmin(ReadOnlyCatalogAdmin):
    list_display = ("platform_sku_code", "store", "sku")
    search_fields = ("platform_sku_code",)
    list_select_related = ("store", "sku")

"""Purchasing and returns to suppliers (WMS-01, WMS-14, WMS-16, WMS-17).

A purchase order is what receiving compares the delivery note and the goods with (WMS-01); it comes
from an approved replenishment plan (WMS-14) or is written by purchasing. A supplier return (退厂单)
collects the defective goods of one supplier in one warehouse until the supplier takes them back
(WMS-16); the goods stay in the defective bin, and leave the stock when the return is handed over.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ecomops.audit.history import audited
from ecomops.catalog.models import SKU
from ecomops.inventory.models import Bin, Lot, Warehouse
from ecomops.org.models import Client
from ecomops.org.scoping import ScopedQuerySet

from .enums import POState, ReturnReason, ReturnState

USER = settings.AUTH_USER_MODEL
MONEY = {"max_digits": 12, "decimal_places": 2}


class PurchaseOrder(models.Model):
    number = models.CharField(_("采购单号"), max_length=40, unique=True)
    client = models.ForeignKey(Client, verbose_name=_("委托方"), on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(
        "suppliers.Supplier", verbose_name=_("供应商"), on_delete=models.PROTECT, related_name="purchase_orders"
    )
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("收货仓库"), on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("状态"), max_length=20, choices=POState.choices, default=POState.DRAFT)
    expected_on = models.DateField(_("预计到货日期"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=60, blank=True, help_text=_("如补货计划单号"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(USER, verbose_name=_("制单人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("制单时间"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        USER, verbose_name=_("下单人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("下单时间"), null=True, blank=True)
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_client_field = "client"

    class Meta:
        verbose_name = _("采购单")
        verbose_name_plural = _("采购单")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.number


class PurchaseOrderLine(models.Model):
    order = models.ForeignKey(PurchaseOrder, verbose_name=_("采购单"), on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey(SKU, verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("采购数量"), validators=[MinValueValidator(1)])
    unit_cost = models.DecimalField(_("采购单价（元）"), null=True, blank=True, **MONEY)
    received_quantity = models.PositiveIntegerField(_("已收数量"), default=0)
    history = audited()

    class Meta:
        verbose_name = _("采购单明细")
        verbose_name_plural = _("采购单明细")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "sku"], name="supply_poline_one_per_sku"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="supply_poline_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.sku_id} ×{self.quantity}"

    @property
    def outstanding(self) -> int:
        return max(self.quantity - self.received_quantity, 0)


class SupplierReturn(models.Model):
    """退厂单: defective goods of one supplier in one warehouse, collected until handed over (WMS-16)."""

    number = models.CharField(_("退厂单号"), max_length=40, unique=True)
    client = models.ForeignKey(Client, verbose_name=_("委托方"), on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(
        "suppliers.Supplier", verbose_name=_("供应商"), on_delete=models.PROTECT, related_name="returns"
    )
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("仓库"), on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("状态"), max_length=20, choices=ReturnState.choices, default=ReturnState.COLLECTING)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handed_over_by = models.ForeignKey(
        USER, verbose_name=_("交接人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handed_over_at = models.DateTimeField(_("交接时间"), null=True, blank=True)
    collector = models.CharField(_("供应商取货人"), max_length=60, blank=True)
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_client_field = "client"

    class Meta:
        verbose_name = _("退厂单")
        verbose_name_plural = _("退厂单")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "supplier", "warehouse"],
                condition=Q(state="collecting"),
                name="supply_return_one_collecting",
            )
        ]

    def __str__(self) -> str:
        return self.number


class SupplierReturnLine(models.Model):
    """One kind of defective goods in a return: where they lie (bin, lot) and why (WMS-17 fields)."""

    supplier_return = models.ForeignKey(
        SupplierReturn, verbose_name=_("退厂单"), on_delete=models.CASCADE, related_name="lines"
    )
    sku = models.ForeignKey(SKU, verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="+")
    bin = models.ForeignKey(Bin, verbose_name=_("库位"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("数量"), validators=[MinValueValidator(1)])
    reason = models.CharField(_("退厂原因"), max_length=20, choices=ReturnReason.choices)
    detail = models.CharField(_("问题描述"), max_length=200, blank=True)
    source = models.CharField(_("来源单据"), max_length=60, blank=True)
    added_by = models.ForeignKey(
        USER, verbose_name=_("登记人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = audited()

    class Meta:
        verbose_name = _("退厂明细")
        verbose_name_plural = _("退厂明细")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="supply_returnline_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.supplier_return_id}: {self.sku_id} ×{self.quantity}"

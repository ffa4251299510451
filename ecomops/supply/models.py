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

from ecomops.audit.models import AppendOnly
from ecomops.catalog.models import SKU
from ecomops.core.documents import Document
from ecomops.core.history import audited
from ecomops.inventory.models import Bin, Lot, Warehouse
from ecomops.org.models import Client, code_validator
from ecomops.org.scoping import ScopedQuerySet
from ecomops.suppliers.models import SupplierScopedQuerySet

from .enums import (
    PO_FLOW,
    PackagingMoveKind,
    PackagingReceiptState,
    PlanState,
    POState,
    ReplenishmentRule,
    ReturnReason,
    ReturnState,
    SupplierSource,
)

USER = settings.AUTH_USER_MODEL
MONEY = {"max_digits": 12, "decimal_places": 2}


class PurchaseOrder(Document):
    """A purchase order to a supplier; number, client, who made it and when come from the document base."""

    number_prefix = "PO"
    flow = PO_FLOW
    labels = {"number": _("采购单号")}

    supplier = models.ForeignKey(
        "suppliers.Supplier", verbose_name=_("供应商"), on_delete=models.PROTECT, related_name="purchase_orders"
    )
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("收货仓库"), on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("状态"), max_length=20, choices=POState.choices, default=POState.DRAFT)
    expected_on = models.DateField(_("预计到货日期"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=60, blank=True, help_text=_("如补货计划单号"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
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
    collector_phone = models.CharField(_("取货人电话"), max_length=30, blank=True)
    collector_signature = models.CharField(_("取货人签名"), max_length=60, blank=True)
    keeper_signature = models.CharField(_("仓库交接人签名"), max_length=60, blank=True)
    ready_by = models.ForeignKey(
        USER, verbose_name=_("备货人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ready_at = models.DateTimeField(_("备货完成时间"), null=True, blank=True)
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


class SupplierReturnTerms(models.Model):
    """退厂约定 of one supplier (WMS-16): manufacturer's goods go back daily, purchased goods weekly.
    A supplier without terms is treated as a trader (weekly)."""

    supplier = models.OneToOneField(
        "suppliers.Supplier", verbose_name=_("供应商"), on_delete=models.CASCADE, related_name="return_terms"
    )
    source = models.CharField(_("货源类型"), max_length=20, choices=SupplierSource.choices)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_by = models.ForeignKey(USER, verbose_name=_("设置人"), on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("设置时间"), auto_now=True)
    history = audited()

    objects = SupplierScopedQuerySet.as_manager()
    supplier_client_path = "supplier__client"

    class Meta:
        verbose_name = _("退厂约定")
        verbose_name_plural = _("退厂约定")
        ordering = ["supplier__code"]

    def __str__(self) -> str:
        return f"{self.supplier_id}: {self.source}"


class ShippingDefect(models.Model):
    """发货次品登记 (WMS-17): defective goods found while shipping, moved from their bin to the defective
    bin (posted at once against this document) and added to the supplier's return. Brand, code, model
    and name are kept as they were when registered."""

    number = models.CharField(_("登记单号"), max_length=40, unique=True)
    client = models.ForeignKey(Client, verbose_name=_("委托方"), on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("仓库"), on_delete=models.PROTECT, related_name="+")
    sku = models.ForeignKey(SKU, verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="+")
    brand = models.CharField(_("品牌"), max_length=100, blank=True)
    code = models.CharField(_("编码"), max_length=60)
    model = models.CharField(_("型号"), max_length=60)
    name = models.CharField(_("名称"), max_length=200)
    quantity = models.PositiveIntegerField(_("数量"), validators=[MinValueValidator(1)])
    reason = models.CharField(_("次品原因"), max_length=200)
    from_bin = models.ForeignKey(Bin, verbose_name=_("原库位"), on_delete=models.PROTECT, related_name="+")
    to_bin = models.ForeignKey(Bin, verbose_name=_("次品库位"), on_delete=models.PROTECT, related_name="+")
    available_before = models.IntegerField(_("登记前可售数量"))
    available_after = models.IntegerField(_("登记后可售数量"))
    registered_by = models.ForeignKey(USER, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_client_field = "client"

    class Meta:
        verbose_name = _("发货次品登记")
        verbose_name_plural = _("发货次品登记")
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="supply_defect_quantity_positive")]

    def __str__(self) -> str:
        return self.number


# --- packaging materials (WMS-18) --------------------------------------------------------------------


class PackagingMaterial(models.Model):
    """包装材料: the company's own stock (boxes, bubble wrap, tape …), not a client's goods."""

    code = models.CharField(_("编码"), max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=60)
    spec = models.CharField(_("规格"), max_length=60, blank=True)
    unit = models.CharField(_("单位"), max_length=10, default="个")
    # FUL-04: one unit's weight, added to the goods' weight for the expected parcel weight.
    weight_g = models.PositiveIntegerField(_("重量（克）"), null=True, blank=True,
                                           help_text=_("单个包材的重量，称重复核用；留空按 0 计"))
    is_active = models.BooleanField(_("启用"), default=True)
    history = audited()

    class Meta:
        verbose_name = _("包装材料")
        verbose_name_plural = _("包装材料")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PackagingBalance(models.Model):
    """On-hand of one material in one warehouse: a cache of ``PackagingMove``, changed only by
    ``packaging.post`` under a row lock; the CHECK keeps it from going negative."""

    material = models.ForeignKey(
        PackagingMaterial, verbose_name=_("包装材料"), on_delete=models.PROTECT, related_name="balances"
    )
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("仓库"), on_delete=models.PROTECT, related_name="+")
    on_hand = models.IntegerField(_("在库数量"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("包材库存")
        verbose_name_plural = _("包材库存")
        ordering = ["warehouse", "material__code"]
        constraints = [
            models.UniqueConstraint(fields=["material", "warehouse"], name="supply_packbalance_unique"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="supply_packbalance_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.material_id}@{self.warehouse_id}: {self.on_hand}"


class PackagingMove(AppendOnly):
    """包材流水: one receipt or consumption, with the on-hand after it. Append-only."""

    id = models.BigAutoField(primary_key=True)
    material = models.ForeignKey(
        PackagingMaterial, verbose_name=_("包装材料"), on_delete=models.PROTECT, related_name="moves"
    )
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("仓库"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=20, choices=PackagingMoveKind.choices)
    quantity = models.PositiveIntegerField(_("数量"), validators=[MinValueValidator(1)])
    on_hand_after = models.IntegerField(_("结存"))
    doc_number = models.CharField(_("单据号"), max_length=40)
    business_day = models.DateField(_("业务日期"))
    posted_at = models.DateTimeField(_("过账时间"))
    by = models.ForeignKey(USER, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT,
                           related_name="+")
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("包材流水")
        verbose_name_plural = _("包材流水")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="supply_packmove_quantity_positive")]
        indexes = [models.Index(fields=["material", "warehouse", "business_day"], name="supply_packmove_day")]

    def __str__(self) -> str:
        return f"{self.doc_number} {self.material_id} {self.kind} ×{self.quantity}"


class PackagingReceipt(models.Model):
    """包材入库单: draft while being filled, posted once (then immutable)."""

    number = models.CharField(_("单据号"), max_length=40, unique=True)
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("仓库"), on_delete=models.PROTECT, related_name="+")
    vendor = models.CharField(_("供货单位"), max_length=100, blank=True)
    state = models.CharField(
        _("状态"), max_length=20, choices=PackagingReceiptState.choices, default=PackagingReceiptState.DRAFT
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(USER, verbose_name=_("制单人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("制单时间"), auto_now_add=True)
    posted_by = models.ForeignKey(
        USER, verbose_name=_("过账人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    posted_at = models.DateTimeField(_("过账时间"), null=True, blank=True)
    history = audited()

    class Meta:
        verbose_name = _("包材入库单")
        verbose_name_plural = _("包材入库单")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.number


class PackagingReceiptLine(models.Model):
    receipt = models.ForeignKey(
        PackagingReceipt, verbose_name=_("包材入库单"), on_delete=models.CASCADE, related_name="lines"
    )
    material = models.ForeignKey(PackagingMaterial, verbose_name=_("包装材料"), on_delete=models.PROTECT,
                                 related_name="+")
    quantity = models.PositiveIntegerField(_("数量"), validators=[MinValueValidator(1)])
    history = audited()

    class Meta:
        verbose_name = _("包材入库明细")
        verbose_name_plural = _("包材入库明细")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="supply_packline_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.receipt_id}: {self.material_id} ×{self.quantity}"


class PackagingReorder(models.Model):
    """A reorder alert of one material in one warehouse (WMS-18): opened when cover falls below the
    policy days (or ahead of a promotion), closed when a receipt brings it back. Its figures are kept."""

    material = models.ForeignKey(PackagingMaterial, verbose_name=_("包装材料"), on_delete=models.PROTECT,
                                 related_name="reorders")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("仓库"), on_delete=models.PROTECT, related_name="+")
    raised_on = models.DateField(_("提醒日期"))
    on_hand = models.IntegerField(_("当时在库"))
    daily_use = models.DecimalField(_("日均用量"), max_digits=14, decimal_places=4)
    cover_days = models.DecimalField(_("可用天数"), max_digits=14, decimal_places=2, null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=300)
    promotion = models.ForeignKey("Promotion", verbose_name=_("大促"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    history = audited()

    class Meta:
        verbose_name = _("包材补货提醒")
        verbose_name_plural = _("包材补货提醒")
        ordering = ["-raised_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["material", "warehouse"], condition=Q(closed_at__isnull=True, promotion__isnull=True),
                name="supply_packreorder_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.material_id}@{self.warehouse_id} {self.raised_on}"


class Promotion(models.Model):
    """A big promotion (大促) entered ahead: packaging is stocked up and the main products pre-packed
    ``FUL-05.prepack_days_before_promotion`` days before it starts (WMS-18, FUL-05)."""

    name = models.CharField(_("大促名称"), max_length=60)
    starts_on = models.DateField(_("开始日期"))
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("仓库"), on_delete=models.PROTECT, related_name="+")
    prepare_on = models.DateField(_("备货日期"))
    policy_citation = models.CharField(_("依据"), max_length=120, blank=True)
    created_by = models.ForeignKey(USER, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    history = audited()

    class Meta:
        verbose_name = _("大促备货")
        verbose_name_plural = _("大促备货")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return f"{self.name} {self.starts_on}"


# --- replenishment (WMS-14) --------------------------------------------------------------------------


class ReplenishmentPlan(models.Model):
    """补货计划 of one client's goods in one warehouse for one day (WMS-14). Goes to approval (GM office or
    purchasing); approved, it becomes purchase orders, one per supplier."""

    number = models.CharField(_("计划单号"), max_length=40, unique=True)
    client = models.ForeignKey(Client, verbose_name=_("委托方"), on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("仓库"), on_delete=models.PROTECT, related_name="+")
    plan_date = models.DateField(_("计划日期"))
    state = models.CharField(_("状态"), max_length=20, choices=PlanState.choices, default=PlanState.PENDING)
    policy = models.JSONField(_("所用政策版本"), default=dict)
    created_by = models.ForeignKey(USER, verbose_name=_("编制人"), null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("编制时间"), auto_now_add=True)
    decided_by = models.ForeignKey(USER, verbose_name=_("审批人"), null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_client_field = "client"

    class Meta:
        verbose_name = _("补货计划")
        verbose_name_plural = _("补货计划")
        ordering = ["-plan_date", "-id"]
        permissions = [("approve_replenishmentplan", "审批补货计划")]
        constraints = [
            models.UniqueConstraint(fields=["client", "warehouse", "plan_date"], name="supply_plan_once_a_day")
        ]

    def __str__(self) -> str:
        return self.number


class ReplenishmentLine(models.Model):
    """One SKU of a plan with the figures and the rule that put it there, in words (WMS-14)."""

    plan = models.ForeignKey(ReplenishmentPlan, verbose_name=_("补货计划"), on_delete=models.CASCADE,
                             related_name="lines")
    sku = models.ForeignKey(SKU, verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey("suppliers.Supplier", verbose_name=_("供应商"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    is_hero = models.BooleanField(_("主推组"))
    rule = models.CharField(_("规则"), max_length=20, choices=ReplenishmentRule.choices)
    window_days = models.PositiveIntegerField(_("统计天数"))
    sold_units = models.PositiveIntegerField(_("统计期销量"))
    daily_sales = models.DecimalField(_("日均销量"), max_digits=14, decimal_places=4)
    available = models.IntegerField(_("可售库存"))
    cover_days = models.DecimalField(_("可售天数"), max_digits=14, decimal_places=2)
    trigger_days = models.PositiveIntegerField(_("触发天数"))
    order_days = models.PositiveIntegerField(_("补货天数"))
    quantity = models.PositiveIntegerField(_("建议补货数量"), validators=[MinValueValidator(1)])
    explanation = models.CharField(_("说明"), max_length=400)
    purchase_order = models.ForeignKey(PurchaseOrder, verbose_name=_("采购单"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    history = audited()

    class Meta:
        verbose_name = _("补货计划明细")
        verbose_name_plural = _("补货计划明细")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "sku"], name="supply_planline_one_per_sku"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="supply_planline_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.sku_id} ×{self.quantity}"

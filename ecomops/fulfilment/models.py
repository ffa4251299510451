"""The packing station and the leaving of parcels (FUL-02…04, ORD-01).

- ``PackCheck`` (验货记录): one order at the station, from the first scan to the manifest. Its
  ``PackCheckLine`` rows hold, per SKU, the units the order expects and the units scanned (FUL-02);
  the check then records the packaging used (FUL-03) and the weight against the expected one (FUL-04).
  An order has at most one live check (the record of its packing); a check discarded before the parcel
  left (作废: who, when, why) stays beside it, and the order may be checked again on a new one.
- ``PrepackJob`` (预打包任务, FUL-05): bestsellers packed ahead of a big promotion into a ``prepack``
  bin; single-unit orders then take those parcels first and are not packed again.
- ``Handover`` (交接单): the parcels handed to one carrier from one warehouse, scanned out one by one
  (``HandoverParcel``: an order leaves once, on one manifest); closed with the name of the carrier's
  person who took them. A manifest is shared by every client's parcels of that carrier, like a ship
  batch: people see and act on their own part (DAT-02).

States change only through ``fulfilment.actions``; every step is also on the order's events.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ecomops.core.history import audited
from ecomops.orders.enums import Courier
from ecomops.org.scoping import ScopedQuerySet

from .enums import CheckState, HandoverState, PrepackState

USER = settings.AUTH_USER_MODEL


class PackCheckQuerySet(ScopedQuerySet):
    def live(self) -> PackCheckQuerySet:
        """The checks not discarded: at most one per order (the one the station works on)."""
        return self.exclude(state=CheckState.DISCARDED)


class PackCheck(models.Model):
    """验货记录: one order verified, packed and weighed at the station (FUL-02, FUL-03, FUL-04)."""

    order = models.ForeignKey("orders.Order", verbose_name=_("订单"), on_delete=models.PROTECT,
                              related_name="pack_checks")
    state = models.CharField(_("状态"), max_length=20, choices=CheckState.choices, default=CheckState.VERIFYING,
                             db_index=True)
    started_by = models.ForeignKey(USER, verbose_name=_("验货人"), on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("开始验货时间"), auto_now_add=True)
    verified_at = models.DateTimeField(_("验货通过时间"), null=True, blank=True)
    material = models.ForeignKey("supply.PackagingMaterial", verbose_name=_("包材"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    material_quantity = models.PositiveIntegerField(_("包材数量"), default=0)
    prepacked = models.BooleanField(_("预包装件"), default=False,
                                    help_text=_("单件订单取用了预打包的包裹（FUL-05），打包时不再耗用包材"))
    packed_by = models.ForeignKey(USER, verbose_name=_("打包人"), null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    packed_at = models.DateTimeField(_("打包时间"), null=True, blank=True)
    weight_g = models.PositiveIntegerField(_("实际重量（克）"), null=True, blank=True)
    expected_weight_g = models.PositiveIntegerField(_("预计重量（克）"), null=True, blank=True,
                                                    help_text=_("空表示有商品未填重量，无法预计"))
    tolerance_g = models.PositiveIntegerField(_("允许偏差（克）"), null=True, blank=True)
    tolerance_citation = models.CharField(_("政策依据"), max_length=200, blank=True)
    recheck = models.BooleanField(_("复核确认"), default=False)
    recheck_reason = models.CharField(_("复核原因"), max_length=200, blank=True)
    weighed_by = models.ForeignKey(USER, verbose_name=_("称重人"), null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    weighed_at = models.DateTimeField(_("称重时间"), null=True, blank=True)
    discarded_by = models.ForeignKey(USER, verbose_name=_("作废人"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    discarded_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    discard_reason = models.CharField(_("作废原因"), max_length=200, blank=True)
    history = audited()

    objects = PackCheckQuerySet.as_manager()
    scope_store_field = "order__store"
    scope_client_field = "order__store__client"

    class Meta:
        verbose_name = _("验货记录")
        verbose_name_plural = _("验货记录")
        ordering = ["-started_at", "-pk"]
        permissions = [
            ("verify_order", _("可扫描验货")),
            ("pack_order", _("可打包")),
            ("weigh_parcel", _("可称重")),
            ("discard_packcheck", _("可作废验货记录")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(recheck=False) | ~Q(recheck_reason=""),
                                   name="fulfilment_check_recheck_has_reason"),
            # One live check per order; discarded ones stay beside it.
            models.UniqueConstraint(fields=["order"], condition=~Q(state=CheckState.DISCARDED),
                                    name="fulfilment_check_one_live_per_order"),
            models.CheckConstraint(condition=~Q(state=CheckState.DISCARDED) | ~Q(discard_reason=""),
                                   name="fulfilment_check_discard_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.order} {self.get_state_display()}"


class PackCheckLine(models.Model):
    """FUL-02: the units of one SKU the order expects and how many were scanned so far."""

    check_record = models.ForeignKey(PackCheck, verbose_name=_("验货记录"), on_delete=models.CASCADE,
                                     related_name="lines", db_column="check_id")
    sku = models.ForeignKey("catalog.SKU", verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="+")
    expected = models.PositiveIntegerField(_("应验数量"), validators=[MinValueValidator(1)])
    scanned = models.PositiveIntegerField(_("已扫数量"), default=0)

    objects = ScopedQuerySet.as_manager()
    scope_store_field = "check_record__order__store"
    scope_client_field = "check_record__order__store__client"

    class Meta:
        verbose_name = _("验货明细")
        verbose_name_plural = _("验货明细")
        ordering = ["check_record", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["check_record", "sku"], name="fulfilment_checkline_unique_sku"),
            # FUL-02: never more scanned than ordered (an extra item is refused, not counted).
            models.CheckConstraint(condition=Q(scanned__lte=F("expected")), name="fulfilment_checkline_not_over"),
        ]

    def __str__(self) -> str:
        return f"{self.sku_id} {self.scanned}/{self.expected}"

    @property
    def remaining(self) -> int:
        return self.expected - self.scanned


class Handover(models.Model):
    """交接单: the parcels of one carrier leaving one warehouse, scanned out one by one (ORD-01)."""

    number = models.CharField(_("交接单号"), max_length=30, unique=True)
    carrier = models.CharField(_("快递公司"), max_length=20, choices=Courier.choices)
    warehouse = models.ForeignKey("inventory.Warehouse", verbose_name=_("仓库"), on_delete=models.PROTECT,
                                  related_name="+")
    state = models.CharField(_("状态"), max_length=10, choices=HandoverState.choices, default=HandoverState.OPEN,
                             db_index=True)
    created_by = models.ForeignKey(USER, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    closed_by = models.ForeignKey(USER, verbose_name=_("交接人（仓库）"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("交接时间"), null=True, blank=True)
    receiver_name = models.CharField(_("快递收件人"), max_length=40, blank=True)
    history = audited()

    class Meta:
        verbose_name = _("交接单")
        verbose_name_plural = _("交接单")
        ordering = ["-created_at", "-pk"]
        permissions = [("scan_out_handover", _("可扫描出库交接"))]

    def __str__(self) -> str:
        return self.number


class HandoverParcel(models.Model):
    """One parcel (a whole order) scanned out onto a manifest: an order leaves once."""

    handover = models.ForeignKey(Handover, verbose_name=_("交接单"), on_delete=models.PROTECT,
                                 related_name="parcels")
    order = models.OneToOneField("orders.Order", verbose_name=_("订单"), on_delete=models.PROTECT,
                                 related_name="handover_parcel")
    tracking_no = models.CharField(_("运单号"), max_length=40)
    weight_g = models.PositiveIntegerField(_("重量（克）"), null=True, blank=True)
    scanned_by = models.ForeignKey(USER, verbose_name=_("扫描人"), on_delete=models.PROTECT, related_name="+")
    scanned_at = models.DateTimeField(_("扫描时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_store_field = "order__store"
    scope_client_field = "order__store__client"

    class Meta:
        verbose_name = _("交接包裹")
        verbose_name_plural = _("交接包裹")
        ordering = ["handover", "pk"]

    def __str__(self) -> str:
        return f"{self.handover_id} {self.tracking_no}"


class PrepackJob(models.Model):
    """预打包任务 (FUL-05): ``planned`` parcels of one SKU packed ahead, each one unit in one
    ``material``, moved into the ``prepack`` bin ``to_bin`` (still sellable: single-unit orders take
    them first). ``packed`` counts the parcels done; every sitting posts its ledger moves against this
    job (``DocKind.PREPACK``) and takes the packaging out of the packaging stock."""

    number = models.CharField(_("预打包单号"), max_length=30, unique=True)
    warehouse = models.ForeignKey("inventory.Warehouse", verbose_name=_("仓库"), on_delete=models.PROTECT,
                                  related_name="+")
    client = models.ForeignKey("org.Client", verbose_name=_("委托方"), on_delete=models.PROTECT, related_name="+")
    sku = models.ForeignKey("catalog.SKU", verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="+")
    material = models.ForeignKey("supply.PackagingMaterial", verbose_name=_("包材"), on_delete=models.PROTECT,
                                 related_name="+")
    to_bin = models.ForeignKey("inventory.Bin", verbose_name=_("预包区库位"), on_delete=models.PROTECT,
                               related_name="+")
    promotion = models.ForeignKey("supply.Promotion", verbose_name=_("大促"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="prepack_jobs")
    planned = models.PositiveIntegerField(_("计划件数"), validators=[MinValueValidator(1)])
    packed = models.PositiveIntegerField(_("已打包件数"), default=0)
    due_on = models.DateField(_("完成日期"))
    state = models.CharField(_("状态"), max_length=20, choices=PrepackState.choices, default=PrepackState.OPEN,
                             db_index=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(USER, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    closed_by = models.ForeignKey(USER, verbose_name=_("关闭人"), null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_client_field = "client"

    class Meta:
        verbose_name = _("预打包任务")
        verbose_name_plural = _("预打包任务")
        ordering = ["-due_on", "-pk"]
        permissions = [("prepack", _("可预打包"))]
        constraints = [
            models.CheckConstraint(condition=Q(packed__lte=F("planned")), name="fulfilment_prepack_not_over"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.packed}/{self.planned}"

    @property
    def remaining(self) -> int:
        return self.planned - self.packed

"""Receiving and QC (WMS-01…06, WMS-25).

- ``Receipt`` (入库单/收货单): one delivery of one supplier against one purchase order, with the
  supplier's delivery-note number. The receiver enters per SKU the delivery-note quantity and the
  counted goods (with state and spec checks); the comparison with the purchase order is kept on the
  line (WMS-01). Signed by the receiver and the warehouse supervisor (two people), booked the same day
  into an inspection bin as a new lot (WMS-03).
- ``ReceiptLine``: one colour-size (SKU) of the delivery and its WMS-25 sampling results.
- ``QcRecord``: every result the inspector entered, append-only (the QC report).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ecomops.audit.models import AppendOnly, AppendOnlyQuerySet
from ecomops.catalog.models import SKU
from ecomops.core.documents import Document
from ecomops.core.history import audited
from ecomops.inventory.models import Bin, Lot, Warehouse
from ecomops.org.scoping import ScopedQuerySet

from .enums import FINAL_QC_STAGES, OPEN_STATES, RECEIPT_FLOW, QcRecordKind, QcStage, ReceiptState

USER = settings.AUTH_USER_MODEL


class Receipt(Document):
    """A delivery received against a purchase order (WMS-19…26): number, client, who made it and when
    come from the document base."""

    number_prefix = "SH"
    flow = RECEIPT_FLOW
    labels = {"number": _("入库单号")}

    warehouse = models.ForeignKey(Warehouse, verbose_name=_("仓库"), on_delete=models.PROTECT, related_name="+")
    purchase_order = models.ForeignKey(
        "supply.PurchaseOrder", verbose_name=_("采购单"), on_delete=models.PROTECT, related_name="receipts"
    )
    supplier = models.ForeignKey(
        "suppliers.Supplier", verbose_name=_("供应商"), on_delete=models.PROTECT, related_name="receipts"
    )
    delivery_note_no = models.CharField(_("送货单号"), max_length=60)
    state = models.CharField(_("状态"), max_length=20, choices=ReceiptState.choices, default=ReceiptState.DRAFT)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    receiver_signed_by = models.ForeignKey(
        USER, verbose_name=_("收货员签字"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    receiver_signed_at = models.DateTimeField(_("收货员签字时间"), null=True, blank=True)
    supervisor_signed_by = models.ForeignKey(
        USER, verbose_name=_("仓库主管签字"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    supervisor_signed_at = models.DateTimeField(_("仓库主管签字时间"), null=True, blank=True)
    booked_by = models.ForeignKey(
        USER, verbose_name=_("记账人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    booked_at = models.DateTimeField(_("记账时间"), null=True, blank=True)
    lot = models.OneToOneField(
        Lot, verbose_name=_("批次"), null=True, blank=True, on_delete=models.PROTECT, related_name="receipt"
    )
    inspection_bin = models.ForeignKey(
        Bin, verbose_name=_("待检库位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    defective_bin = models.ForeignKey(
        Bin, verbose_name=_("次品库位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    putaway_number = models.CharField(_("上架单号"), max_length=40, blank=True)
    # WMS-25: the policy values (and their versions) the inspection used, fixed at the first result.
    qc_policy = models.JSONField(_("质检所用制度参数"), default=dict, blank=True)
    qc_finished_at = models.DateTimeField(_("质检完成时间"), null=True, blank=True)
    rejected_at = models.DateTimeField(_("拒收时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("上架完成时间"), null=True, blank=True)
    supplier_return = models.ForeignKey(
        "supply.SupplierReturn", verbose_name=_("退厂单"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    cancel_reason = models.CharField(_("作废原因"), max_length=200, blank=True)
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_client_field = "client"

    class Meta:
        verbose_name = _("入库单")
        verbose_name_plural = _("入库单")
        ordering = ["-id"]
        permissions = [
            ("sign_receipt", "收货员签收入库单"),
            ("approve_receipt", "仓库主管签字入库单"),
            ("book_receipt", "入库单记账"),
            ("inspect_receipt", "收货质检"),
            ("putaway_receipt", "收货上架"),
        ]
        indexes = [models.Index(fields=["warehouse", "state"], name="receiving_receipt_wh_state")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_editable(self) -> bool:
        return self.state == ReceiptState.DRAFT


class ReceiptLine(models.Model):
    """One colour-size of the delivery: what the note says, what was counted, how it compares with
    the purchase order (WMS-01), and its QC (WMS-25) and put-away (WMS-05)."""

    receipt = models.ForeignKey(Receipt, verbose_name=_("入库单"), on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey(SKU, verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="+")
    po_line = models.ForeignKey(
        "supply.PurchaseOrderLine", verbose_name=_("采购单明细"), on_delete=models.PROTECT, related_name="+"
    )
    noted_quantity = models.PositiveIntegerField(_("送货单数量"))
    counted_quantity = models.PositiveIntegerField(_("实收数量"))
    outstanding_quantity = models.PositiveIntegerField(_("采购未到数量"), default=0)
    state_ok = models.BooleanField(_("外观状态正常"), default=True)
    spec_ok = models.BooleanField(_("规格相符"), default=True)
    mismatch_reason = models.CharField(_("差异说明"), max_length=200, blank=True)
    qc_stage = models.CharField(_("质检环节"), max_length=20, choices=QcStage.choices, default=QcStage.FIRST_SAMPLE)
    first_sample = models.PositiveIntegerField(_("首次抽检件数"), default=0)
    first_failed = models.PositiveIntegerField(_("首次抽检不合格"), null=True, blank=True)
    second_sample = models.PositiveIntegerField(_("二次抽检件数"), default=0)
    second_failed = models.PositiveIntegerField(_("二次抽检不合格"), null=True, blank=True)
    defective_quantity = models.PositiveIntegerField(_("次品数量"), default=0)
    accepted_quantity = models.PositiveIntegerField(_("合格数量"), default=0)
    defect_reason = models.CharField(_("次品原因"), max_length=200, blank=True)
    put_away_quantity = models.PositiveIntegerField(_("已上架数量"), default=0)
    history = audited()

    class Meta:
        verbose_name = _("入库单明细")
        verbose_name_plural = _("入库单明细")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["receipt", "sku"], name="receiving_line_one_per_sku"),
            models.CheckConstraint(
                condition=Q(accepted_quantity__lte=models.F("counted_quantity")), name="receiving_line_accepted_le"
            ),
            models.CheckConstraint(
                condition=Q(put_away_quantity__lte=models.F("accepted_quantity")), name="receiving_line_putaway_le"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_id}: {self.sku_id} ×{self.counted_quantity}"

    @property
    def qc_done(self) -> bool:
        return self.qc_stage in FINAL_QC_STAGES

    @property
    def to_put_away(self) -> int:
        return self.accepted_quantity - self.put_away_quantity

    @property
    def found_in_samples(self) -> int:
        return (self.first_failed or 0) + (self.second_failed or 0)


class QcRecordQuerySet(AppendOnlyQuerySet, ScopedQuerySet):
    pass


class QcRecord(AppendOnly):
    """One result entered by the inspector (or the rejection it caused): the QC report (WMS-05, WMS-25)."""

    receipt = models.ForeignKey(Receipt, verbose_name=_("入库单"), on_delete=models.PROTECT, related_name="qc_records")
    line = models.ForeignKey(ReceiptLine, verbose_name=_("明细"), on_delete=models.PROTECT, related_name="qc_records")
    kind = models.CharField(_("环节"), max_length=20, choices=QcRecordKind.choices)
    sampled = models.PositiveIntegerField(_("检验件数"))
    passed = models.PositiveIntegerField(_("合格件数"))
    failed = models.PositiveIntegerField(_("不合格件数"))
    outcome = models.CharField(_("结论"), max_length=100)
    reason = models.CharField(_("问题描述"), max_length=200, blank=True)
    by = models.ForeignKey(USER, verbose_name=_("质检员"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"))

    objects = QcRecordQuerySet.as_manager()
    scope_client_field = "receipt__client"

    class Meta:
        verbose_name = _("质检记录")
        verbose_name_plural = _("质检记录")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.receipt_id} {self.kind} {self.failed}/{self.sampled}"

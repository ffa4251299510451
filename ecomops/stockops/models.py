"""The warehouse's own operations on top of the stock ledger (WMS-08, WMS-09, WMS-12, WMS-13).

- ``Transfer`` (调拨单, WMS-09): goods of one client go from one warehouse to another. Shipping moves
  them (lots kept) into the source warehouse's TRANSIT bin; receiving moves what arrived into bins of
  the destination. Both keepers sign (who, when). A shortage stays in transit, visible, until settled.
- ``CountSheet`` (盘点单, WMS-08): a blind count of one client's goods in one warehouse (optionally a
  zone, some bins, some SKUs). Book quantities are frozen when the sheet is created and never shown to
  the counter; differences are posted as adjustments with a reason per line and someone else's approval.
- ``ScrapNote`` (报废单, WMS-08): goods taken out of stock with a reason, an approval and a posting.
- ``SampleLoan`` (样品借出单, WMS-12): samples lent to the photo team move to a samples bin (still the
  company's stock, not for sale), due back after the WMS-12 policy period; extensions need the
  warehouse supervisor's approval; overdue loans raise a due item.

Every state change is a ``StockopsEvent`` row (who, when, what) besides the audit history.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ecomops.catalog.models import SKU
from ecomops.core.events import Event
from ecomops.core.history import audited
from ecomops.inventory.models import Bin, Lot, Warehouse, Zone
from ecomops.org.models import Client
from ecomops.org.scoping import ScopedQuerySet

from .enums import CountKind, CountState, ExtensionState, LoanState, ScrapState, TransferState

USER = settings.AUTH_USER_MODEL


def _user(name: str, **extra) -> models.ForeignKey:
    return models.ForeignKey(USER, verbose_name=name, on_delete=models.PROTECT, related_name="+", **extra)


def _optional_user(name: str) -> models.ForeignKey:
    return _user(name, null=True, blank=True)


# --- transfers (WMS-09) -------------------------------------------------------------------------


class Transfer(models.Model):
    number = models.CharField(_("调拨单号"), max_length=40, unique=True)
    client = models.ForeignKey(Client, verbose_name=_("委托方"), on_delete=models.PROTECT, related_name="+")
    from_warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("调出仓库"), on_delete=models.PROTECT, related_name="transfers_out"
    )
    to_warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("调入仓库"), on_delete=models.PROTECT, related_name="transfers_in"
    )
    state = models.CharField(_("状态"), max_length=20, choices=TransferState.choices, default=TransferState.REQUESTED)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    requested_by = _user(_("申请人"))
    requested_at = models.DateTimeField(_("申请时间"))
    shipped_by = _optional_user(_("发货签字人"))
    shipped_at = models.DateTimeField(_("发货签字时间"), null=True, blank=True)
    received_by = _optional_user(_("收货签字人"))
    received_at = models.DateTimeField(_("收货签字时间"), null=True, blank=True)
    settled_by = _optional_user(_("差异处理人"))
    settled_at = models.DateTimeField(_("差异处理时间"), null=True, blank=True)
    settle_reason = models.CharField(_("差异处理说明"), max_length=200, blank=True)
    cancelled_by = _optional_user(_("取消人"))
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_client_field = "client"

    class Meta:
        verbose_name = _("调拨单")
        verbose_name_plural = _("调拨单")
        ordering = ["-requested_at", "-pk"]
        permissions = [
            ("ship_transfer", "调拨发货签字"),
            ("receive_transfer", "调拨收货签字"),
            ("settle_transfer", "处理调拨差异"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_warehouse=models.F("to_warehouse")), name="stockops_transfer_two_warehouses"
            )
        ]

    def __str__(self) -> str:
        return self.number


class TransferLine(models.Model):
    """One SKU of a transfer: asked for, shipped, received; the difference and its reason."""

    transfer = models.ForeignKey(Transfer, verbose_name=_("调拨单"), on_delete=models.PROTECT, related_name="lines")
    sku = models.ForeignKey(SKU, verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("申请数量"), validators=[MinValueValidator(1)])
    shipped = models.PositiveIntegerField(_("发货数量"), default=0)
    received = models.PositiveIntegerField(_("实收数量"), default=0)
    difference_reason = models.CharField(_("差异原因"), max_length=200, blank=True)
    history = audited()

    class Meta:
        verbose_name = _("调拨单明细")
        verbose_name_plural = _("调拨单明细")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["transfer", "sku"], name="stockops_transferline_unique")]

    def __str__(self) -> str:
        return f"{self.transfer_id}: {self.sku_id} ×{self.quantity}"

    @property
    def difference(self) -> int:
        """Received minus shipped: negative is a shortage, positive an over-receipt."""
        return self.received - self.shipped


class TransferLot(models.Model):
    """Which lot the shipped goods came from (lots are kept through the transfer, CAT-05), and how much
    of it has been received or settled."""

    line = models.ForeignKey(TransferLine, verbose_name=_("调拨单明细"), on_delete=models.PROTECT, related_name="lots")
    lot = models.ForeignKey(Lot, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="+")
    from_bin = models.ForeignKey(Bin, verbose_name=_("发出库位"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("发货数量"), validators=[MinValueValidator(1)])
    received = models.PositiveIntegerField(_("已收数量"), default=0)
    settled = models.PositiveIntegerField(_("短少核销数量"), default=0)

    class Meta:
        verbose_name = _("调拨发货批次")
        verbose_name_plural = _("调拨发货批次")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.line_id}: {self.lot_id} ×{self.quantity}"

    @property
    def in_transit(self) -> int:
        return self.quantity - self.received - self.settled


# --- counts (WMS-08) ----------------------------------------------------------------------------


class CountSheet(models.Model):
    number = models.CharField(_("盘点单号"), max_length=40, unique=True)
    kind = models.CharField(_("盘点类型"), max_length=20, choices=CountKind.choices, default=CountKind.CYCLE)
    client = models.ForeignKey(Client, verbose_name=_("委托方"), on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("仓库"), on_delete=models.PROTECT, related_name="+")
    zone = models.ForeignKey(
        Zone, verbose_name=_("库区"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    bins = models.ManyToManyField(Bin, verbose_name=_("盘点库位"), related_name="+", blank=True)
    skus = models.ManyToManyField(SKU, verbose_name=_("盘点SKU"), related_name="+", blank=True)
    state = models.CharField(_("状态"), max_length=20, choices=CountState.choices, default=CountState.COUNTING)
    finance_participant = _optional_user(_("财务监盘人"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = _user(_("制单人"))
    snapshot_at = models.DateTimeField(_("账面快照时间"))
    submitted_by = _optional_user(_("提交人"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    approved_by = _optional_user(_("审核人"))
    approved_at = models.DateTimeField(_("审核过账时间"), null=True, blank=True)
    cancelled_by = _optional_user(_("作废人"))
    cancelled_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_client_field = "client"

    class Meta:
        verbose_name = _("盘点单")
        verbose_name_plural = _("盘点单")
        ordering = ["-snapshot_at", "-pk"]
        permissions = [("approve_countsheet", "审核盘点差异并过账")]

    def __str__(self) -> str:
        return self.number

    @property
    def with_finance(self) -> bool:
        """WMS-08: the quarterly full count is taken with finance."""
        return self.kind == CountKind.FULL


class CountLine(models.Model):
    """One bin × SKU × lot of a count sheet. ``book`` is the frozen book quantity (never shown to the
    counter); ``counted`` what the counter found. A found line (goods not on the sheet) may have no
    lot yet: posting opens one."""

    sheet = models.ForeignKey(CountSheet, verbose_name=_("盘点单"), on_delete=models.PROTECT, related_name="lines")
    bin = models.ForeignKey(Bin, verbose_name=_("库位"), on_delete=models.PROTECT, related_name="+")
    sku = models.ForeignKey(SKU, verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(
        Lot, verbose_name=_("批次"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    book = models.IntegerField(_("账面数量"), default=0)
    counted = models.PositiveIntegerField(_("实盘数量"), null=True, blank=True)
    found = models.BooleanField(_("盘盈新增"), default=False)
    counted_by = _optional_user(_("盘点人"))
    counted_at = models.DateTimeField(_("盘点时间"), null=True, blank=True)
    reason = models.CharField(_("差异原因"), max_length=200, blank=True)
    history = audited()

    class Meta:
        verbose_name = _("盘点明细")
        verbose_name_plural = _("盘点明细")
        ordering = ["bin__pick_order", "bin__code", "sku__sku_code", "lot_id", "pk"]

    def __str__(self) -> str:
        return f"{self.sheet_id}: {self.bin_id}/{self.sku_id}/{self.lot_id}"

    @property
    def difference(self) -> int:
        return (self.counted or 0) - self.book


# --- scrap notes (WMS-08) -----------------------------------------------------------------------


class ScrapNote(models.Model):
    number = models.CharField(_("报废单号"), max_length=40, unique=True)
    client = models.ForeignKey(Client, verbose_name=_("委托方"), on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("仓库"), on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("状态"), max_length=20, choices=ScrapState.choices, default=ScrapState.DRAFT)
    reason = models.CharField(_("报废原因"), max_length=200)
    created_by = _user(_("制单人"))
    created_at = models.DateTimeField(_("制单时间"))
    approved_by = _optional_user(_("审批人"))
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    posted_by = _optional_user(_("过账人"))
    posted_at = models.DateTimeField(_("过账时间"), null=True, blank=True)
    cancelled_by = _optional_user(_("作废人"))
    cancelled_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_client_field = "client"

    class Meta:
        verbose_name = _("报废单")
        verbose_name_plural = _("报废单")
        ordering = ["-created_at", "-pk"]
        permissions = [("approve_scrapnote", "审批报废单")]

    def __str__(self) -> str:
        return self.number


class ScrapLine(models.Model):
    note = models.ForeignKey(ScrapNote, verbose_name=_("报废单"), on_delete=models.PROTECT, related_name="lines")
    sku = models.ForeignKey(SKU, verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="+")
    bin = models.ForeignKey(Bin, verbose_name=_("库位"), on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("数量"), validators=[MinValueValidator(1)])
    history = audited()

    class Meta:
        verbose_name = _("报废单明细")
        verbose_name_plural = _("报废单明细")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.note_id}: {self.sku_id} ×{self.quantity}"


# --- sample loans (WMS-12) ----------------------------------------------------------------------


class SampleLoan(models.Model):
    number = models.CharField(_("借出单号"), max_length=40, unique=True)
    client = models.ForeignKey(Client, verbose_name=_("委托方"), on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("仓库"), on_delete=models.PROTECT, related_name="+")
    samples_bin = models.ForeignKey(Bin, verbose_name=_("样品库位"), on_delete=models.PROTECT, related_name="+")
    borrower = models.CharField(_("借用人"), max_length=60)
    purpose = models.CharField(_("用途"), max_length=200, blank=True)
    lent_on = models.DateField(_("借出日期"))
    due_on = models.DateField(_("应还日期"))
    policy_days = models.PositiveIntegerField(_("借用期限（天）"))
    state = models.CharField(_("状态"), max_length=20, choices=LoanState.choices, default=LoanState.LENT)
    lent_by = _user(_("经办人"))
    lent_at = models.DateTimeField(_("借出时间"))
    returned_by = _optional_user(_("归还经办人"))
    returned_at = models.DateTimeField(_("归还时间"), null=True, blank=True)
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_client_field = "client"

    class Meta:
        verbose_name = _("样品借出单")
        verbose_name_plural = _("样品借出单")
        ordering = ["-lent_at", "-pk"]
        permissions = [("approve_sampleloanextension", "审批样品借用延期")]

    def __str__(self) -> str:
        return self.number

    def is_overdue(self, today) -> bool:
        return self.state == LoanState.LENT and self.due_on < today


class SampleLoanLine(models.Model):
    """One SKU lent (style, colour and size come from the SKU) and the lot and bin it was taken from,
    so that the return puts it back where it came from."""

    loan = models.ForeignKey(SampleLoan, verbose_name=_("借出单"), on_delete=models.PROTECT, related_name="lines")
    sku = models.ForeignKey(SKU, verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="+")
    from_bin = models.ForeignKey(Bin, verbose_name=_("原库位"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("数量"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("样品借出明细")
        verbose_name_plural = _("样品借出明细")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.loan_id}: {self.sku_id} ×{self.quantity}"


class SampleLoanExtension(models.Model):
    loan = models.ForeignKey(SampleLoan, verbose_name=_("借出单"), on_delete=models.PROTECT, related_name="extensions")
    new_due_on = models.DateField(_("申请延至"))
    note = models.CharField(_("延期说明"), max_length=200)
    state = models.CharField(_("状态"), max_length=20, choices=ExtensionState.choices, default=ExtensionState.PENDING)
    requested_by = _user(_("申请人"))
    requested_at = models.DateTimeField(_("申请时间"))
    decided_by = _optional_user(_("审批人"))
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    history = audited()

    class Meta:
        verbose_name = _("样品借用延期")
        verbose_name_plural = _("样品借用延期")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.loan_id} → {self.new_due_on}"


# --- events -------------------------------------------------------------------------------------


class StockopsEvent(Event):
    """One step of a document of this app: who did what (``kind``, the step's name), when. The
    document is a generic pointer (``doc_kind`` / ``doc_id``) since four document types share the table."""

    client = models.ForeignKey(Client, verbose_name=_("委托方"), on_delete=models.PROTECT, related_name="+")
    doc_kind = models.CharField(_("单据类型"), max_length=20)
    doc_id = models.CharField(_("单据ID"), max_length=40)
    kind = models.CharField(_("操作"), max_length=40)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    actor = _user(_("操作人"))
    at = models.DateTimeField(_("时间"))

    objects = ScopedQuerySet.as_manager()
    scope_client_field = "client"

    class Meta:
        verbose_name = _("仓内作业事件")
        verbose_name_plural = _("仓内作业事件")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["doc_kind", "doc_id"], name="stockops_event_doc")]

    def __str__(self) -> str:
        return f"{self.doc_kind}:{self.doc_id} {self.kind}"

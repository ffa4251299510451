"""The warehouse core (WMS-07, WMS-10, WMS-13, CAT-05): locations, lots, the stock ledger, balances
and reservations.

- Warehouses → zones → bins. Every warehouse has one system bin of kind ``transit`` that holds the
  goods of transfers on their way out of it (WMS-09).
- A lot is one receipt of one client's goods (CAT-05): FIFO (WMS-10) and traceability run on it.
- ``StockMove`` is the ledger: append-only, one row per movement with the quantity left in both bins
  afterwards. It is its own history (who, when, before = after ∓ quantity, after).
- ``StockBalance`` (SKU × bin × lot) is a cache of the ledger, changed only by ``ledger.post_moves``
  in the same transaction. CHECK constraints keep on-hand and reserved non-negative and reserved
  within on-hand, so available (on-hand − reserved) can never be negative either, whatever the code
  above does. ``ecomops stock-verify`` proves balances equal the ledger (账物相符).
- A posted document is never edited or deleted: a correction is a ``Reversal`` naming the document
  it reverses (WMS-13).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ecomops.audit.models import AppendOnly, AppendOnlyQuerySet
from ecomops.catalog.models import SKU
from ecomops.core.documents import Document
from ecomops.core.history import audited
from ecomops.org.models import Client, code_validator
from ecomops.org.scoping import ScopedQuerySet

from .enums import DOC_FLOW, SELLABLE_BIN_KINDS, BinKind, DocKind, DocState, HoldState, OutboundReason, ReservationState

USER = settings.AUTH_USER_MODEL


class Warehouse(models.Model):
    """A warehouse of the company. Its goods belong to the clients (委托方); scoping follows the goods."""

    code = models.CharField(_("编码"), max_length=20, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=60)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    supervisor = models.ForeignKey(
        USER, verbose_name=_("仓库主管"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(_("启用"), default=True)
    history = audited()

    class Meta:
        verbose_name = _("仓库")
        verbose_name_plural = _("仓库")
        ordering = ["code"]
        permissions = [
            ("post_stock", "过账库存单据"),
            ("reverse_stock", "冲销库存单据"),
            ("reserve_stock", "占用与释放库存"),
            ("verify_stock", "核对账实"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Zone(models.Model):
    """A zone (库区) of a warehouse: goods are stored by category, state and lot (WMS-07)."""

    warehouse = models.ForeignKey(Warehouse, verbose_name=_("仓库"), on_delete=models.PROTECT, related_name="zones")
    code = models.CharField(_("编码"), max_length=20, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=60)
    purpose = models.CharField(_("存放说明"), max_length=120, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    history = audited()

    class Meta:
        verbose_name = _("库区")
        verbose_name_plural = _("库区")
        ordering = ["warehouse", "code"]
        constraints = [models.UniqueConstraint(fields=["warehouse", "code"], name="inventory_zone_unique_code")]

    def __str__(self) -> str:
        return f"{self.warehouse.code}-{self.code} {self.name}"


class Bin(models.Model):
    """A bin (库位). Its kind says whether its goods are for sale (WMS-05, WMS-07)."""

    warehouse = models.ForeignKey(Warehouse, verbose_name=_("仓库"), on_delete=models.PROTECT, related_name="bins")
    zone = models.ForeignKey(
        Zone, verbose_name=_("库区"), null=True, blank=True, on_delete=models.PROTECT, related_name="bins"
    )
    code = models.CharField(_("库位编码"), max_length=30, validators=[code_validator])
    kind = models.CharField(_("库位类型"), max_length=20, choices=BinKind.choices, default=BinKind.NORMAL)
    pick_order = models.PositiveIntegerField(_("拣货顺序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    history = audited()

    class Meta:
        verbose_name = _("库位")
        verbose_name_plural = _("库位")
        ordering = ["warehouse", "pick_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "code"], name="inventory_bin_unique_code"),
            models.UniqueConstraint(
                fields=["warehouse"], condition=Q(kind="transit"), name="inventory_bin_one_transit_per_warehouse"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.warehouse.code}/{self.code}"

    @property
    def is_sellable(self) -> bool:
        return self.kind in SELLABLE_BIN_KINDS


class Lot(models.Model):
    """One receipt of a client's goods (批次, CAT-05). ``received_on`` orders FIFO (WMS-10)."""

    number = models.CharField(_("批次号"), max_length=40, unique=True)
    client = models.ForeignKey(Client, verbose_name=_("委托方"), on_delete=models.PROTECT, related_name="lots")
    supplier = models.ForeignKey(
        "suppliers.Supplier",
        verbose_name=_("供应商"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lots",
    )
    received_on = models.DateField(_("入库日期"))
    source_kind = models.CharField(_("来源单据类型"), max_length=20, choices=DocKind.choices)
    source_id = models.CharField(_("来源单据ID"), max_length=40, blank=True)
    source_number = models.CharField(_("来源单据号"), max_length=40, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_client_field = "client"

    class Meta:
        verbose_name = _("批次")
        verbose_name_plural = _("批次")
        ordering = ["received_on", "id"]

    def __str__(self) -> str:
        return self.number


class StockBalance(models.Model):
    """On-hand and reserved quantity of one SKU in one bin from one lot: a cache of the ledger."""

    client = models.ForeignKey(Client, verbose_name=_("委托方"), on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("仓库"), on_delete=models.PROTECT, related_name="+")
    sku = models.ForeignKey(SKU, verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="stock_balances")
    bin = models.ForeignKey(Bin, verbose_name=_("库位"), on_delete=models.PROTECT, related_name="balances")
    lot = models.ForeignKey(Lot, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="balances")
    on_hand = models.IntegerField(_("在库数量"), default=0)
    reserved = models.IntegerField(_("占用数量"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_client_field = "client"

    class Meta:
        verbose_name = _("库存余额")
        verbose_name_plural = _("库存余额")
        constraints = [
            models.UniqueConstraint(fields=["sku", "bin", "lot"], name="inventory_balance_unique_key"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="inventory_balance_on_hand_not_negative"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="inventory_balance_reserved_not_negative"),
            models.CheckConstraint(
                condition=Q(reserved__lte=F("on_hand")), name="inventory_balance_reserved_le_on_hand"
            ),
        ]
        indexes = [models.Index(fields=["sku", "warehouse"], name="inventory_balance_sku_wh")]

    def __str__(self) -> str:
        return f"{self.sku_id}@{self.bin_id}/{self.lot_id}: {self.on_hand}"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class StockMoveQuerySet(AppendOnlyQuerySet, ScopedQuerySet):
    """Scoped like every client record, and append-only: bulk update and delete are refused."""


class StockMove(AppendOnly):
    """One movement of the stock ledger (库存流水). ``from_bin`` empty: goods came in from outside
    (supplier, count gain, customer return); ``to_bin`` empty: goods left (sale, supplier return,
    scrap, count loss). Quantities after the move are kept for both bins (SKU × bin × lot)."""

    id = models.BigAutoField(primary_key=True)
    posted_at = models.DateTimeField(_("过账时间"), db_index=True)
    business_day = models.DateField(_("业务日期"))
    client = models.ForeignKey(Client, verbose_name=_("委托方"), on_delete=models.PROTECT, related_name="+")
    sku = models.ForeignKey(SKU, verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="stock_moves")
    lot = models.ForeignKey(Lot, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="moves")
    quantity = models.PositiveIntegerField(_("数量"), validators=[MinValueValidator(1)])
    from_bin = models.ForeignKey(
        Bin, verbose_name=_("来源库位"), null=True, blank=True, on_delete=models.PROTECT, related_name="moves_out"
    )
    to_bin = models.ForeignKey(
        Bin, verbose_name=_("目标库位"), null=True, blank=True, on_delete=models.PROTECT, related_name="moves_in"
    )
    from_warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("来源仓库"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("目标仓库"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_after = models.IntegerField(_("来源库位结存"), null=True, blank=True)
    to_after = models.IntegerField(_("目标库位结存"), null=True, blank=True)
    from_reserved = models.PositiveIntegerField(_("其中占用出库"), default=0)
    doc_kind = models.CharField(_("单据类型"), max_length=20, choices=DocKind.choices)
    doc_id = models.CharField(_("单据ID"), max_length=40)
    doc_number = models.CharField(_("单据号"), max_length=40)
    by = models.ForeignKey(
        USER, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("冲销的流水"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )

    objects = StockMoveQuerySet.as_manager()
    scope_client_field = "client"

    class Meta:
        verbose_name = _("库存流水")
        verbose_name_plural = _("库存流水")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="inventory_move_quantity_positive"),
            models.CheckConstraint(
                condition=Q(from_bin__isnull=False) | Q(to_bin__isnull=False), name="inventory_move_has_a_bin"
            ),
            models.CheckConstraint(
                condition=Q(from_reserved__lte=F("quantity")), name="inventory_move_reserved_le_qty"
            ),
        ]
        indexes = [
            models.Index(fields=["sku", "posted_at"], name="inventory_move_sku_time"),
            models.Index(fields=["doc_kind", "doc_id"], name="inventory_move_doc"),
            models.Index(fields=["business_day"], name="inventory_move_day"),
        ]

    def __str__(self) -> str:
        return f"{self.doc_number} {self.sku_id} ×{self.quantity}"


class StockDocument(Document):
    """The warehouse core's own documents: bin-to-bin moves (移库单), outbound against a reference
    (出库单, WMS-10) and opening balances (期初). Lines can be edited while draft; posting freezes it.
    Number, client, who made it and when come from the document base; the number's prefix depends on
    the kind (``inventory.actions.PREFIXES``)."""

    KINDS = (DocKind.BIN_MOVE, DocKind.OUTBOUND, DocKind.OPENING)
    flow = DOC_FLOW
    labels = {"number": _("单据号")}

    kind = models.CharField(_("单据类型"), max_length=20, choices=[(k.value, k.label) for k in KINDS])
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("仓库"), on_delete=models.PROTECT, related_name="documents")
    state = models.CharField(_("状态"), max_length=20, choices=DocState.choices, default=DocState.DRAFT)
    reason = models.CharField(_("出库原因"), max_length=20, choices=OutboundReason.choices, blank=True)
    reference = models.CharField(_("依据单据"), max_length=60, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    posted_by = models.ForeignKey(
        USER, verbose_name=_("过账人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    posted_at = models.DateTimeField(_("过账时间"), null=True, blank=True)
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_client_field = "client"

    class Meta:
        verbose_name = _("库存单据")
        verbose_name_plural = _("库存单据")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.number

    @property
    def is_posted(self) -> bool:
        return self.state == DocState.POSTED


class StockDocumentLine(models.Model):
    document = models.ForeignKey(StockDocument, verbose_name=_("单据"), on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey(SKU, verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(
        Lot, verbose_name=_("批次"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_bin = models.ForeignKey(
        Bin, verbose_name=_("来源库位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_bin = models.ForeignKey(
        Bin, verbose_name=_("目标库位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("数量"), validators=[MinValueValidator(1)])
    history = audited()

    class Meta:
        verbose_name = _("库存单据明细")
        verbose_name_plural = _("库存单据明细")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="inventory_docline_quantity_positive")
        ]

    def __str__(self) -> str:
        return f"{self.document_id}: {self.sku_id} ×{self.quantity}"


class Reversal(AppendOnly):
    """A correction (冲销, WMS-13): reverses every movement of one posted document, naming it, who
    and when. A document is reversed at most once; the corrected version is a new document."""

    number = models.CharField(_("冲销单号"), max_length=40, unique=True)
    client = models.ForeignKey(Client, verbose_name=_("委托方"), on_delete=models.PROTECT, related_name="+")
    original_kind = models.CharField(_("原单据类型"), max_length=20, choices=DocKind.choices)
    original_id = models.CharField(_("原单据ID"), max_length=40)
    original_number = models.CharField(_("原单据号"), max_length=40)
    reason = models.CharField(_("冲销原因"), max_length=200)
    by = models.ForeignKey(USER, verbose_name=_("冲销人"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("冲销时间"))

    objects = StockMoveQuerySet.as_manager()
    scope_client_field = "client"

    class Meta:
        verbose_name = _("冲销单")
        verbose_name_plural = _("冲销单")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["original_kind", "original_id"], name="inventory_reversal_once")]

    def __str__(self) -> str:
        return self.number


class Reservation(models.Model):
    """Stock held for a document (an order, a customer hold …) in one warehouse (ORD-04, WMS-11)."""

    client = models.ForeignKey(Client, verbose_name=_("委托方"), on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("仓库"), on_delete=models.PROTECT, related_name="+")
    sku = models.ForeignKey(SKU, verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="reservations")
    quantity = models.PositiveIntegerField(_("数量"), validators=[MinValueValidator(1)])
    doc_kind = models.CharField(_("单据类型"), max_length=20)
    doc_id = models.CharField(_("单据ID"), max_length=40)
    doc_number = models.CharField(_("单据号"), max_length=40)
    state = models.CharField(
        _("状态"), max_length=20, choices=ReservationState.choices, default=ReservationState.ACTIVE
    )
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("占用人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("占用时间"), auto_now_add=True)
    closed_by = models.ForeignKey(
        USER, verbose_name=_("处理人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    close_reason = models.CharField(_("处理说明"), max_length=200, blank=True)
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_client_field = "client"

    class Meta:
        verbose_name = _("库存占用")
        verbose_name_plural = _("库存占用")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="inventory_reservation_quantity_positive")
        ]
        indexes = [
            models.Index(fields=["doc_kind", "doc_id", "state"], name="inventory_reservation_doc"),
            models.Index(fields=["sku", "state"], name="inventory_reservation_sku"),
        ]

    def __str__(self) -> str:
        return f"{self.doc_number} {self.sku_id} ×{self.quantity}"


class ReservationAllocation(models.Model):
    """Which balances (bin × lot) a reservation holds, chosen FIFO by lot (WMS-10)."""

    reservation = models.ForeignKey(
        Reservation, verbose_name=_("占用"), on_delete=models.PROTECT, related_name="allocations"
    )
    balance = models.ForeignKey(
        StockBalance, verbose_name=_("库存余额"), on_delete=models.PROTECT, related_name="allocations"
    )
    quantity = models.PositiveIntegerField(_("数量"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("占用明细")
        verbose_name_plural = _("占用明细")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="inventory_allocation_quantity_positive")
        ]

    def __str__(self) -> str:
        return f"{self.reservation_id} ← {self.balance_id} ×{self.quantity}"


class DailyClose(models.Model):
    """The statistician's daily close of one warehouse (日清日结, WMS-13). Nothing is posted into a
    closed day; the summary of the day is frozen in ``summary``."""

    warehouse = models.ForeignKey(Warehouse, verbose_name=_("仓库"), on_delete=models.PROTECT, related_name="closes")
    day = models.DateField(_("业务日期"))
    closed_by = models.ForeignKey(USER, verbose_name=_("日结人"), on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("日结时间"))
    summary = models.JSONField(_("当日汇总"), default=dict)

    class Meta:
        verbose_name = _("日结")
        verbose_name_plural = _("日结")
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["warehouse", "day"], name="inventory_close_once_a_day")]
        permissions = [("close_day", "日结（日清日结）")]

    def __str__(self) -> str:
        return f"{self.warehouse.code} {self.day}"


class CustomerHold(models.Model):
    """Goods held for a customer by sales staff (销售留货, WMS-11). The stock is reserved through
    ``reservations.reserve`` under the document kind ``hold``; it expires after the policy period
    (WMS-11.reservation_expires_after) unless an extension with a note sets a new expiry, and the daily
    clean-up (``ecomops stock-daily-holds``) gives expired holds back to normal sale."""

    number = models.CharField(_("留货单号"), max_length=40, unique=True)
    client = models.ForeignKey(Client, verbose_name=_("委托方"), on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("仓库"), on_delete=models.PROTECT, related_name="holds")
    sku = models.ForeignKey(SKU, verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="customer_holds")
    quantity = models.PositiveIntegerField(_("数量"), validators=[MinValueValidator(1)])
    customer = models.CharField(_("客户"), max_length=100)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    staff = models.ForeignKey(USER, verbose_name=_("销售人员"), on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("状态"), max_length=20, choices=HoldState.choices, default=HoldState.ACTIVE)
    expires_at = models.DateTimeField(_("到期时间"))
    created_at = models.DateTimeField(_("留货时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("释放时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        USER, verbose_name=_("释放人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    close_reason = models.CharField(_("释放说明"), max_length=200, blank=True)
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_client_field = "client"

    class Meta:
        verbose_name = _("客户留货")
        verbose_name_plural = _("客户留货")
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="inventory_hold_quantity_positive")]
        indexes = [models.Index(fields=["state", "expires_at"], name="inventory_hold_state_expiry")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_active(self) -> bool:
        return self.state == HoldState.ACTIVE


class CustomerHoldExtension(AppendOnly):
    """One extension of a customer hold (WMS-11): the note that justifies it and the new expiry."""

    hold = models.ForeignKey(CustomerHold, verbose_name=_("客户留货"), on_delete=models.PROTECT,
                             related_name="extensions")
    note = models.CharField(_("延期说明"), max_length=200)
    old_expires_at = models.DateTimeField(_("原到期时间"))
    new_expires_at = models.DateTimeField(_("新到期时间"))
    by = models.ForeignKey(USER, verbose_name=_("延期人"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("延期时间"))

    class Meta:
        verbose_name = _("留货延期")
        verbose_name_plural = _("留货延期")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.hold_id} → {self.new_expires_at:%Y-%m-%d}"

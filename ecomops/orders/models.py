"""Orders of the stores (ORD-01…09), their lines, events, payments (PAY-01) and refunds.

- An order is a record of one store: unique on (store, platform order number), the key the platform
  import upserts on (ORD-02). Scoping (DAT-02) goes through the store.
- The receiver's name, phone and address are encrypted at rest (CRM-03, LAW-04); keyed hashes of the
  phone and of the whole receiver let the review and merge rules compare them without decrypting.
  They are left out of the audit history; an address change writes an OrderEvent with masked values.
- Every state change is an ``OrderEvent`` (append-only: who, when, from, to, kind, note, data).
- Payments and refunds are posted records: never edited or deleted; a correction is a new record.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecomops.catalog.models import SKU
from ecomops.core.crypto import EncryptedTextField
from ecomops.core.events import Event
from ecomops.core.history import audited
from ecomops.org.models import Store
from ecomops.org.scoping import ScopedQuerySet

from .enums import (
    AllocationState,
    Courier,
    InvoiceKind,
    InvoiceTitleKind,
    OrderEventKind,
    OrderState,
    ParcelKind,
    ParcelState,
    PaymentMethod,
    PaymentState,
    RefundSource,
    ReviewBatchState,
    ReviewRuleCode,
)

MONEY = {"max_digits": 12, "decimal_places": 2}
ZERO = Decimal("0.00")
PERSONAL_FIELDS = ("receiver_name", "receiver_phone", "receiver_address")
# Everything that says where an order (or a parcel) goes: the encrypted fields and the region.
RECEIVER_FIELDS = (*PERSONAL_FIELDS, "province", "city", "district")
NAME_MAX = 50
PHONE_MAX = 30
ADDRESS_MAX = 300


class Order(models.Model):
    """One platform order of one store (订单)."""

    store = models.ForeignKey(Store, verbose_name=_("店铺"), on_delete=models.PROTECT, related_name="orders")
    platform_order_no = models.CharField(_("平台订单号"), max_length=64)
    state = models.CharField(_("状态"), max_length=20, choices=OrderState.choices, default=OrderState.PLACED,
                             db_index=True)
    held_from = models.CharField(_("挂起前状态"), max_length=20, choices=OrderState.choices, blank=True)
    exception_reason = models.CharField(_("异常原因"), max_length=200, blank=True)
    buyer_nick = models.CharField(_("买家昵称"), max_length=100, blank=True)
    # CRM-03 / LAW-04: encrypted at rest; the hashes are for lookups and merging only.
    receiver_name = EncryptedTextField(_("收货人"), blank=True)
    receiver_phone = EncryptedTextField(_("收货人手机"), blank=True)
    receiver_address = EncryptedTextField(_("收货详细地址"), blank=True)
    phone_hash = models.CharField(_("手机号哈希"), max_length=64, blank=True, db_index=True)
    receiver_hash = models.CharField(_("收货信息哈希"), max_length=64, blank=True, db_index=True)
    # Issue 15: the list's search by receiver name compares this keyed hash (nothing decrypted).
    name_hash = models.CharField(_("收货人哈希"), max_length=64, blank=True, db_index=True)
    province = models.CharField(_("省份"), max_length=20, blank=True)
    city = models.CharField(_("城市"), max_length=30, blank=True)
    district = models.CharField(_("区县"), max_length=30, blank=True)
    goods_amount = models.DecimalField(_("商品金额（元）"), default=ZERO, validators=[MinValueValidator(0)], **MONEY)
    shipping_fee = models.DecimalField(_("运费（元）"), default=ZERO, validators=[MinValueValidator(0)], **MONEY)
    discount_amount = models.DecimalField(_("优惠金额（元）"), default=ZERO, validators=[MinValueValidator(0)],
                                          **MONEY)
    paid_amount = models.DecimalField(_("实付金额（元）"), default=ZERO, validators=[MinValueValidator(0)], **MONEY)
    payment_method = models.CharField(_("支付方式"), max_length=20, choices=PaymentMethod.choices,
                                      default=PaymentMethod.PLATFORM)
    placed_at = models.DateTimeField(_("下单时间"), db_index=True)
    paid_at = models.DateTimeField(_("付款时间"), null=True, blank=True)
    confirm_due_at = models.DateTimeField(_("确认截止时间"), null=True, blank=True, db_index=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("确认人"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    confirm_late = models.BooleanField(_("确认逾期"), default=False)
    reviewed_at = models.DateTimeField(_("审单时间"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("发货时间"), null=True, blank=True)
    received_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    buyer_reviewed_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    merchant_note = models.CharField(_("商家备注"), max_length=1000, blank=True)
    buyer_message = models.CharField(_("买家留言"), max_length=1000, blank=True)
    courier = models.CharField(_("快递公司"), max_length=20, choices=Courier.choices, blank=True)
    tracking_no = models.CharField(_("运单号"), max_length=40, blank=True, db_index=True)
    # ORD-03 / ORD-04: what automatic review found, and where the order's stock is reserved.
    review_reasons = models.JSONField(_("待人工审核原因"), default=list, blank=True)
    review_batch = models.ForeignKey("ReviewBatch", verbose_name=_("审单批次"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="orders")
    warehouse = models.ForeignKey("inventory.Warehouse", verbose_name=_("发货仓库"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    allocation_state = models.CharField(_("库存分配"), max_length=20, choices=AllocationState.choices, blank=True,
                                        default=AllocationState.NONE, db_index=True)
    allocation_note = models.CharField(_("分配说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = audited(excluded_fields=list(PERSONAL_FIELDS))

    objects = ScopedQuerySet.as_manager()
    scope_store_field = "store"
    scope_client_field = "store__client"

    class Meta:
        verbose_name = _("订单")
        verbose_name_plural = _("订单")
        ordering = ["-placed_at", "-pk"]
        permissions = [
            ("view_buyer_personal", _("可查看买家个人信息（未脱敏）")),
            ("confirm_order", _("可确认订单")),
            ("hold_order", _("可挂起与释放订单")),
            ("cancel_order", _("可取消订单")),
            ("review_order", _("可审单")),
            ("ship_order", _("可登记发货、签收与完成")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["store", "platform_order_no"], name="orders_order_unique_platform_no"),
            models.CheckConstraint(
                condition=Q(goods_amount__gte=0, shipping_fee__gte=0, discount_amount__gte=0, paid_amount__gte=0),
                name="orders_order_amounts_nonneg",
            ),
            # ORD-01 / ORD-04: nothing ships unpaid unless it is cash on delivery.
            models.CheckConstraint(
                condition=~Q(state__in=["awaiting_shipment", "shipped"]) | Q(paid_at__isnull=False)
                | Q(payment_method="cod"),
                name="orders_order_no_unpaid_shipment",
            ),
        ]
        indexes = [
            # Issue 15: the order list at 100,000+ orders. Its keys in its order, with the columns of the
            # scope and state filters, so a page's keys (core.paging.KeyPaginator) come from the index
            # alone at any depth; one store's orders, and one store's orders in one state, in that order
            # (the scope, the store and the state filters; the latter also serves (store, state) alone).
            models.Index(fields=["-placed_at", "-id", "store", "state"], name="orders_list_idx"),
            models.Index(fields=["store", "-placed_at", "-id"], name="orders_store_list_idx"),
            models.Index(fields=["store", "state", "-placed_at", "-id"], name="orders_store_state_list_idx"),
            # The list's status tabs count a scoped user's orders per state and those with an exception
            # in one grouped query: answered from this index alone (4-6x faster at 100,000 orders).
            models.Index(fields=["store", "state", "exception_reason"], name="orders_tab_count_idx"),
        ]

    def __str__(self) -> str:
        return self.platform_order_no

    @property
    def is_cod(self) -> bool:
        return self.payment_method == PaymentMethod.COD

    @property
    def is_held(self) -> bool:
        return self.state == OrderState.ON_HOLD

    @property
    def payable(self) -> Decimal:
        return self.goods_amount + self.shipping_fee - self.discount_amount

    def confirm_is_late(self, now: datetime | None = None) -> bool:
        """ORD-09: confirmed after the deadline, or still unconfirmed past it."""
        if self.confirm_late:
            return True
        if self.confirm_due_at is None or self.state == OrderState.CANCELLED:
            return False
        return (self.confirmed_at or now or timezone.now()) > self.confirm_due_at


class OrderLine(models.Model):
    order = models.ForeignKey(Order, verbose_name=_("订单"), on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveIntegerField(_("行号"))
    sku = models.ForeignKey(SKU, verbose_name=_("SKU"), null=True, blank=True, on_delete=models.PROTECT,
                            related_name="order_lines", help_text=_("空表示未匹配到商品"))
    platform_sku_code = models.CharField(_("平台SKU编码"), max_length=64, blank=True, db_index=True)
    # ORD-02: the platform's own SKU id of the line (JD 商品ID), beside the seller's code above.
    platform_sku_id = models.CharField(_("平台SKU ID"), max_length=64, blank=True)
    title = models.CharField(_("商品标题"), max_length=200, blank=True)
    # ORD-02: the platform's item attributes as exported (Taobao 商品属性 "颜色分类：罐装;净含量：50g").
    attributes = models.CharField(_("商品属性"), max_length=300, blank=True)
    quantity = models.PositiveIntegerField(_("数量"), validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(_("单价（元）"), validators=[MinValueValidator(0)], **MONEY)
    amount = models.DecimalField(_("金额（元）"), validators=[MinValueValidator(0)], **MONEY)

    objects = ScopedQuerySet.as_manager()
    scope_store_field = "order__store"
    scope_client_field = "order__store__client"

    class Meta:
        verbose_name = _("订单明细")
        verbose_name_plural = _("订单明细")
        ordering = ["order", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="orders_line_unique_no"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orders_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0, amount__gte=0), name="orders_line_amounts_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}#{self.line_no}"


class OrderEvent(Event):
    """ORD-01: one step of an order (append-only, :class:`~ecomops.core.events.Event`). ``data`` never
    holds plain personal data. Written by the functions of ``orders.events``."""

    order = models.ForeignKey(Order, verbose_name=_("订单"), on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("事件"), max_length=30, choices=OrderEventKind.choices)
    from_state = models.CharField(_("原状态"), max_length=20, choices=OrderState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, choices=OrderState.choices, blank=True)
    note = models.CharField(_("原因"), max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_store_field = "order__store"
    scope_client_field = "order__store__client"

    class Meta(Event.Meta):
        verbose_name = _("订单记录")
        verbose_name_plural = _("订单记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class Payment(models.Model):
    """PAY-01: one payment attempt of a store's order. Kept even when no order matches it yet (the
    reconciliation lists it); ``is_duplicate`` marks a second successful payment (ORD-07)."""

    store = models.ForeignKey(Store, verbose_name=_("店铺"), on_delete=models.PROTECT, related_name="payments")
    order = models.ForeignKey(Order, verbose_name=_("订单"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="payments", help_text=_("空表示尚未匹配到订单"))
    platform_order_no = models.CharField(_("平台订单号"), max_length=64, db_index=True)
    transaction_no = models.CharField(_("平台交易号"), max_length=64, blank=True)
    amount = models.DecimalField(_("金额（元）"), validators=[MinValueValidator(0)], **MONEY)
    # PAY-01: a platform transaction (one Alipay payment of a cart checkout) may pay several orders of
    # the store; each order has its own payment record under the shared number, and the transaction's
    # total, when the platform gives it, is kept here for the reconciliation (else it is the sum).
    transaction_amount = models.DecimalField(_("交易总额（元）"), null=True, blank=True,
                                             validators=[MinValueValidator(0)], **MONEY)
    method = models.CharField(_("支付方式"), max_length=20, choices=PaymentMethod.choices)
    status = models.CharField(_("结果"), max_length=10, choices=PaymentState.choices)
    paid_at = models.DateTimeField(_("付款时间"))
    is_duplicate = models.BooleanField(_("重复付款"), default=False)
    failure_reason = models.CharField(_("失败原因"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_store_field = "store"
    scope_client_field = "store__client"

    class Meta:
        verbose_name = _("付款记录")
        verbose_name_plural = _("付款记录")
        ordering = ["-paid_at", "-pk"]
        constraints = [
            # PAY-01: one transaction number may pay several orders (a cart checkout), once each.
            models.UniqueConstraint(fields=["store", "transaction_no", "order"], condition=~Q(transaction_no=""),
                                    name="orders_payment_unique_transaction_order"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="orders_payment_amount_nonneg"),
            models.CheckConstraint(condition=Q(is_duplicate=False) | Q(status="success"),
                                   name="orders_payment_duplicate_is_success"),
        ]

    def __str__(self) -> str:
        return self.transaction_no or f"{self.platform_order_no}/{self.pk}"


class Refund(models.Model):
    """Money paid back to a buyer: a duplicate payment (ORD-07), a cancellation, after-sales. Read by
    the performance pay (PER-07 commission nets refunds out) and the after-sales module."""

    order = models.ForeignKey(Order, verbose_name=_("订单"), on_delete=models.PROTECT, related_name="refunds")
    payment = models.ForeignKey(Payment, verbose_name=_("退回的付款"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(_("退款金额（元）"), validators=[MinValueValidator(Decimal("0.01"))], **MONEY)
    source = models.CharField(_("来源"), max_length=20, choices=RefundSource.choices)
    reason = models.CharField(_("原因"), max_length=500)
    refunded_at = models.DateTimeField(_("退款时间"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_store_field = "order__store"
    scope_client_field = "order__store__client"

    class Meta:
        verbose_name = _("退款记录")
        verbose_name_plural = _("退款记录")
        ordering = ["-refunded_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="orders_refund_amount_positive")]

    def __str__(self) -> str:
        return f"{self.order} −{self.amount}"


class InvoiceRequest(models.Model):
    """ORD-08 / LAW-03 art. 14: the buyer asked for an invoice."""

    order = models.ForeignKey(Order, verbose_name=_("订单"), on_delete=models.PROTECT, related_name="invoices")
    kind = models.CharField(_("发票类型"), max_length=20, choices=InvoiceKind.choices)
    title_kind = models.CharField(_("抬头类型"), max_length=10, choices=InvoiceTitleKind.choices)
    title = models.CharField(_("发票抬头"), max_length=100)
    tax_number = models.CharField(_("纳税人识别号"), max_length=20, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_store_field = "order__store"
    scope_client_field = "order__store__client"

    class Meta:
        verbose_name = _("发票申请")
        verbose_name_plural = _("发票申请")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.order} {self.get_kind_display()}"


class ReviewRule(models.Model):
    """ORD-03: one automatic review rule as data; switch it off or change its parameters on the page."""

    code = models.CharField(_("规则"), max_length=30, choices=ReviewRuleCode.choices, unique=True)
    enabled = models.BooleanField(_("启用"), default=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    history = audited()

    class Meta:
        verbose_name = _("自动审单规则")
        verbose_name_plural = _("自动审单规则")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.get_code_display()


class StoreWarehouse(models.Model):
    """ORD-04 routing: the warehouses a store ships from, in order of preference."""

    store = models.ForeignKey(Store, verbose_name=_("店铺"), on_delete=models.CASCADE, related_name="warehouses")
    warehouse = models.ForeignKey("inventory.Warehouse", verbose_name=_("仓库"), on_delete=models.PROTECT,
                                  related_name="+")
    priority = models.PositiveSmallIntegerField(_("优先级"), default=1, help_text=_("数字小的优先"))
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_store_field = "store"
    scope_client_field = "store__client"

    class Meta:
        verbose_name = _("店铺发货仓")
        verbose_name_plural = _("店铺发货仓")
        ordering = ["store", "priority", "pk"]
        constraints = [models.UniqueConstraint(fields=["store", "warehouse"], name="orders_storewarehouse_unique")]

    def __str__(self) -> str:
        return f"{self.store} → {self.warehouse}"


class ReviewBatch(models.Model):
    """ORD-03: a clerk's batch of at most ``ORD-03.review_batch_max_orders`` orders for manual review."""

    number = models.CharField(_("批次号"), max_length=30, unique=True)
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审单员"), on_delete=models.PROTECT,
                              related_name="+")
    state = models.CharField(_("状态"), max_length=10, choices=ReviewBatchState.choices,
                             default=ReviewBatchState.OPEN, db_index=True)
    size = models.PositiveIntegerField(_("订单数"), default=0)
    limit = models.PositiveIntegerField(_("批次上限"), default=0)
    limit_citation = models.CharField(_("政策依据"), max_length=200, blank=True)
    opened_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    history = audited()

    class Meta:
        verbose_name = _("审单批次")
        verbose_name_plural = _("审单批次")
        ordering = ["-opened_at", "-pk"]

    def __str__(self) -> str:
        return self.number


class Parcel(models.Model):
    """ORD-08: a shipment that is not "one order, one parcel" — one of the parcels an order was split
    into (possibly to another address), or one parcel carrying several merged orders. Orders without
    parcels ship whole, as before. A parcel is never edited after it left: undoing is cancelling."""

    number = models.CharField(_("包裹号"), max_length=30, unique=True)
    store = models.ForeignKey(Store, verbose_name=_("店铺"), on_delete=models.PROTECT, related_name="parcels")
    kind = models.CharField(_("类型"), max_length=10, choices=ParcelKind.choices)
    state = models.CharField(_("状态"), max_length=10, choices=ParcelState.choices, default=ParcelState.OPEN,
                             db_index=True)
    receiver_name = EncryptedTextField(_("收货人"), blank=True)
    receiver_phone = EncryptedTextField(_("收货人手机"), blank=True)
    receiver_address = EncryptedTextField(_("收货详细地址"), blank=True)
    phone_hash = models.CharField(_("手机号哈希"), max_length=64, blank=True)
    receiver_hash = models.CharField(_("收货信息哈希"), max_length=64, blank=True)
    province = models.CharField(_("省份"), max_length=20, blank=True)
    city = models.CharField(_("城市"), max_length=30, blank=True)
    district = models.CharField(_("区县"), max_length=30, blank=True)
    courier = models.CharField(_("快递公司"), max_length=20, choices=Courier.choices, blank=True)
    tracking_no = models.CharField(_("运单号"), max_length=40, blank=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    shipped_at = models.DateTimeField(_("发出时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)
    history = audited(excluded_fields=list(PERSONAL_FIELDS))

    objects = ScopedQuerySet.as_manager()
    scope_store_field = "store"
    scope_client_field = "store__client"

    class Meta:
        verbose_name = _("发货包裹")
        verbose_name_plural = _("发货包裹")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.number


class ParcelLine(models.Model):
    """How many units of an order line travel in a parcel."""

    parcel = models.ForeignKey(Parcel, verbose_name=_("包裹"), on_delete=models.PROTECT, related_name="lines")
    order = models.ForeignKey(Order, verbose_name=_("订单"), on_delete=models.PROTECT, related_name="parcel_lines")
    order_line = models.ForeignKey(OrderLine, verbose_name=_("订单明细"), on_delete=models.PROTECT,
                                   related_name="parcel_lines")
    quantity = models.PositiveIntegerField(_("数量"), validators=[MinValueValidator(1)])

    objects = ScopedQuerySet.as_manager()
    scope_store_field = "order__store"
    scope_client_field = "order__store__client"

    class Meta:
        verbose_name = _("包裹明细")
        verbose_name_plural = _("包裹明细")
        ordering = ["parcel", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["parcel", "order_line"], name="orders_parcelline_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orders_parcelline_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.parcel_id}:{self.order_line_id}×{self.quantity}"


class SavedOrderFilter(models.Model):
    """Issue 15: a user's named query of the order list (its query string), shown as a quick link."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE,
                             related_name="saved_order_filters")
    name = models.CharField(_("名称"), max_length=40)
    query = models.CharField(_("查询条件"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("常用筛选")
        verbose_name_plural = _("常用筛选")
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="orders_savedfilter_unique_name")]

    def __str__(self) -> str:
        return self.name


class OrderListPreference(models.Model):
    """Issue 15: the columns a user hid on the order list (kept on the server, per user)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE,
                                related_name="order_list_preference")
    hidden_columns = models.JSONField(_("隐藏的列"), default=list, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("订单列表设置")
        verbose_name_plural = _("订单列表设置")

    def __str__(self) -> str:
        return str(self.user)


class ExportJob(models.Model):
    """A spreadsheet export run in the background (issue 15: a big order list took 39 s in the request).

    ``kind`` names what is exported ("orders": the order list), ``query`` the list's filters as its
    query string; the rows are those its owner may see when the job runs (DAT-02). The file is served
    to its owner only (``core.uploads``); ``reveal`` exports plain receivers, each order logged
    (LAW-04, CRM-03) from ``ip_address``, the address the export was asked from."""

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("导出中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    KIND_ORDERS = "orders"
    KINDS = ((KIND_ORDERS, _("订单")),)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("导出人"), on_delete=models.CASCADE,
                             related_name="export_jobs")
    kind = models.CharField(_("导出内容"), max_length=20, choices=KINDS, default=KIND_ORDERS)
    query = models.TextField(_("筛选条件"), blank=True)
    reveal = models.BooleanField(_("不脱敏"), default=False)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.QUEUED)
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已导出行数"), default=0)
    file = models.FileField(_("文件"), upload_to="exports/%Y/%m/", blank=True, max_length=200)
    error = models.TextField(_("错误信息"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="orders_export_user_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return min(100, self.rows_done * 100 // self.rows_total) if self.rows_total else 0

    @property
    def active(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def download_name(self) -> str:
        return f"orders-{timezone.localtime(self.created_at):%Y%m%d-%H%M}-{self.pk}.xlsx"

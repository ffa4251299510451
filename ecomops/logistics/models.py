"""Carriers and their electronic waybill numbers (LOG-01, LOG-02, LAW-04).

A ``Carrier`` says where its numbers come from: a ``NumberPool`` (号段: ranges the carrier assigned,
handed out in order without gaps or reuse), numbers bought elsewhere and imported from a CSV file
(导入单号), or the carrier's network API (接口取号). Every number handed out, or imported and not yet
used, is a ``TrackingNumber``; a number is given once per carrier and an order holds at most one.
The carrier's API key is never stored: ``api_key_env`` names the environment variable that holds it.

What happens to a parcel after it leaves, and what it costs (LOG-01…03):

- ``CarrierService``: a carrier's services (标准快递, 特快 …) and the provinces each covers; one is the
  carrier's default (LOG-01).
- ``PriceCard``: the carrier's price for a region, first weight plus each additional weight step
  (LOG-01, LOG-03), valid from a date; corrected by a new card, never edited after use.
- ``CarrierContract``: the service standard (days from shipping to delivery), settlement terms,
  penalties and the compensation cap (LOG-01).
- ``Shipment``: one per parcel that left, with its weight and cost from the price card in force that
  day (LOG-03) and when it was delivered; the base of the monthly scorecard.
- ``TrackingEvent``: the carrier's scans, imported from its CSV or pushed to the API (LOG-02);
  the same event twice is kept once.
- ``LogisticsCase``: a delayed, lost, damaged or returned parcel: the buyer informed, the claim
  against the carrier, the compensation recorded (LOG-02).
- ``BuyerMessageTemplate``: the text the buyer is told for each kind of case, with placeholders for
  the order, courier and tracking number (LOG-02); edited by the logistics supervisor.
- ``CarrierBill`` / ``CarrierBillLine``: the carrier's monthly bill, each line set against our own
  weight and cost (LOG-03).

Carriers are named by ``orders.enums.Courier`` code, as orders and parcels name them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ecomops.core.history import audited
from ecomops.orders.enums import Courier
from ecomops.org.scoping import ScopedQuerySet

from .buyer_texts import validate_placeholders

TRACKING_NO_MAX = 40  # as Order.tracking_no
env_name_validator = RegexValidator(r"^[A-Z_][A-Z0-9_]*$", _("环境变量名只能包含大写字母、数字和下划线"))


class NumberSource(models.TextChoices):
    POOL = "pool", _("号段")
    IMPORTED = "imported", _("导入单号")
    HTTP = "http", _("接口取号")


class Carrier(models.Model):
    """A carrier (承运商), one per courier of the orders (``orders.enums.Courier``)."""

    code = models.CharField(_("编码"), max_length=20, choices=Courier.choices, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    number_source = models.CharField(_("单号来源"), max_length=10, choices=NumberSource.choices,
                                     default=NumberSource.POOL)
    api_url = models.URLField(_("接口地址"), blank=True, help_text=_("接口取号时调用的地址"))
    api_key_env = models.CharField(_("密钥环境变量"), max_length=60, blank=True, validators=[env_name_validator],
                                   help_text=_("保存接口密钥的环境变量名（系统不保存密钥本身）"))
    is_active = models.BooleanField(_("启用"), default=True)
    history = audited()

    class Meta:
        verbose_name = _("承运商")
        verbose_name_plural = _("承运商")
        ordering = ["code"]
        permissions = [("assign_trackingnumber", _("可分配运单号"))]

    def __str__(self) -> str:
        return self.name


class CarrierService(models.Model):
    """承运服务: a service of a carrier (标准快递, 特快, 经济件 …) and the provinces it delivers to (empty:
    the whole country). At most one service of a carrier is its default, printed on a waybill when the
    order names none and the default covers the order's province (LOG-01)."""

    carrier = models.ForeignKey(Carrier, verbose_name=_("承运商"), on_delete=models.PROTECT, related_name="services")
    name = models.CharField(_("服务名称"), max_length=40)
    provinces = models.JSONField(_("覆盖省份"), default=list, blank=True, help_text=_("留空表示全国"))
    is_default = models.BooleanField(_("默认服务"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = audited()

    class Meta:
        verbose_name = _("承运服务")
        verbose_name_plural = _("承运服务")
        ordering = ["carrier", "-is_default", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["carrier", "name"], name="logistics_service_name_per_carrier"),
            models.UniqueConstraint(fields=["carrier"], condition=Q(is_default=True),
                                    name="logistics_service_one_default"),
        ]

    def __str__(self) -> str:
        return f"{self.carrier} {self.name}"

    def covers(self, province: str) -> bool:
        return not self.provinces or province in self.provinces


class NumberPool(models.Model):
    """A range of numbers the carrier assigned (号段): ``prefix`` + the value zero-padded to ``width``
    digits, from ``first`` to ``last``; ``next_value`` is the next one to hand out (``last + 1``: used up)."""

    carrier = models.ForeignKey(Carrier, verbose_name=_("承运商"), on_delete=models.PROTECT, related_name="pools")
    prefix = models.CharField(_("前缀"), max_length=10, blank=True)
    first = models.PositiveBigIntegerField(_("起始号"))
    last = models.PositiveBigIntegerField(_("结束号"))
    next_value = models.PositiveBigIntegerField(_("下一个号"))
    width = models.PositiveSmallIntegerField(_("位数"), default=12)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = audited()

    class Meta:
        verbose_name = _("单号号段")
        verbose_name_plural = _("单号号段")
        ordering = ["carrier", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(first__lte=F("last")), name="logistics_pool_first_lte_last"),
            models.CheckConstraint(condition=Q(next_value__gte=F("first")) & Q(next_value__lte=F("last") + 1),
                                   name="logistics_pool_next_in_range"),
        ]

    def __str__(self) -> str:
        return f"{self.carrier} {self.format(self.first)}–{self.format(self.last)}"

    def format(self, value: int) -> str:
        return f"{self.prefix}{value:0{self.width}d}"

    @property
    def remaining(self) -> int:
        return self.last + 1 - self.next_value


class TrackingNumber(models.Model):
    """An electronic waybill number (运单号) of a carrier: imported and waiting (no order yet), or given
    to an order."""

    carrier = models.ForeignKey(Carrier, verbose_name=_("承运商"), on_delete=models.PROTECT,
                                related_name="tracking_numbers")
    number = models.CharField(_("运单号"), max_length=TRACKING_NO_MAX)
    order = models.ForeignKey("orders.Order", verbose_name=_("订单"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="tracking_numbers")
    source = models.CharField(_("来源"), max_length=10, choices=NumberSource.choices)
    assigned_at = models.DateTimeField(_("分配时间"), null=True, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("分配人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_store_field = "order__store"
    scope_client_field = "order__store__client"

    class Meta:
        verbose_name = _("运单号")
        verbose_name_plural = _("运单号")
        ordering = ["carrier", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["carrier", "number"], name="logistics_number_unique_per_carrier"),
            models.UniqueConstraint(fields=["order"], condition=Q(order__isnull=False),
                                    name="logistics_number_one_per_order"),
        ]

    def __str__(self) -> str:
        return self.number


MONEY = {"max_digits": 12, "decimal_places": 2}
USER = settings.AUTH_USER_MODEL


class PriceCard(models.Model):
    """运费价格表: price of a parcel to the listed provinces (empty: every province without its own card)."""

    courier = models.CharField(_("快递公司"), max_length=20, choices=Courier.choices)
    name = models.CharField(_("名称"), max_length=60)
    provinces = models.JSONField(_("适用省份"), default=list, blank=True,
                                 help_text=_("留空表示其余所有省份"))
    first_weight_g = models.PositiveIntegerField(_("首重（克）"), validators=[MinValueValidator(1)])
    first_price = models.DecimalField(_("首重价格（元）"), validators=[MinValueValidator(0)], **MONEY)
    step_weight_g = models.PositiveIntegerField(_("续重单位（克）"), validators=[MinValueValidator(1)])
    step_price = models.DecimalField(_("续重单价（元）"), validators=[MinValueValidator(0)], **MONEY)
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    created_by = models.ForeignKey(USER, verbose_name=_("创建人"), null=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = audited()

    class Meta:
        verbose_name = _("运费价格表")
        verbose_name_plural = _("运费价格表")
        ordering = ["courier", "-valid_from", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                                   name="logistics_pricecard_valid_range"),
            models.CheckConstraint(condition=Q(first_price__gte=0) & Q(step_price__gte=0),
                                   name="logistics_pricecard_prices_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_courier_display()} {self.name}"


class CarrierContract(models.Model):
    """承运合同: what the carrier promised (LOG-01)."""

    courier = models.CharField(_("快递公司"), max_length=20, choices=Courier.choices)
    number = models.CharField(_("合同编号"), max_length=40, unique=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    standard_days = models.PositiveSmallIntegerField(_("承诺时效（天）"), validators=[MinValueValidator(1)],
                                                     help_text=_("自发货次日起，须在此天数内签收"))
    settlement_terms = models.CharField(_("结算方式"), max_length=200, blank=True)
    late_penalty = models.DecimalField(_("每票延误扣款（元）"), default=0, validators=[MinValueValidator(0)], **MONEY)
    compensation_cap = models.DecimalField(_("丢件破损赔付上限（元/票）"), default=0,
                                           validators=[MinValueValidator(0)], **MONEY)
    cargo_safety = models.CharField(_("货物安全条款"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = audited()

    class Meta:
        verbose_name = _("承运合同")
        verbose_name_plural = _("承运合同")
        ordering = ["courier", "-starts_on"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                              name="logistics_contract_dates")]

    def __str__(self) -> str:
        return f"{self.get_courier_display()} {self.number}"


class Shipment(models.Model):
    """运单记录: one parcel that left the warehouse, with its weight and freight (LOG-03)."""

    order = models.OneToOneField("orders.Order", verbose_name=_("订单"), on_delete=models.PROTECT,
                                 related_name="shipment")
    courier = models.CharField(_("快递公司"), max_length=20, choices=Courier.choices)
    tracking_no = models.CharField(_("运单号"), max_length=40, db_index=True)
    province = models.CharField(_("省份"), max_length=20, blank=True)
    weight_g = models.PositiveIntegerField(_("重量（克）"), null=True, blank=True)
    cost = models.DecimalField(_("运费（元）"), null=True, blank=True, **MONEY)
    price_card = models.ForeignKey(PriceCard, verbose_name=_("运费价格表"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    shipped_at = models.DateTimeField(_("发货时间"), db_index=True)
    due_on = models.DateField(_("应签收日期"), null=True, blank=True)
    standard_citation = models.CharField(_("时效依据"), max_length=80, blank=True)
    delivered_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    last_status = models.CharField(_("最新物流状态"), max_length=20, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_store_field = "order__store"
    scope_client_field = "order__store__client"

    class Meta:
        verbose_name = _("运单记录")
        verbose_name_plural = _("运单记录")
        ordering = ["-shipped_at", "pk"]
        indexes = [models.Index(fields=["courier", "shipped_at"], name="logistics_shipment_courier_day")]

    def __str__(self) -> str:
        return f"{self.get_courier_display()} {self.tracking_no}"


class TrackingStatus(models.TextChoices):
    COLLECTED = "collected", _("已揽收")
    IN_TRANSIT = "in_transit", _("运输中")
    DELIVERING = "delivering", _("派送中")
    DELIVERED = "delivered", _("已签收")
    EXCEPTION = "exception", _("异常")
    LOST = "lost", _("丢件")
    DAMAGED = "damaged", _("破损")
    RETURNED = "returned", _("退回")


class TrackingEvent(models.Model):
    """物流轨迹: one scan of the carrier (LOG-02)."""

    shipment = models.ForeignKey(Shipment, verbose_name=_("运单记录"), on_delete=models.PROTECT,
                                 related_name="events")
    at = models.DateTimeField(_("时间"))
    status = models.CharField(_("状态"), max_length=20, choices=TrackingStatus.choices)
    place = models.CharField(_("地点"), max_length=60, blank=True)
    detail = models.CharField(_("描述"), max_length=200, blank=True)
    source = models.CharField(_("来源"), max_length=20)  # "csv" / "api"
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    recorded_by = models.ForeignKey(USER, verbose_name=_("录入人"), null=True, on_delete=models.PROTECT,
                                    related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_store_field = "shipment__order__store"
    scope_client_field = "shipment__order__store__client"

    class Meta:
        verbose_name = _("物流轨迹")
        verbose_name_plural = _("物流轨迹")
        ordering = ["shipment", "at", "pk"]
        constraints = [models.UniqueConstraint(fields=["shipment", "at", "status"],
                                               name="logistics_trackingevent_once")]

    def __str__(self) -> str:
        return f"{self.shipment} {self.at:%Y-%m-%d %H:%M} {self.get_status_display()}"


class CaseKind(models.TextChoices):
    DELAYED = "delayed", _("延误")
    LOST = "lost", _("丢件")
    DAMAGED = "damaged", _("破损")
    RETURNED = "returned", _("退回")


class CaseState(models.TextChoices):
    OPEN = "open", _("待处理")
    INFORMED = "informed", _("已告知买家")
    CLAIMED = "claimed", _("已向快递索赔")
    COMPENSATED = "compensated", _("已赔付")
    CLOSED = "closed", _("已关闭")


CASE_FLOW: dict[str, tuple[str, ...]] = {
    CaseState.OPEN: (CaseState.INFORMED, CaseState.CLOSED),
    CaseState.INFORMED: (CaseState.CLAIMED, CaseState.CLOSED),
    CaseState.CLAIMED: (CaseState.COMPENSATED, CaseState.CLOSED),
    CaseState.COMPENSATED: (CaseState.CLOSED,),
    CaseState.CLOSED: (),
}


class LogisticsCase(models.Model):
    """物流异常单 (LOG-02): one per parcel and kind."""

    number = models.CharField(_("异常单号"), max_length=30, unique=True)
    shipment = models.ForeignKey(Shipment, verbose_name=_("运单记录"), on_delete=models.PROTECT,
                                 related_name="cases")
    kind = models.CharField(_("类型"), max_length=20, choices=CaseKind.choices)
    state = models.CharField(_("状态"), max_length=20, choices=CaseState.choices, default=CaseState.OPEN)
    reason = models.CharField(_("原因"), max_length=300)
    opened_at = models.DateTimeField(_("登记时间"))
    opened_by = models.ForeignKey(USER, verbose_name=_("登记人"), null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    message = models.TextField(_("告知买家内容"), blank=True)
    informed_at = models.DateTimeField(_("告知时间"), null=True, blank=True)
    claim_amount = models.DecimalField(_("索赔金额（元）"), null=True, blank=True, **MONEY)
    claimed_at = models.DateTimeField(_("索赔时间"), null=True, blank=True)
    compensation = models.DecimalField(_("赔付金额（元）"), null=True, blank=True, **MONEY)
    compensated_at = models.DateTimeField(_("赔付时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_store_field = "shipment__order__store"
    scope_client_field = "shipment__order__store__client"

    class Meta:
        verbose_name = _("物流异常单")
        verbose_name_plural = _("物流异常单")
        ordering = ["-opened_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "kind"], name="logistics_case_one_per_kind"),
            models.CheckConstraint(condition=Q(compensation__isnull=True) | Q(compensation__gte=0),
                                   name="logistics_case_compensation_not_negative"),
        ]
        permissions = [("handle_logisticscase", _("可处理物流异常"))]

    def __str__(self) -> str:
        return self.number


class BuyerMessageTemplate(models.Model):
    """买家告知模板 (LOG-02): the text sent to the buyer when a logistics case of this kind is informed
    and no message is typed; one per kind, seeded with the built-in text (``buyer_texts``) and edited
    by the logistics supervisor. Inactive: the built-in text is used."""

    kind = models.CharField(_("异常类型"), max_length=20, choices=CaseKind.choices, unique=True)
    text = models.TextField(
        _("模板内容"), max_length=1000, validators=[validate_placeholders],
        help_text=_("告知买家的内容。可用占位符：{订单号}（平台订单号）、{快递公司}（快递公司名称）、"
                    "{运单号}（快递运单号），发送时替换为该异常单的内容；花括号只能用于这三个占位符。"))
    is_active = models.BooleanField(_("启用"), default=True, help_text=_("停用后使用系统内置的默认内容"))
    history = audited()

    class Meta:
        verbose_name = _("买家告知模板")
        verbose_name_plural = _("买家告知模板")
        ordering = ["kind"]

    def __str__(self) -> str:
        return str(self.get_kind_display())


class CarrierBill(models.Model):
    """快递月结账单 imported for checking (LOG-03)."""

    courier = models.CharField(_("快递公司"), max_length=20, choices=Courier.choices)
    month = models.DateField(_("账期（月）"))
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    fingerprint = models.CharField(_("文件指纹"), max_length=64)
    parcels = models.PositiveIntegerField(_("票数"), default=0)
    billed_total = models.DecimalField(_("账单金额（元）"), default=0, **MONEY)
    our_total = models.DecimalField(_("我方核算金额（元）"), default=0, **MONEY)
    differences = models.PositiveIntegerField(_("差异票数"), default=0)
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    imported_by = models.ForeignKey(USER, verbose_name=_("导入人"), null=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        verbose_name = _("快递账单")
        verbose_name_plural = _("快递账单")
        ordering = ["-month", "courier"]
        constraints = [models.UniqueConstraint(fields=["courier", "month", "fingerprint"],
                                               name="logistics_bill_once")]
        permissions = [("reconcile_carrierbill", _("可核对快递账单"))]

    def __str__(self) -> str:
        return f"{self.get_courier_display()} {self.month:%Y-%m}"


class BillCheck(models.TextChoices):
    MATCHED = "matched", _("一致")
    WEIGHT = "weight", _("计费重量不符")
    AMOUNT = "amount", _("金额不符")
    UNKNOWN = "unknown", _("我方无此运单")
    NOT_BILLED = "not_billed", _("账单漏列")


class CarrierBillLine(models.Model):
    bill = models.ForeignKey(CarrierBill, verbose_name=_("快递账单"), on_delete=models.CASCADE, related_name="lines")
    row = models.PositiveIntegerField(_("行号"), null=True, blank=True)
    tracking_no = models.CharField(_("运单号"), max_length=40)
    shipment = models.ForeignKey(Shipment, verbose_name=_("运单记录"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="bill_lines")
    billed_weight_g = models.PositiveIntegerField(_("计费重量（克）"), null=True, blank=True)
    billed_amount = models.DecimalField(_("账单金额（元）"), null=True, blank=True, **MONEY)
    our_weight_g = models.PositiveIntegerField(_("我方重量（克）"), null=True, blank=True)
    our_amount = models.DecimalField(_("我方金额（元）"), null=True, blank=True, **MONEY)
    result = models.CharField(_("核对结果"), max_length=20, choices=BillCheck.choices)

    class Meta:
        verbose_name = _("账单明细")
        verbose_name_plural = _("账单明细")
        ordering = ["bill", "row", "pk"]

    def __str__(self) -> str:
        return f"{self.bill} {self.tracking_no}"


# --- cross-border customs (LOG-04, LAW-06) -------------------------------------------------------------


class CustomsMode(models.TextChoices):
    RETAIL = "9610", _("9610 跨境电商零售（清单放行，汇总申报）")
    B2B_DIRECT = "9710", _("9710 跨境电商 B2B 直接出口")
    OVERSEAS_WAREHOUSE = "9810", _("9810 跨境电商出口海外仓")
    BONDED = "1210", _("1210 保税跨境贸易电子商务")


class CustomsStatus(models.TextChoices):
    """The customs receipt codes (LAW-06) and a state before any receipt."""

    DRAFT = "draft", _("待申报")
    DECLARED = "declared", _("已申报，待回执")
    REJECTED = "100", _("100 海关退单")
    ACCEPTED = "120", _("120 海关入库")
    MANUAL_REVIEW = "300", _("300 人工审核")
    CLEARED = "399", _("399 海关审结")
    INSPECTION = "500", _("500 查验")
    DETAINED_CLEARANCE = "501", _("501 扣留移送通关")
    DETAINED_SMUGGLING = "502", _("502 扣留移送缉私")
    DETAINED = "599", _("599 扣留")
    RETURNED = "700", _("700 退运")
    RELEASED = "800", _("800 放行")


CUSTOMS_DETAINED = (CustomsStatus.DETAINED_CLEARANCE, CustomsStatus.DETAINED_SMUGGLING, CustomsStatus.DETAINED)
CUSTOMS_TROUBLE = (*CUSTOMS_DETAINED, CustomsStatus.RETURNED, CustomsStatus.REJECTED)
CUSTOMS_FINAL = (CustomsStatus.RELEASED, CustomsStatus.RETURNED)


class CustomsDeclaration(models.Model):
    """跨境申报单: a cross-border shipment with its three matched documents (order, payment, waybill) and
    its declaration list, followed by the customs receipts (LOG-04, LAW-06)."""

    number = models.CharField(_("申报单号"), max_length=30, unique=True)
    order = models.OneToOneField("orders.Order", verbose_name=_("订单"), on_delete=models.PROTECT,
                                 related_name="customs_declaration")
    mode = models.CharField(_("监管方式"), max_length=4, choices=CustomsMode.choices)
    payment_no = models.CharField(_("支付单号"), max_length=64)
    tracking_no = models.CharField(_("运单号"), max_length=40)
    courier = models.CharField(_("快递公司"), max_length=20, choices=Courier.choices)
    destination = models.CharField(_("目的国（地区）"), max_length=40)
    total = models.DecimalField(_("申报总价（元）"), **MONEY)
    status = models.CharField(_("海关状态"), max_length=10, choices=CustomsStatus.choices,
                              default=CustomsStatus.DRAFT, db_index=True)
    status_at = models.DateTimeField(_("状态时间"), null=True, blank=True)
    owner = models.ForeignKey(USER, verbose_name=_("负责人"), null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_store_field = "order__store"
    scope_client_field = "order__store__client"

    class Meta:
        verbose_name = _("跨境申报单")
        verbose_name_plural = _("跨境申报单")
        ordering = ["-created_at", "-pk"]
        permissions = [("declare_customs", _("可办理跨境申报"))]

    def __str__(self) -> str:
        return self.number


class CustomsLine(models.Model):
    """申报清单明细: one line of the declaration list."""

    declaration = models.ForeignKey(CustomsDeclaration, verbose_name=_("跨境申报单"), on_delete=models.CASCADE,
                                    related_name="lines")
    line_no = models.PositiveSmallIntegerField(_("序号"))
    hs_code = models.CharField(_("商品编码（HS）"), max_length=10)
    name = models.CharField(_("商品名称"), max_length=100)
    quantity = models.PositiveIntegerField(_("数量"), validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(_("单价（元）"), **MONEY)
    origin = models.CharField(_("原产国（地区）"), max_length=40)

    class Meta:
        verbose_name = _("申报清单明细")
        verbose_name_plural = _("申报清单明细")
        ordering = ["declaration", "line_no"]
        constraints = [models.UniqueConstraint(fields=["declaration", "line_no"], name="logistics_customsline_once")]

    def __str__(self) -> str:
        return f"{self.declaration_id}#{self.line_no}"


class CustomsReceipt(models.Model):
    """海关回执: one receipt of customs for a declaration; the same receipt twice is kept once."""

    declaration = models.ForeignKey(CustomsDeclaration, verbose_name=_("跨境申报单"), on_delete=models.PROTECT,
                                    related_name="receipts")
    status = models.CharField(_("回执状态"), max_length=10, choices=CustomsStatus.choices)
    at = models.DateTimeField(_("回执时间"))
    note = models.CharField(_("回执说明"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    recorded_by = models.ForeignKey(USER, verbose_name=_("录入人"), null=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        verbose_name = _("海关回执")
        verbose_name_plural = _("海关回执")
        ordering = ["declaration", "at", "pk"]
        constraints = [models.UniqueConstraint(fields=["declaration", "status", "at"],
                                               name="logistics_customsreceipt_once")]

    def __str__(self) -> str:
        return f"{self.declaration} {self.status}"

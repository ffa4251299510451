"""The supplier library (CAT-06): suppliers and their contacts, the styles they supply, quality
agreements, rating history, periodic sampling checks of on-sale goods, and the delist-and-recall case a
failed check opens.

Scoping (DAT-02): a supplier may serve one client (``client`` set) or be the company's own, shared
supplier (``client`` empty). Client suppliers follow the client scope of ``ecomops.org.scoping``;
shared suppliers are visible to the company's staff only, never to a client's own users. Records that
hang off a supplier follow their supplier; sampling checks and recall cases belong to the client of the
sampled style.

Qualification documents of suppliers are not kept here: they live in the STO-04 archive
(``ecomops.stores.models.Qualification`` with holder kind "supplier" and the supplier's name).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ecomops.catalog.models import SKU, Style
from ecomops.core.events import Event
from ecomops.core.history import audited
from ecomops.org.models import Client, Store, code_validator
from ecomops.org.scoping import ScopedQuerySet, is_client_member, scope_for

from . import files
from .enums import AffectedOrderState, AgreementState, RecallState, SamplingResult, SupplierState

ZERO = Decimal("0")
HUNDRED = Decimal("100")
MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(ZERO)]}
SCORE = {
    "max_digits": 5,
    "decimal_places": 2,
    "validators": [MinValueValidator(ZERO), MaxValueValidator(HUNDRED)],
}

# GB 32100-2015: 18 characters, digits and capital letters without I, O, S, V, Z.
credit_code_validator = RegexValidator(
    r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$",
    _("统一社会信用代码须为 18 位数字或大写字母（不含 I、O、S、V、Z）"),
)


def supplier_scope_q(user, client_path: str) -> Q | None:
    """The rows whose supplier ``user`` may see; None means all. ``client_path`` leads to the supplier's
    client. Shared suppliers (no client) are the company's own: staff see them, client users never."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    scope = scope_for(user)
    member = is_client_member(user)
    if scope.all and not member:
        return None
    condition = Q(**{f"{client_path}__in": scope.client_ids})
    if not member:
        condition |= Q(**{f"{client_path}__isnull": True})
    return condition


class SupplierScopedQuerySet(models.QuerySet):
    """For a supplier and the records that hang off it; the model names ``supplier_client_path``."""

    def visible_to(self, user) -> SupplierScopedQuerySet:
        condition = supplier_scope_q(user, self.model.supplier_client_path)
        return self if condition is None else self.filter(condition)


class Supplier(models.Model):
    code = models.CharField(_("供应商编码"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("供应商名称"), max_length=100)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, blank=True, validators=[credit_code_validator]
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    status = models.CharField(
        _("合作状态"), max_length=20, choices=SupplierState.choices, default=SupplierState.ACTIVE
    )
    client = models.ForeignKey(
        Client, verbose_name=_("委托方"), null=True, blank=True, on_delete=models.PROTECT, related_name="suppliers",
        help_text=_("留空表示本公司的共用供应商，仅本公司员工可见"),
    )
    note = models.TextField(_("备注"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    history = audited()

    objects = SupplierScopedQuerySet.as_manager()
    supplier_client_path = "client"

    class Meta:
        verbose_name = _("供应商")
        verbose_name_plural = _("供应商")
        ordering = ["code"]
        permissions = [("view_supplier_phone", "查看供应商联系人完整电话")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def serves(self, client_id: int | None) -> bool:
        """May this supplier supply goods of that client: its own client, or any client when shared."""
        return self.client_id is None or self.client_id == client_id


class SupplierContact(models.Model):
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("供应商"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("姓名"), max_length=40)
    role = models.CharField(_("职务"), max_length=40, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    history = audited()

    objects = SupplierScopedQuerySet.as_manager()
    supplier_client_path = "supplier__client"

    class Meta:
        verbose_name = _("供应商联系人")
        verbose_name_plural = _("供应商联系人")
        ordering = ["supplier", "-is_active", "name", "pk"]

    def __str__(self) -> str:
        return self.name


class StyleSupplier(models.Model):
    """Which supplier supplies a style (CAT-04 "supplier(s)"), at what purchase price."""

    style = models.ForeignKey(Style, verbose_name=_("款式"), on_delete=models.CASCADE, related_name="style_suppliers")
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("供应商"), on_delete=models.PROTECT, related_name="style_links"
    )
    is_primary = models.BooleanField(_("主供应商"), default=False)
    supplier_item_code = models.CharField(_("供应商货号"), max_length=60, blank=True)
    purchase_price = models.DecimalField(_("采购价（元）"), null=True, blank=True, **MONEY)
    history = audited()

    objects = SupplierScopedQuerySet.as_manager()
    supplier_client_path = "supplier__client"

    class Meta:
        verbose_name = _("款式供应商")
        verbose_name_plural = _("款式供应商")
        ordering = ["style", "-is_primary", "supplier__code"]
        constraints = [
            models.UniqueConstraint(fields=["style", "supplier"], name="suppliers_stylesupplier_unique"),
            models.UniqueConstraint(
                fields=["style"], condition=Q(is_primary=True), name="suppliers_stylesupplier_one_primary"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.style} ← {self.supplier}"


class QualityAgreement(models.Model):
    """A quality agreement signed with a supplier (CAT-06). Its sampling interval is data of the
    agreement: how often on-sale goods of this supplier are sampled."""

    supplier = models.ForeignKey(
        Supplier, verbose_name=_("供应商"), on_delete=models.CASCADE, related_name="agreements"
    )
    number = models.CharField(_("协议编号"), max_length=60, blank=True)
    signed_on = models.DateField(_("签订日期"))
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("到期日期"))
    terms = models.TextField(_("质量条款"), max_length=20000)
    sampling_interval_days = models.PositiveIntegerField(
        _("抽检周期（天）"), null=True, blank=True, validators=[MinValueValidator(1)],
        help_text=_("按协议约定对在售商品抽检的间隔天数；留空表示协议未约定"),
    )
    file = models.FileField(_("协议扫描件"), upload_to=files.agreement_path, blank=True, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    history = audited()

    objects = SupplierScopedQuerySet.as_manager()
    supplier_client_path = "supplier__client"

    class Meta:
        verbose_name = _("质量协议")
        verbose_name_plural = _("质量协议")
        ordering = ["supplier", "-valid_to", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gte=F("valid_from")), name="suppliers_agreement_dates"),
        ]

    def __str__(self) -> str:
        return self.number or f"{self.supplier.name} {self.valid_from}—{self.valid_to}"

    def status_on(self, on: date) -> str:
        if on < self.valid_from:
            return AgreementState.NOT_YET_VALID
        if on > self.valid_to:
            return AgreementState.EXPIRED
        return AgreementState.VALID

    def status_label_on(self, on: date) -> str:
        return str(AgreementState(self.status_on(on)).label)


class SupplierRating(models.Model):
    """One rating of a supplier for a period. Ratings are history: a new rating is a new row, an old
    one is never edited; the current rating is the latest."""

    supplier = models.ForeignKey(Supplier, verbose_name=_("供应商"), on_delete=models.CASCADE, related_name="ratings")
    period = models.CharField(_("评价期间"), max_length=20, help_text=_("例如 2026-Q3 或 2026-10"))
    score = models.DecimalField(_("综合得分"), **SCORE)
    quality_score = models.DecimalField(_("质量得分"), null=True, blank=True, **SCORE)
    delivery_score = models.DecimalField(_("交付得分"), null=True, blank=True, **SCORE)
    service_score = models.DecimalField(_("服务得分"), null=True, blank=True, **SCORE)
    note = models.CharField(_("评价说明"), max_length=500, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评价人"), on_delete=models.PROTECT, related_name="+"
    )
    rated_at = models.DateTimeField(_("评价时间"), auto_now_add=True)
    history = audited()

    objects = SupplierScopedQuerySet.as_manager()
    supplier_client_path = "supplier__client"

    class Meta:
        verbose_name = _("供应商评级")
        verbose_name_plural = _("供应商评级")
        ordering = ["supplier", "-rated_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.supplier.name} {self.period} {self.score}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("A supplier rating is history: add a new rating instead of editing one (CAT-06).")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A supplier rating is history and cannot be deleted (CAT-06).")


class SamplingCheck(models.Model):
    """CAT-06: a periodic sampling check of goods on sale. A failed check opens a recall case."""

    client = models.ForeignKey(Client, verbose_name=_("委托方"), on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("供应商"), on_delete=models.PROTECT, related_name="sampling_checks"
    )
    style = models.ForeignKey(Style, verbose_name=_("款式"), on_delete=models.PROTECT, related_name="sampling_checks")
    sku = models.ForeignKey(
        SKU, verbose_name=_("SKU"), null=True, blank=True, on_delete=models.PROTECT, related_name="sampling_checks"
    )
    store = models.ForeignKey(
        Store, verbose_name=_("抽样店铺"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sampled_on = models.DateField(_("抽检日期"))
    sample_size = models.PositiveIntegerField(_("抽样数量"), validators=[MinValueValidator(1)])
    result = models.CharField(_("抽检结果"), max_length=10, choices=SamplingResult.choices)
    findings = models.TextField(_("检验结论与问题"), max_length=5000, blank=True)
    inspector = models.CharField(_("检验人/检验机构"), max_length=100)
    report = models.FileField(_("检验报告"), upload_to=files.sampling_report_path, blank=True, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_client_field = "client"

    class Meta:
        verbose_name = _("抽检记录")
        verbose_name_plural = _("抽检记录")
        ordering = ["-sampled_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.style.style_no} {self.sampled_on} {self.get_result_display()}"

    @property
    def failed(self) -> bool:
        return self.result == SamplingResult.FAIL


class RecallCase(models.Model):
    """CAT-06: delist and, where sold, recall the goods of a failed sampling check.

    opened → delisted → recall_in_progress → closed (delisted → closed when nothing was sold). Every
    move is a ``RecallEvent``. The orders the goods were sold in are ``RecallAffectedOrder`` rows,
    filled by the orders issue.
    """

    client = models.ForeignKey(Client, verbose_name=_("委托方"), on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("供应商"), on_delete=models.PROTECT, related_name="recall_cases"
    )
    sampling_check = models.OneToOneField(
        SamplingCheck, verbose_name=_("抽检记录"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="recall_case",
    )
    styles = models.ManyToManyField(Style, verbose_name=_("涉及款式"), related_name="recall_cases")
    state = models.CharField(_("状态"), max_length=20, choices=RecallState.choices, default=RecallState.OPENED)
    reason = models.TextField(_("原因"), max_length=5000)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("立案人"), on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("立案时间"))
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_client_field = "client"

    class Meta:
        verbose_name = _("下架召回单")
        verbose_name_plural = _("下架召回单")
        ordering = ["-opened_at", "-pk"]

    def __str__(self) -> str:
        return f"RC-{self.pk:06d}" if self.pk else "RC"

    @property
    def number(self) -> str:
        return str(self)

    @property
    def is_open(self) -> bool:
        return self.state != RecallState.CLOSED


class RecallEvent(Event):
    """A move of a recall case; its ``kind`` is the state the case reached (CAT-06)."""

    case = models.ForeignKey(RecallCase, verbose_name=_("召回单"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事件"), max_length=30, choices=RecallState.choices)
    from_state = models.CharField(_("原状态"), max_length=20, choices=RecallState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, choices=RecallState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("召回单事件")
        verbose_name_plural = _("召回单事件")
        ordering = ["case", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.case} {self.from_state}→{self.to_state}"


class RecallAffectedOrder(models.Model):
    """An order in which recalled goods were sold. FILLED BY THE ORDERS ISSUE through
    ``actions.add_affected_order``: ``order_ref`` is the platform order number as the buyer knows it,
    ``store`` the store it was sold in, and ``order`` (a generic link: ``order_type`` + ``order_id``)
    points at the order record once the orders app exists; it stays empty until then."""

    case = models.ForeignKey(
        RecallCase, verbose_name=_("召回单"), on_delete=models.CASCADE, related_name="affected_orders"
    )
    store = models.ForeignKey(
        Store, verbose_name=_("店铺"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    order_ref = models.CharField(_("订单号"), max_length=64)
    order_type = models.ForeignKey(
        ContentType, verbose_name=_("订单类型"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    order_id = models.CharField(_("订单记录"), max_length=40, blank=True)
    order = GenericForeignKey("order_type", "order_id")
    sku = models.ForeignKey(
        SKU, verbose_name=_("SKU"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("数量"), default=1)
    status = models.CharField(
        _("处理状态"), max_length=20, choices=AffectedOrderState.choices, default=AffectedOrderState.PENDING
    )
    note = models.CharField(_("备注"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = audited()

    class Meta:
        verbose_name = _("召回涉及订单")
        verbose_name_plural = _("召回涉及订单")
        ordering = ["case", "pk"]

    def __str__(self) -> str:
        return self.order_ref


def next_sampling_due(supplier: Supplier, on: date) -> date | None:
    """When on-sale goods of ``supplier`` are next due for sampling: the last check plus the interval
    of the agreement in force on ``on``; None when no agreement in force sets an interval."""
    agreement = (
        supplier.agreements.filter(valid_from__lte=on, valid_to__gte=on, sampling_interval_days__isnull=False)
        .order_by("-valid_from", "-pk")
        .first()
    )
    if agreement is None:
        return None
    last = supplier.sampling_checks.order_by("-sampled_on", "-pk").values_list("sampled_on", flat=True).first()
    start = last or agreement.valid_from
    return start + timedelta(days=agreement.sampling_interval_days)

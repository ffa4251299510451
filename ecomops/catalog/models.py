"""The product catalogue (CAT-04, CAT-07): brands, categories, styles (款号) with their colour × size SKUs,
barcodes, and the platform SKU codes per store that incoming orders are matched on.

- A style and its SKUs belong to one client (委托方); a platform SKU code belongs to one store of that
  client. Scoping (DAT-02) follows ``ecomops.org.scoping``: a record of a client the user may not see
  is a 404.
- Money is ``Decimal`` to the fen. A SKU's cost and price are the style's unless the SKU overrides them;
  every change is kept by the audit history (CAT-07 price history).
- The return class (LAW-01, AFS-06) and the hero-group tag (WMS-14) are properties of the style.
- Suppliers, admission review and listings (CAT-01…03, CAT-06) attach to these records later.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ecomops.core.history import audited
from ecomops.core.tree import TreeNode
from ecomops.org.models import Client, Store, code_validator
from ecomops.org.scoping import ScopedQuerySet, scope_for

from . import codes
from .barcodes import INTERNAL_PREFIXES
from .enums import BarcodeSource, ReturnClass, SpecialGoods, StyleState

ZERO = Decimal("0")
MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(ZERO)]}


def _empty_list():
    return []


class CatalogueQuerySet(ScopedQuerySet):
    """Brands, styles and SKUs: ``visible_to`` is the working scope (the clients granted whole, DAT-02),
    ``readable_by`` adds the clients seen through one of their stores.

    CAT-04: a store's staff read the catalogue of the client whose goods the store sells (to find a
    SKU, a barcode, a platform code); changing it needs the client itself (a client grant or all
    clients), which every catalogue action checks."""

    def readable_by(self, user) -> CatalogueQuerySet:
        scope = scope_for(user)
        if scope.all:
            return self
        return self.filter(**{f"{self.model.scope_client_field}__in": scope.visible_client_ids})


def _empty_dict():
    return {}


class Brand(models.Model):
    """A brand of a client's goods. Brand authorisations (CAT-01) and trademark certificates (STO-04)
    attach to it."""

    client = models.ForeignKey(Client, verbose_name=_("委托方"), on_delete=models.PROTECT, related_name="brands")
    name = models.CharField(_("品牌名称"), max_length=60)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    trademark_no = models.CharField(_("商标注册号"), max_length=40, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    history = audited()

    objects = CatalogueQuerySet.as_manager()
    scope_client_field = "client"

    class Meta:
        verbose_name = _("品牌")
        verbose_name_plural = _("品牌")
        ordering = ["client", "name"]
        constraints = [models.UniqueConstraint(fields=["client", "name"], name="catalog_brand_unique_name")]

    def __str__(self) -> str:
        return self.name


class Category(TreeNode, models.Model):
    """A product category (类目), a tree shared by all clients. ``special_goods`` marks the categories
    whose goods need a licence (STO-04, STO-05); ``attribute_names`` lists the attributes its products
    carry (CAT-04)."""

    code = models.CharField(_("编码"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=60)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级类目"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    special_goods = models.CharField(
        _("特殊商品类别"), max_length=20, choices=SpecialGoods.choices, default=SpecialGoods.NONE,
        help_text=_("食品、药品、医疗器械、化妆品须具备相应许可证方可上架"),
    )
    attribute_names = models.JSONField(_("属性项"), default=_empty_list, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    history = audited()

    class Meta:
        verbose_name = _("类目")
        verbose_name_plural = _("类目")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    def effective_special_goods(self) -> str:
        """The special-goods class of this category or, when it has none, of the nearest parent that has."""
        for node in [self, *reversed(self.ancestors())]:
            if node.special_goods != SpecialGoods.NONE:
                return node.special_goods
        return SpecialGoods.NONE

    def effective_special_goods_display(self) -> str:
        return str(SpecialGoods(self.effective_special_goods()).label)


class Style(models.Model):
    """A style (款号): one product in its colours and sizes (CAT-04)."""

    client = models.ForeignKey(Client, verbose_name=_("委托方"), on_delete=models.PROTECT, related_name="styles")
    style_no = models.CharField(_("款号"), max_length=codes.STYLE_NO_MAX, validators=[codes.code_validator])
    name = models.CharField(_("商品名称"), max_length=120)
    brand = models.ForeignKey(
        Brand, verbose_name=_("品牌"), null=True, blank=True, on_delete=models.PROTECT, related_name="styles"
    )
    category = models.ForeignKey(
        Category, verbose_name=_("类目"), null=True, blank=True, on_delete=models.PROTECT, related_name="styles"
    )
    status = models.CharField(_("状态"), max_length=20, choices=StyleState.choices, default=StyleState.DRAFT)
    unit_cost = models.DecimalField(_("成本价（元）"), **MONEY)
    price = models.DecimalField(_("销售价（元）"), **MONEY)
    is_hero = models.BooleanField(
        _("主推款"), default=False, help_text=_("主推组商品按主推组规则补货（WMS-14）")
    )
    return_class = models.CharField(
        _("退货类别"), max_length=30, choices=ReturnClass.choices, default=ReturnClass.ALLOWED,
        help_text=_("七天无理由退货（LAW-01）：定制、鲜活易腐等商品不适用；部分商品须经买家购买时确认"),
    )
    attributes = models.JSONField(_("属性"), default=_empty_dict, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = audited()

    objects = CatalogueQuerySet.as_manager()
    scope_client_field = "client"

    class Meta:
        verbose_name = _("款式")
        verbose_name_plural = _("款式")
        ordering = ["client", "style_no"]
        permissions = [("change_style_price", _("可修改成本价与销售价"))]
        constraints = [
            models.UniqueConstraint(fields=["client", "style_no"], name="catalog_style_unique_no"),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="catalog_style_cost_nonneg"),
            models.CheckConstraint(condition=Q(price__gte=0), name="catalog_style_price_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.style_no} {self.name}"

    def clean(self):
        if self.brand_id is not None and self.client_id is not None and self.brand.client_id != self.client_id:
            raise ValidationError({"brand": _("品牌不属于该委托方")})


class SKU(models.Model):
    """One colour and size of a style, with its code and barcode (CAT-04). ``client`` repeats the
    style's client so that codes and barcodes are unique per client in the database itself."""

    client = models.ForeignKey(Client, verbose_name=_("委托方"), on_delete=models.PROTECT, related_name="skus")
    style = models.ForeignKey(Style, verbose_name=_("款式"), on_delete=models.PROTECT, related_name="skus")
    colour = models.CharField(_("颜色"), max_length=codes.COLOUR_MAX, blank=True)
    size = models.CharField(_("尺码"), max_length=codes.SIZE_MAX, blank=True)
    sku_code = models.CharField(_("SKU编码"), max_length=codes.SKU_CODE_MAX, validators=[codes.code_validator])
    barcode = models.CharField(_("条码"), max_length=48)
    barcode_source = models.CharField(_("条码来源"), max_length=20, choices=BarcodeSource.choices)
    unit_cost = models.DecimalField(
        _("成本价（元）"), null=True, blank=True, help_text=_("留空则按款式成本价"), **MONEY
    )
    price = models.DecimalField(_("销售价（元）"), null=True, blank=True, help_text=_("留空则按款式销售价"), **MONEY)
    # FUL-04: the weight of one unit, for the expected parcel weight at the scale (empty: unknown).
    weight_g = models.PositiveIntegerField(_("重量（克）"), null=True, blank=True,
                                           help_text=_("单件重量，称重复核用；留空表示未知"))
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = audited()

    objects = CatalogueQuerySet.as_manager()
    scope_client_field = "client"

    class Meta:
        verbose_name = _("SKU")
        verbose_name_plural = _("SKU")
        ordering = ["client", "sku_code"]
        constraints = [
            models.UniqueConstraint(fields=["client", "sku_code"], name="catalog_sku_unique_code"),
            models.UniqueConstraint(fields=["client", "barcode"], name="catalog_sku_unique_barcode"),
            models.UniqueConstraint(fields=["style", "colour", "size"], name="catalog_sku_unique_variant"),
            models.CheckConstraint(
                condition=Q(unit_cost__isnull=True) | Q(unit_cost__gte=0), name="catalog_sku_cost_nonneg"
            ),
            models.CheckConstraint(condition=Q(price__isnull=True) | Q(price__gte=0), name="catalog_sku_price_nonneg"),
            models.CheckConstraint(condition=~Q(barcode=""), name="catalog_sku_has_barcode"),
        ]

    def __str__(self) -> str:
        return self.sku_code

    @property
    def effective_cost(self) -> Decimal:
        return self.unit_cost if self.unit_cost is not None else self.style.unit_cost

    @property
    def effective_price(self) -> Decimal:
        return self.price if self.price is not None else self.style.price

    @property
    def variant(self) -> str:
        return " / ".join(v for v in (self.colour, self.size) if v)


class PlatformSKU(models.Model):
    """The code a platform gives one SKU in one store (平台SKU编码): orders imported from that store are
    matched on (store, platform_sku_code). The store's client is the SKU's client."""

    store = models.ForeignKey(Store, verbose_name=_("店铺"), on_delete=models.PROTECT, related_name="platform_skus")
    sku = models.ForeignKey(SKU, verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="platform_codes")
    platform_sku_code = models.CharField(
        _("平台SKU编码"), max_length=64,
        validators=[RegexValidator(r"^[^\s\x00-\x1f\x7f]+$", _("平台SKU编码不能包含空白或控制字符"))],
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_store_field = "store"
    scope_client_field = "store__client"

    class Meta:
        verbose_name = _("平台SKU编码")
        verbose_name_plural = _("平台SKU编码")
        ordering = ["store", "platform_sku_code"]
        constraints = [
            models.UniqueConstraint(fields=["store", "platform_sku_code"], name="catalog_platformsku_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.platform_sku_code} → {self.sku_id}"

    def clean(self):
        if self.store_id is not None and self.sku_id is not None and self.store.client_id != self.sku.client_id:
            raise ValidationError({"store": _("店铺与 SKU 不属于同一委托方")})


class BarcodeSeries(models.Model):
    """The counter behind the in-store EAN-13 numbers this installation hands out (prefix 20–29).

    One series is active; an administrator may switch to another prefix (for instance when another
    system already uses prefix 20 in the same warehouse). Numbers are never handed out twice."""

    prefix = models.CharField(
        _("前缀"), max_length=2, unique=True,
        validators=[RegexValidator(rf"^({'|'.join(INTERNAL_PREFIXES)})$", _("店内码前缀须为 20–29"))],
    )
    next_number = models.PositiveBigIntegerField(_("下一个序号"), default=1)
    is_active = models.BooleanField(_("使用中"), default=True)
    history = audited()

    class Meta:
        verbose_name = _("店内码序列")
        verbose_name_plural = _("店内码序列")
        ordering = ["prefix"]
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True),
                                    name="catalog_one_active_series"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix} · {self.next_number}"

"""API of the product catalogue (CAT-04, CAT-07): brands, categories, styles with their SKUs, SKUs by
code, barcode or platform SKU code, and the platform SKU codes per store.

Thin: reads through scoped querysets (DAT-02: a style, SKU or brand of a client the user may not see is
a 404, for reading and for changing alike), writes through ``catalog.actions``. Money travels as
decimal numbers with at most two decimals (fen), never rounded on the way in.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from ecomops.apiutil.access import require_perm
from ecomops.apiutil.errors import fields_renamed
from ecomops.apiutil.pagination import Page, PageQuery, paginate
from ecomops.apiutil.schemas import InputSchema, PatchSchema, Ref
from ecomops.apiutil.types import Code, Flag, Id, RefId, Search, SortOrder, Text
from ecomops.core.errors import BusinessError
from ecomops.org.models import Client, Store

from . import actions, codes
from .enums import BarcodeSource, ReturnClass, SpecialGoods, StyleState
from .models import SKU, Brand, Category, PlatformSKU, Style
from .queries import readable_or_404, search_styles, visible_platform_codes

router = Router()

Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2, description="金额（元），最多两位小数")]
StyleNo = Text(codes.STYLE_NO_MAX, min_length=1, pattern=rf"^{codes.CODE_CHARS}$")
SkuCode = Text(codes.SKU_CODE_MAX, min_length=1, pattern=rf"^{codes.CODE_CHARS}$")
Colour = Text(codes.COLOUR_MAX, min_length=1)
Size = Text(codes.SIZE_MAX, min_length=1)
PlatformCode = Text(64, min_length=1, pattern=r"^[^\s\x00-\x1f\x7f]+$")
AttributeValue = Text(200)


def _lookup(queryset, pk: int | None, *, field: str, message: str):
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise BusinessError(message, field=field, code="not_found")
    return found


# --- brands ------------------------------------------------------------------------------------


class BrandOut(Schema):
    id: int
    client: Ref
    name: str
    name_en: str
    trademark_no: str
    is_active: bool


class BrandRef(Schema):
    id: int
    name: str


class BrandFilters(PageQuery):
    client_id: Id | None = None
    q: Search | None = Field(None, description="按名称搜索")


class BrandIn(InputSchema):
    client_id: RefId
    name: Text(60, min_length=1)
    name_en: Text(100) = ""
    trademark_no: Text(40) = ""
    is_active: Flag = True


@router.get("/catalog/brands", response=Page[BrandOut], tags=["catalog"], summary="品牌列表（仅限授权范围）")
def list_brands(request, filters: Query[BrandFilters]):
    require_perm(request.auth, "catalog.view_brand")
    queryset = (Brand.objects.readable_by(request.auth).select_related("client")
                .order_by("client__code", "name", "pk"))
    if filters.client_id is not None:
        queryset = queryset.filter(client_id=filters.client_id)
    if filters.q:
        queryset = queryset.filter(Q(name__icontains=filters.q) | Q(name_en__icontains=filters.q))
    return paginate(queryset, filters)


@router.post("/catalog/brands", response={201: BrandOut}, tags=["catalog"], summary="新建品牌")
def create_brand(request, payload: BrandIn):
    data = payload.model_dump()
    client = _lookup(Client.objects.visible_to(request.auth), data.pop("client_id"), field="client_id",
                     message=_("委托方不存在"))
    with fields_renamed({"client": "client_id"}):
        brand = actions.create_brand(user=request.auth, client=client, **data)
    return Status(201, brand)


# --- categories --------------------------------------------------------------------------------


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    parent_id: int | None
    special_goods: SpecialGoods
    attribute_names: list[str]
    sort_order: int
    is_active: bool


class CategoryFilters(PageQuery):
    parent_id: Id | None = Field(None, description="只列出此类目的直接下级")
    special_goods: SpecialGoods | None = None
    q: Search | None = Field(None, description="按编码或名称搜索")


class CategoryIn(InputSchema):
    code: Code(40)
    name: Text(60, min_length=1)
    name_en: Text(100) = ""
    parent_id: RefId | None = None
    special_goods: SpecialGoods = SpecialGoods.NONE
    attribute_names: list[Text(30, min_length=1)] = Field(default_factory=list, max_length=50)
    sort_order: SortOrder = 0
    is_active: Flag = True


@router.get("/catalog/categories", response=Page[CategoryOut], tags=["catalog"], summary="类目列表")
def list_categories(request, filters: Query[CategoryFilters]):
    require_perm(request.auth, "catalog.view_category")
    queryset = Category.objects.order_by("sort_order", "code", "pk")
    if filters.parent_id is not None:
        queryset = queryset.filter(parent_id=filters.parent_id)
    if filters.special_goods is not None:
        queryset = queryset.filter(special_goods=filters.special_goods)
    if filters.q:
        queryset = queryset.filter(Q(code__icontains=filters.q) | Q(name__icontains=filters.q)
                                   | Q(name_en__icontains=filters.q))
    return paginate(queryset, filters)


@router.post("/catalog/categories", response={201: CategoryOut}, tags=["catalog"], summary="新建类目")
def create_category(request, payload: CategoryIn):
    data = payload.model_dump()
    data["parent"] = _lookup(Category.objects.all(), data.pop("parent_id"), field="parent_id",
                             message=_("上级类目不存在"))
    with fields_renamed({"parent": "parent_id"}):
        category = actions.create_category(user=request.auth, **data)
    return Status(201, category)


class CategoryPatch(PatchSchema):
    NULLABLE = frozenset({"parent_id"})

    code: Code(40) | None = None
    name: Text(60, min_length=1) | None = None
    name_en: Text(100) | None = None
    parent_id: RefId | None = Field(None, description="null：改为顶级类目")
    special_goods: SpecialGoods | None = None
    attribute_names: list[Text(30, min_length=1)] | None = Field(None, max_length=50)
    sort_order: SortOrder | None = None
    is_active: Flag | None = None


@router.patch("/catalog/categories/{category_id}", response=CategoryOut, tags=["catalog"],
              summary="修改类目（上级类目不能是本类目或其下级）")
def update_category(request, category_id: Path[Id], payload: CategoryPatch):
    require_perm(request.auth, "catalog.view_category")
    category = get_object_or_404(Category, pk=category_id)
    changes = payload.changes()
    if "parent_id" in changes:
        changes["parent"] = _lookup(Category.objects.all(), changes.pop("parent_id"), field="parent_id",
                                    message=_("上级类目不存在"))
    with fields_renamed({"parent": "parent_id"}):
        return actions.update_category(category, user=request.auth, **changes)


# --- styles and SKUs ---------------------------------------------------------------------------


class PlatformCodeOut(Schema):
    id: int
    store: Ref
    platform_sku_code: str


class SkuOut(Schema):
    id: int
    style_id: int
    style_no: str
    client_id: int
    colour: str
    size: str
    sku_code: str
    barcode: str
    barcode_source: BarcodeSource
    unit_cost: Decimal | None = Field(description="SKU 自己的成本价；空则按款式")
    price: Decimal | None = Field(description="SKU 自己的销售价；空则按款式")
    effective_cost: Decimal
    effective_price: Decimal
    is_active: bool
    platform_codes: list[PlatformCodeOut] = Field(description="用户可见店铺中的平台SKU编码")


class StyleOut(Schema):
    id: int
    client: Ref
    style_no: str
    name: str
    brand: BrandRef | None
    category: Ref | None
    status: StyleState
    unit_cost: Decimal
    price: Decimal
    is_hero: bool = Field(description="主推组（WMS-14）")
    return_class: ReturnClass = Field(description="七天无理由退货类别（LAW-01）")
    attributes: dict[str, str | int | float | bool]
    sku_count: int
    created_at: datetime
    updated_at: datetime


class StyleDetail(StyleOut):
    skus: list[SkuOut]


class StyleFilters(PageQuery):
    client_id: Id | None = None
    brand_id: Id | None = None
    category_id: Id | None = None
    status: StyleState | None = None
    is_hero: bool | None = None
    q: Search | None = Field(None, description="按款号、名称、SKU编码或条码搜索")


class StyleIn(InputSchema):
    client_id: RefId
    style_no: StyleNo
    name: Text(120, min_length=1)
    brand_id: RefId | None = None
    category_id: RefId | None = None
    status: StyleState = StyleState.DRAFT
    unit_cost: Money
    price: Money
    is_hero: Flag = False
    return_class: ReturnClass = ReturnClass.ALLOWED
    attributes: dict[Text(30, min_length=1), AttributeValue] = Field(default_factory=dict, max_length=50)
    colours: list[Colour] = Field(default_factory=list, max_length=50, description="颜色；与尺码组合生成 SKU")
    sizes: list[Size] = Field(default_factory=list, max_length=50, description="尺码；与颜色组合生成 SKU")


class StylePatch(PatchSchema):
    NULLABLE = frozenset({"brand_id", "category_id"})

    style_no: StyleNo | None = None
    name: Text(120, min_length=1) | None = None
    brand_id: RefId | None = None
    category_id: RefId | None = None
    status: StyleState | None = None
    unit_cost: Money | None = None
    price: Money | None = None
    is_hero: Flag | None = None
    return_class: ReturnClass | None = None
    attributes: dict[Text(30, min_length=1), AttributeValue] | None = Field(None, max_length=50)
    colours: list[Colour] | None = Field(None, max_length=50,
                                         description="补齐颜色 × 尺码中缺少的 SKU（不删除已有 SKU）")
    sizes: list[Size] | None = Field(None, max_length=50)
    reason: Text(100) | None = Field(None, description="改价原因（CAT-07），记入修改记录")


class SkuFilters(PageQuery):
    client_id: Id | None = None
    style_id: Id | None = None
    sku_code: SkuCode | None = None
    barcode: Text(48, min_length=1) | None = None
    platform_sku_code: PlatformCode | None = None
    store_id: Id | None = Field(None, description="与 platform_sku_code 一起：该店铺的平台SKU编码")
    is_active: bool | None = None


class SkuPatch(PatchSchema):
    NULLABLE = frozenset({"unit_cost", "price"})

    colour: Text(codes.COLOUR_MAX) | None = None
    size: Text(codes.SIZE_MAX) | None = None
    barcode: Text(48, min_length=1) | None = None
    unit_cost: Money | None = Field(None, description="null：按款式成本价")
    price: Money | None = Field(None, description="null：按款式销售价")
    is_active: Flag | None = None
    reason: Text(100) | None = None


class PlatformCodesIn(InputSchema):
    store_id: RefId
    codes: list[PlatformCode] = Field(max_length=50, description="该 SKU 在该店铺的全部平台SKU编码（替换原有）")


def _skus(user):
    return SKU.objects.readable_by(user).select_related("style").prefetch_related(
        Prefetch("platform_codes", queryset=visible_platform_codes(user).order_by("store__code", "platform_sku_code"),
                 to_attr="visible_codes")
    )


def sku_out(sku: SKU) -> dict:
    return {
        "id": sku.pk, "style_id": sku.style_id, "style_no": sku.style.style_no, "client_id": sku.client_id,
        "colour": sku.colour, "size": sku.size, "sku_code": sku.sku_code, "barcode": sku.barcode,
        "barcode_source": sku.barcode_source, "unit_cost": sku.unit_cost, "price": sku.price,
        "effective_cost": sku.effective_cost, "effective_price": sku.effective_price, "is_active": sku.is_active,
        "platform_codes": [
            {"id": p.pk, "store": p.store, "platform_sku_code": p.platform_sku_code}
            for p in getattr(sku, "visible_codes", [])
        ],
    }


def style_out(style: Style, *, skus: list[SKU] | None = None) -> dict:
    data = {
        "id": style.pk, "client": style.client, "style_no": style.style_no, "name": style.name,
        "brand": style.brand, "category": style.category, "status": style.status, "unit_cost": style.unit_cost,
        "price": style.price, "is_hero": style.is_hero, "return_class": style.return_class,
        "attributes": style.attributes or {},
        "sku_count": getattr(style, "sku_count", None) if skus is None else len(skus),
        "created_at": style.created_at, "updated_at": style.updated_at,
    }
    if data["sku_count"] is None:
        data["sku_count"] = style.skus.count()
    if skus is not None:
        data["skus"] = [sku_out(s) for s in skus]
    return data


def _detail(user, style_id: int) -> dict:
    style = readable_or_404(Style.objects.select_related("client", "brand", "category"), user, pk=style_id)
    return style_out(style, skus=list(_skus(user).filter(style=style).order_by("pk")))


STYLE_NAMES = {"brand": "brand_id", "category": "category_id", "client": "client_id"}


def _style_refs(data: dict, user) -> dict:
    if "brand_id" in data:
        data["brand"] = _lookup(Brand.objects.visible_to(user), data.pop("brand_id"), field="brand_id",
                                message=_("品牌不存在"))
    if "category_id" in data:
        data["category"] = _lookup(Category.objects.all(), data.pop("category_id"), field="category_id",
                                   message=_("类目不存在"))
    return data


@router.get("/catalog/styles", response=Page[StyleOut], tags=["catalog"], summary="款式列表（仅限授权范围）")
def list_styles(request, filters: Query[StyleFilters]):
    require_perm(request.auth, "catalog.view_style")
    queryset = search_styles(request.auth, q=filters.q or "", status=filters.status or "", is_hero=filters.is_hero)
    if filters.client_id is not None:
        queryset = queryset.filter(client_id=filters.client_id)
    if filters.brand_id is not None:
        queryset = queryset.filter(brand_id=filters.brand_id)
    if filters.category_id is not None:
        queryset = queryset.filter(category_id=filters.category_id)
    queryset = queryset.annotate(sku_count=Count("skus"))
    return paginate(queryset, filters, style_out)


@router.get("/catalog/styles/{style_id}", response=StyleDetail, tags=["catalog"], summary="款式详情（含 SKU）")
def get_style(request, style_id: Path[Id]):
    require_perm(request.auth, "catalog.view_style")
    return _detail(request.auth, style_id)


@router.post("/catalog/styles", response={201: StyleDetail}, tags=["catalog"],
             summary="新建款式（按颜色 × 尺码生成 SKU）")
def create_style(request, payload: StyleIn):
    data = _style_refs(payload.model_dump(), request.auth)
    client = _lookup(Client.objects.visible_to(request.auth), data.pop("client_id"), field="client_id",
                     message=_("委托方不存在"))
    with fields_renamed(STYLE_NAMES):
        style = actions.create_style(user=request.auth, client=client, **data)
    return Status(201, _detail(request.auth, style.pk))


@router.patch("/catalog/styles/{style_id}", response=StyleDetail, tags=["catalog"],
              summary="修改款式；改价须有改价权限（CAT-07）")
def update_style(request, style_id: Path[Id], payload: StylePatch):
    require_perm(request.auth, "catalog.view_style")
    style = readable_or_404(Style.objects.all(), request.auth, pk=style_id)  # the action refuses a store's staff
    changes = _style_refs(payload.changes(), request.auth)
    colours, sizes = changes.pop("colours", None), changes.pop("sizes", None)
    reason = changes.pop("reason", None) or ""
    with transaction.atomic(), fields_renamed(STYLE_NAMES):
        if changes:
            style = actions.update_style(style, user=request.auth, reason=reason, **changes)
        if colours or sizes:
            actions.add_variants(style, user=request.auth, colours=colours or [], sizes=sizes or [])
    return _detail(request.auth, style.pk)


@router.get("/catalog/skus", response=Page[SkuOut], tags=["catalog"],
            summary="SKU 列表：按委托方、款式、SKU编码、条码或店铺的平台SKU编码查找")
def list_skus(request, filters: Query[SkuFilters]):
    require_perm(request.auth, "catalog.view_style")
    queryset = _skus(request.auth).order_by("client_id", "sku_code", "pk")
    for name in ("client_id", "style_id", "sku_code", "barcode", "is_active"):
        value = getattr(filters, name)
        if value is not None:
            queryset = queryset.filter(**{name: value})
    if filters.platform_sku_code is not None or filters.store_id is not None:
        codes_seen = PlatformSKU.objects.visible_to(request.auth)
        if filters.platform_sku_code is not None:
            codes_seen = codes_seen.filter(platform_sku_code=filters.platform_sku_code)
        if filters.store_id is not None:
            codes_seen = codes_seen.filter(store_id=filters.store_id)
        queryset = queryset.filter(pk__in=codes_seen.values("sku_id"))
    return paginate(queryset, filters, sku_out)


@router.get("/catalog/skus/{sku_id}", response=SkuOut, tags=["catalog"], summary="SKU 详情")
def get_sku(request, sku_id: Path[Id]):
    require_perm(request.auth, "catalog.view_style")
    return sku_out(readable_or_404(_skus(request.auth), request.auth, pk=sku_id))


@router.patch("/catalog/skus/{sku_id}", response=SkuOut, tags=["catalog"],
              summary="修改 SKU（颜色、尺码、条码、单独售价、启用）")
def update_sku(request, sku_id: Path[Id], payload: SkuPatch):
    require_perm(request.auth, "catalog.view_style")
    sku = readable_or_404(SKU.objects.all(), request.auth, pk=sku_id)
    changes = payload.changes()
    reason = changes.pop("reason", None) or ""
    actions.update_sku(sku, user=request.auth, reason=reason, **changes)
    return sku_out(_skus(request.auth).get(pk=sku.pk))


@router.put("/catalog/skus/{sku_id}/platform-codes", response=SkuOut, tags=["catalog"],
            summary="设置 SKU 在一个店铺的平台SKU编码（订单导入按此匹配）")
def set_platform_codes(request, sku_id: Path[Id], payload: PlatformCodesIn):
    require_perm(request.auth, "catalog.view_style")
    sku = readable_or_404(SKU.objects.all(), request.auth, pk=sku_id)
    store = _lookup(Store.objects.visible_to(request.auth), payload.store_id, field="store_id",
                    message=_("店铺不存在"))
    with fields_renamed({"store": "store_id"}):
        actions.set_platform_codes(sku, store, payload.codes, user=request.auth)
    return sku_out(_skus(request.auth).get(pk=sku.pk))

"""Every change to the catalogue goes through here (CAT-04, CAT-07): brands, categories, styles and
their SKUs, prices, platform SKU codes and the spreadsheet import.

Each function is one business act: it checks the permission and the client scope (DAT-02), runs in one
transaction and leaves the audit history behind (django-simple-history, bulk writes included). Views,
the API and the CLI call these and nothing else. Refusals are ``BusinessError`` naming the field.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ecomops.audit.middleware import client_ip, current_request
from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.core.history import delete_audited
from ecomops.core.validate import apply_changes, parse_money, save_checked, validate_model
from ecomops.org.actions import require_perm
from ecomops.org.models import Client, Store
from ecomops.org.scoping import is_client_member, scope_for

from . import barcodes, codes
from .enums import BarcodeSource, ReturnClass, SpecialGoods, StyleState
from .models import SKU, BarcodeSeries, Brand, Category, PlatformSKU, Style

DEFAULT_BARCODE_PREFIX = "20"
BATCH = 500
PRICE_FIELDS = ("unit_cost", "price")
PRICE_PERM = "catalog.change_style_price"

# An IntegrityError on save: the same unique value saved at the same moment by somebody else.
DUPLICATE = gettext_lazy("保存失败：编码、条码或唯一字段与已有记录重复")


def chunks(values: Sequence, size: int = BATCH):
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --- scope --------------------------------------------------------------------------------------


def check_client(user, client: Client | None, *, field: str = "client") -> Client:
    """The client a new record goes to must be one the user sees whole; any other reads as missing."""
    if client is None or not scope_for(user).sees_client(client.pk):
        raise BusinessError(_("委托方不存在"), field=field, code="not_found")
    return client


def _check_record(user, client_id: int) -> None:
    if not scope_for(user).sees_client(client_id):
        raise NotAllowed(_("您无权修改该委托方的商品"))


# --- brands and categories ----------------------------------------------------------------------

BRAND_FIELDS = ("name", "name_en", "trademark_no", "is_active")
CATEGORY_FIELDS = ("code", "name", "name_en", "parent", "special_goods", "attribute_names", "sort_order", "is_active")


@transaction.atomic
def create_brand(*, user, client: Client, **fields) -> Brand:
    require_perm(user, "catalog.add_brand")
    check_client(user, client)
    brand = Brand(client=client, **{k: v for k, v in fields.items() if k in BRAND_FIELDS})
    _brand_name_free(brand)
    validate_model(brand)
    save_checked(brand, user=user, duplicate=DUPLICATE)
    return brand


@transaction.atomic
def update_brand(brand: Brand, *, user, **changes) -> Brand:
    require_perm(user, "catalog.change_brand")
    _check_record(user, brand.client_id)
    brand = Brand.objects.select_for_update().get(pk=brand.pk)
    if apply_changes(brand, changes, BRAND_FIELDS):
        _brand_name_free(brand)
        validate_model(brand)
        save_checked(brand, user=user, duplicate=DUPLICATE)
    return brand


def _brand_name_free(brand: Brand) -> None:
    if Brand.objects.filter(client_id=brand.client_id, name=brand.name).exclude(pk=brand.pk).exists():
        raise BusinessError(_("该委托方已有品牌 %(name)s") % {"name": brand.name}, field="name", code="duplicate")


def _attribute_names(values) -> list[str]:
    if values is None:
        return []
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise BusinessError(_("属性项须为文字列表"), field="attribute_names")
    try:
        return codes.clean_names(values, max_length=30)
    except ValueError as error:
        raise BusinessError(_("属性项“%(name)s”过长（最多 30 个字）") % {"name": error.args[0]},
                            field="attribute_names") from None


def _require_internal(user, message: str) -> None:
    if is_client_member(user):
        raise NotAllowed(message)


def _category_code_free(category: Category) -> None:
    category.code = (category.code or "").strip()
    if category.code and Category.objects.filter(code=category.code).exclude(pk=category.pk).exists():
        raise BusinessError(_("类目编码“%(code)s”已被使用") % {"code": category.code}, field="code",
                            code="duplicate")
    if category.special_goods not in SpecialGoods.values:
        raise BusinessError(_("特殊商品类别不正确"), field="special_goods")


@transaction.atomic
def create_category(*, user, **fields) -> Category:
    """A category of the tree every client shares (CAT-04); the company's staff keep it, never a
    client's own user."""
    require_perm(user, "catalog.add_category")
    _require_internal(user, _("委托方用户不能修改共用的类目"))
    data = {k: v for k, v in fields.items() if k in CATEGORY_FIELDS}
    data["attribute_names"] = _attribute_names(data.get("attribute_names"))
    category = Category(**data)
    _category_code_free(category)
    validate_model(category)
    save_checked(category, user=user, duplicate=DUPLICATE)
    return category


@transaction.atomic
def update_category(category: Category, *, user, **changes) -> Category:
    require_perm(user, "catalog.change_category")
    _require_internal(user, _("委托方用户不能修改共用的类目"))
    category = Category.objects.select_for_update().get(pk=category.pk)
    if "attribute_names" in changes:
        changes["attribute_names"] = _attribute_names(changes["attribute_names"])
    if not apply_changes(category, changes, CATEGORY_FIELDS):
        return category
    _category_code_free(category)
    if category.parent_id is not None:
        below, frontier = {category.pk}, [category.pk]
        while frontier:
            frontier = list(Category.objects.filter(parent_id__in=frontier).exclude(pk__in=below)
                            .values_list("pk", flat=True))
            below.update(frontier)
        if category.parent_id in below:
            raise BusinessError(_("上级类目不能是本类目或其下级类目"), field="parent")
    validate_model(category)
    save_checked(category, user=user, duplicate=DUPLICATE)
    return category


# --- barcodes ------------------------------------------------------------------------------------


def allocate_internal_barcodes(count: int, *, taken: Iterable[str] = ()) -> list[str]:
    """Hand out ``count`` in-store EAN-13 numbers from the active series (prefix 20–29).

    The counter row is locked, so two imports never get the same numbers; numbers somebody already
    uses as a barcode (typed in by hand, from another system) are skipped. Must run inside the
    transaction that saves the SKUs."""
    if count <= 0:
        return []
    taken = set(taken)
    series = BarcodeSeries.objects.select_for_update().filter(is_active=True).first()
    if series is None:
        series, _created = BarcodeSeries.objects.get_or_create(prefix=DEFAULT_BARCODE_PREFIX,
                                                               defaults={"is_active": True})
        series = BarcodeSeries.objects.select_for_update().get(pk=series.pk)
    found: list[str] = []
    number = series.next_number
    while len(found) < count:
        need = count - len(found)
        if number + need - 1 > barcodes.COUNTER_MAX:
            raise BusinessError(_("店内码序列 %(prefix)s 已用尽，请由管理员启用新的前缀") % {"prefix": series.prefix},
                                field="barcode")
        candidates = [barcodes.internal_ean13(series.prefix, n) for n in range(number, number + need)]
        number += need
        used = set(
            SKU.objects.filter(barcode__range=(candidates[0], candidates[-1])).values_list("barcode", flat=True)
        )
        found.extend(code for code in candidates if code not in used and code not in taken)
    BarcodeSeries.objects.filter(pk=series.pk).update(next_number=number)
    return found


def barcode_for_input(value: str, *, field: str = "barcode") -> tuple[str, str]:
    """``(source, code)`` of a barcode a person typed; a bad check digit is refused naming the field."""
    try:
        return barcodes.classify(value)
    except barcodes.BarcodeError as error:
        raise BusinessError(str(error), field=field) from None


def _barcode_free(client_id: int, barcode: str, *, except_pk: int | None = None) -> None:
    clash = SKU.objects.filter(client_id=client_id, barcode=barcode).exclude(pk=except_pk).first()
    if clash is not None:
        raise BusinessError(_("条码 %(code)s 已用于 SKU %(sku)s") % {"code": barcode, "sku": clash.sku_code},
                            field="barcode", code="duplicate")


WEIGHT_MAX_G = 1_000_000  # a tonne: anything heavier is a typing error


def parse_weight(value, *, field: str = "weight_g") -> int | None:
    """FUL-04: a unit weight in whole grams, or None (unknown)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool | float):
        raise BusinessError(_("重量须为整数克"), field=field)
    try:
        grams = int(str(value).strip())
    except ValueError:
        raise BusinessError(_("重量须为整数克"), field=field) from None
    if grams < 0 or grams > WEIGHT_MAX_G:
        raise BusinessError(_("重量须在 0 到 %(max)d 克之间") % {"max": WEIGHT_MAX_G}, field=field)
    return grams


# --- styles and SKUs -----------------------------------------------------------------------------

STYLE_FIELDS = ("style_no", "name", "brand", "category", "status", "unit_cost", "price", "is_hero",
                "return_class", "attributes")
SKU_FIELDS = ("colour", "size", "barcode", "unit_cost", "price", "weight_g", "is_active")


def _check_style_refs(style: Style) -> None:
    if style.brand_id is not None and style.brand.client_id != style.client_id:
        raise BusinessError(_("品牌不属于该委托方"), field="brand")
    if style.status not in StyleState.values:
        raise BusinessError(_("状态不正确"), field="status")
    if style.return_class not in ReturnClass.values:
        raise BusinessError(_("退货类别不正确"), field="return_class")
    if not isinstance(style.attributes, dict) or not all(
        isinstance(k, str) and isinstance(v, str | int | float | bool) for k, v in style.attributes.items()
    ):
        raise BusinessError(_("属性须为“属性项: 值”的对应关系"), field="attributes")


@transaction.atomic
def create_style(*, user, client: Client, colours: Iterable[str] = (), sizes: Iterable[str] = (),
                 **fields) -> Style:
    """A new style (款号) with a SKU for every colour × size given (CAT-04)."""
    require_perm(user, "catalog.add_style")
    check_client(user, client)
    data = {k: v for k, v in fields.items() if k in STYLE_FIELDS}
    for name in PRICE_FIELDS:
        data[name] = parse_money(data.get(name), field=name)
    style = Style(client=client, **data)
    if Style.objects.filter(client=client, style_no=style.style_no).exists():
        raise BusinessError(_("款号 %(no)s 已存在") % {"no": style.style_no}, field="style_no", code="duplicate")
    _check_style_refs(style)
    validate_model(style)
    save_checked(style, user=user, duplicate=DUPLICATE)
    add_variants(style, user=user, colours=colours, sizes=sizes, check=False)
    return style


@transaction.atomic
def update_style(style: Style, *, user, reason: str = "", **changes) -> Style:
    """Change a style's data; a change of cost or price needs ``catalog.change_style_price`` (CAT-07)."""
    require_perm(user, "catalog.change_style")
    _check_record(user, style.client_id)
    style = Style.objects.select_for_update().get(pk=style.pk)
    for name in PRICE_FIELDS:
        if name in changes:
            changes[name] = parse_money(changes[name], field=name)
    changed = apply_changes(style, changes, STYLE_FIELDS)
    if not changed:
        return style
    if set(changed) & set(PRICE_FIELDS):
        require_perm(user, PRICE_PERM)
    if "style_no" in changed and Style.objects.filter(client_id=style.client_id, style_no=style.style_no).exclude(
        pk=style.pk
    ).exists():
        raise BusinessError(_("款号 %(no)s 已存在") % {"no": style.style_no}, field="style_no", code="duplicate")
    _check_style_refs(style)
    validate_model(style)
    save_checked(style, user=user, reason=reason, duplicate=DUPLICATE)
    return style


@transaction.atomic
def change_price(target: Style | SKU, *, user, reason: str = "", **amounts) -> Style | SKU:
    """CAT-07: change the cost and/or price of a style, or a SKU's own override (``None`` falls back
    to the style's). The history row keeps before, after, who, when and the reason."""
    require_perm(user, PRICE_PERM)
    _check_record(user, target.client_id)
    unknown = set(amounts) - set(PRICE_FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        raise BusinessError(_("字段 %(name)s 不能修改") % {"name": name}, field=name)
    model = type(target)
    record = model.objects.select_for_update().get(pk=target.pk)
    required = model is Style
    changed = False
    for name, value in amounts.items():
        value = parse_money(value, field=name, required=required)
        if getattr(record, name) != value:
            setattr(record, name, value)
            changed = True
    if changed:
        if model is Style:
            validate_model(record)
        save_checked(record, user=user, reason=reason, duplicate=DUPLICATE)
    return record


def _variant_codes(style: Style, pairs: list[tuple[str, str]], existing: list[SKU]) -> list[str]:
    colours = list(dict.fromkeys([s.colour for s in existing] + [c for c, _ in pairs]))
    sizes = list(dict.fromkeys([s.size for s in existing] + [z for _, z in pairs]))
    wanted = [
        codes.sku_code_for(style.style_no, colour, size, colour_index=colours.index(colour) + 1,
                           size_index=sizes.index(size) + 1)
        for colour, size in pairs
    ]
    taken = set()
    for batch in chunks(sorted(set(wanted))):
        taken.update(SKU.objects.filter(client_id=style.client_id, sku_code__in=batch)
                     .values_list("sku_code", flat=True))
    return unique_codes(wanted, taken)


def unique_codes(wanted: list[str], taken: set[str]) -> list[str]:
    """``wanted`` with ``-2``, ``-3`` … appended where a code is taken already (or twice in the list)."""
    result = []
    for code in wanted:
        candidate, n = code, 1
        while candidate in taken:
            n += 1
            suffix = f"-{n}"
            candidate = code[: codes.SKU_CODE_MAX - len(suffix)] + suffix
        taken.add(candidate)
        result.append(candidate)
    return result


@transaction.atomic
def add_variants(style: Style, *, user, colours: Iterable[str] = (), sizes: Iterable[str] = (),
                 check: bool = True) -> list[SKU]:
    """Create the SKUs missing from the colour × size matrix, with generated codes and in-store
    barcodes. Existing SKUs are left as they are. No colours and no sizes: one SKU for the style."""
    if check:
        require_perm(user, "catalog.change_style")
        _check_record(user, style.client_id)
    try:
        colour_names = codes.clean_names(colours, max_length=codes.COLOUR_MAX)
    except ValueError as error:
        raise BusinessError(_("颜色“%(v)s”过长（最多 %(n)s 个字）") % {"v": error.args[0], "n": codes.COLOUR_MAX},
                            field="colours") from None
    try:
        size_names = codes.clean_names(sizes, max_length=codes.SIZE_MAX)
    except ValueError as error:
        raise BusinessError(_("尺码“%(v)s”过长（最多 %(n)s 个字）") % {"v": error.args[0], "n": codes.SIZE_MAX},
                            field="sizes") from None
    existing = list(style.skus.order_by("pk"))
    have = {(s.colour, s.size) for s in existing}
    pairs = [(c, z) for c in (colour_names or [""]) for z in (size_names or [""])]
    if existing and pairs == [("", "")]:
        return []
    pairs = [p for p in pairs if p not in have]
    if not pairs:
        return []
    sku_codes = _variant_codes(style, pairs, existing)
    numbers = allocate_internal_barcodes(len(pairs))
    skus = [
        SKU(client_id=style.client_id, style=style, colour=colour, size=size, sku_code=code, barcode=barcode,
            barcode_source=BarcodeSource.INTERNAL_EAN13)
        for (colour, size), code, barcode in zip(pairs, sku_codes, numbers, strict=True)
    ]
    try:
        with transaction.atomic():
            created = bulk_create_with_history(skus, SKU, batch_size=BATCH, default_user=user,
                                               custom_historical_attrs=_history_attrs())
    except IntegrityError:
        raise Conflict(_("生成 SKU 时编码或条码冲突，请重试")) from None
    return list(created)


@transaction.atomic
def update_sku(sku: SKU, *, user, reason: str = "", **changes) -> SKU:
    """Change a SKU's colour, size, barcode or active flag; its own cost/price needs the price right."""
    require_perm(user, "catalog.change_style")
    _check_record(user, sku.client_id)
    sku = SKU.objects.select_for_update().select_related("style").get(pk=sku.pk)
    if "barcode" in changes:
        source, code = barcode_for_input(changes["barcode"])
        changes["barcode"] = code
        if code != sku.barcode:
            _barcode_free(sku.client_id, code, except_pk=sku.pk)
            sku.barcode_source = source
    for name in PRICE_FIELDS:
        if name in changes:
            changes[name] = parse_money(changes[name], field=name, required=False)
    for name, limit in (("colour", codes.COLOUR_MAX), ("size", codes.SIZE_MAX)):
        if name in changes:
            changes[name] = " ".join(str(changes[name] or "").split())
            if len(changes[name]) > limit:
                raise BusinessError(_("最多 %(n)s 个字") % {"n": limit}, field=name)
    if "weight_g" in changes:
        changes["weight_g"] = parse_weight(changes["weight_g"])
    changed = apply_changes(sku, changes, SKU_FIELDS)
    if not changed:
        return sku
    if set(changed) & set(PRICE_FIELDS):
        require_perm(user, PRICE_PERM)
    if {"colour", "size"} & set(changed) and SKU.objects.filter(
        style_id=sku.style_id, colour=sku.colour, size=sku.size
    ).exclude(pk=sku.pk).exists():
        raise BusinessError(_("该款号下已有相同颜色和尺码的 SKU"), field="colour", code="duplicate")
    save_checked(sku, user=user, reason=reason, duplicate=DUPLICATE)
    return sku


# --- platform SKU codes --------------------------------------------------------------------------


def _platform_code(value) -> str:
    code = str(value or "").strip()
    if not code:
        raise BusinessError(_("平台SKU编码不能为空"), field="codes")
    if len(code) > 64 or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in code):
        raise BusinessError(_("平台SKU编码 %(code)s 格式不正确（最多 64 个字符，不含空白）") % {"code": code[:64]},
                            field="codes")
    return code


@transaction.atomic
def set_platform_codes(sku: SKU, store: Store, platform_codes: Iterable[str], *, user) -> list[PlatformSKU]:
    """The platform SKU codes of ``sku`` in ``store`` become exactly ``platform_codes`` (CAT-04): the
    order import matches (store, code) to the SKU, so a code is unique within its store, and the store
    must belong to the SKU's client."""
    require_perm(user, "catalog.change_platformsku")
    scope = scope_for(user)
    if not scope.sees_client(sku.client_id):
        raise NotAllowed(_("您无权修改该委托方的商品"))
    if not scope.sees_store(store.pk):
        raise BusinessError(_("店铺不存在"), field="store", code="not_found")
    if store.client_id != sku.client_id:
        raise BusinessError(_("店铺 %(store)s 不属于该 SKU 的委托方") % {"store": store.code}, field="store")
    wanted = list(dict.fromkeys(_platform_code(c) for c in platform_codes))
    clash = (PlatformSKU.objects.filter(store=store, platform_sku_code__in=wanted).exclude(sku=sku)
             .select_related("sku").first())
    if clash is not None:
        raise BusinessError(
            _("平台SKU编码 %(code)s 在店铺 %(store)s 已对应 SKU %(sku)s")
            % {"code": clash.platform_sku_code, "store": store.code, "sku": clash.sku.sku_code},
            field="codes", code="duplicate",
        )
    current = {p.platform_sku_code: p for p in PlatformSKU.objects.select_for_update().filter(store=store, sku=sku)}
    for code, record in current.items():
        if code not in wanted:
            delete_audited(record, user=user)
    for code in wanted:
        if code not in current:
            record = PlatformSKU(store=store, sku=sku, platform_sku_code=code)
            save_checked(record, user=user, duplicate=DUPLICATE)
    return list(PlatformSKU.objects.filter(store=store, sku=sku).order_by("platform_sku_code"))


# --- spreadsheet import (CAT-04) -----------------------------------------------------------------


def _history_attrs() -> dict:
    return {"ip_address": client_ip(current_request())}


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do)."""

    styles_created: int = 0
    styles_updated: int = 0
    styles_unchanged: int = 0
    skus_created: int = 0
    skus_updated: int = 0
    skus_unchanged: int = 0
    platform_codes_added: int = 0
    platform_codes_removed: int = 0
    rows: int = 0
    dry_run: bool = False
    created_sku_ids: list[int] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.styles_created or self.styles_updated or self.skus_created or self.skus_updated
                    or self.platform_codes_added or self.platform_codes_removed)


class ImportRejected(BusinessError):
    """The file has errors; nothing was written. ``errors`` lists each with row, column and reason."""

    code = "import_rejected"

    def __init__(self, errors: list):
        self.errors = errors
        super().__init__(_("导入文件有 %(n)s 处错误，未导入任何数据") % {"n": len(errors)}, field="file")


def import_products(*, user, client: Client, table, dry_run: bool = False, reason: str = "") -> ImportResult:
    """Import styles, SKUs and platform SKU codes of one client from a spreadsheet (CAT-04).

    All rows are checked first; if any is wrong, ``ImportRejected`` lists every error and nothing is
    written. Otherwise styles are matched on (client, 款号) and SKUs on (client, SKU编码) — or on colour
    and size within the style when the code is left empty — and only what differs is written, in bulk
    and in one transaction, each write with its history row. Importing the same file twice changes
    nothing the second time."""
    from .importing import build_plan

    require_perm(user, "catalog.add_style")
    require_perm(user, "catalog.change_style")
    check_client(user, client)
    with transaction.atomic():
        plan = build_plan(user=user, client=client, table=table, for_update=not dry_run)
        if plan.errors:
            raise ImportRejected(plan.errors)
        result = plan.summary(dry_run=dry_run)
        if dry_run:
            return result
        try:
            _write_plan(plan, user=user, reason=reason or _("批量导入"), result=result)
        except IntegrityError:
            raise Conflict(_("导入时数据已被他人修改（编码或条码冲突），未导入任何数据，请重试")) from None
    return result


def _write_plan(plan, *, user, reason: str, result: ImportResult) -> None:
    now = timezone.now()
    attrs = _history_attrs()
    common = {"default_user": user, "default_change_reason": reason[:100], "custom_historical_attrs": attrs}
    with transaction.atomic():
        if plan.new_styles:
            bulk_create_with_history(plan.new_styles, Style, batch_size=BATCH, **common)
        if plan.changed_styles:
            for style in plan.changed_styles:
                style.updated_at = now
            bulk_update_with_history(plan.changed_styles, Style, plan.STYLE_UPDATE_FIELDS, batch_size=BATCH,
                                     **common)
        for sku in plan.new_skus:
            sku.style_id = sku.style.pk
        missing = [sku for sku in plan.new_skus if not sku.barcode]
        for sku, code in zip(missing, allocate_internal_barcodes(len(missing), taken=plan.file_barcodes),
                             strict=True):
            sku.barcode, sku.barcode_source = code, BarcodeSource.INTERNAL_EAN13
        if plan.new_skus:
            bulk_create_with_history(plan.new_skus, SKU, batch_size=BATCH, **common)
            result.created_sku_ids = [sku.pk for sku in plan.new_skus]
        if plan.changed_skus:
            for sku in plan.changed_skus:
                sku.updated_at = now
            bulk_update_with_history(plan.changed_skus, SKU, plan.SKU_UPDATE_FIELDS, batch_size=BATCH, **common)
        if plan.removed_platform_codes:
            for record in plan.removed_platform_codes:  # few: a code replaced now and then
                delete_audited(record, user=user, reason=reason)
        if plan.new_platform_codes:
            for record in plan.new_platform_codes:
                record.sku_id = record.sku.pk
            bulk_create_with_history(plan.new_platform_codes, PlatformSKU, batch_size=BATCH, **common)



"""Reading a product spreadsheet into a plan of writes (CAT-04), without writing anything.

The file has one row per SKU (a SKU listed in several stores may repeat on one row per store, each
with that store's platform SKU code). ``build_plan`` checks every row — the cells, the rows against
each other, and the rows against the database — and either returns every error (row number, column
header, reason in Chinese) or the exact set of records to create and update. ``actions.import_products``
writes the plan; ``queries.export_rows`` writes the same columns back out, so export → import is a
round trip that changes nothing.

Rules a person can rely on:
- styles are matched on (委托方, 款号), SKUs on (委托方, SKU编码) or, without a code, on colour and size
  within the style; nothing is ever deleted except platform SKU codes replaced for a (SKU, store) pair
  the file lists;
- an optional column left out of the file leaves that field as it is; a column present with an empty
  cell empties it (brand, category) or gives the default (主推款 = 否, 退货类别 = 支持七天无理由退货);
- an empty 条码 keeps the SKU's barcode, or generates an in-store EAN-13 for a new SKU; an empty
  SKU编码 generates ``{款号}-{颜色}-{尺码}``;
- prices: the style keeps its price while any of its SKUs still sells at it; SKUs whose price differs
  carry their own; only SKUs whose price actually changes are written.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from ecomops.org.models import Store
from ecomops.org.scoping import scope_for

from . import barcodes, codes
from .actions import ImportResult, chunks, unique_codes
from .enums import BarcodeSource, ReturnClass, StyleState
from .models import SKU, Brand, Category, PlatformSKU, Style
from .sheets import Table


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    note: str = ""


# The template's columns, in order. Headers are Chinese in every language of the interface: the file
# is a business document, and the same file must import whoever opens it.
COLUMNS = (
    Column("style_no", "款号", True, "必填。字母、数字和 - _ . / + #，最多 40 个字符"),
    Column("name", "商品名称", True, "必填。同一款号各行须一致"),
    Column("brand", "品牌", False, "品牌名称，须已在系统中建立；可留空"),
    Column("category", "类目", False, "类目编码或名称（名称重复时用编码）；可留空"),
    Column("colour", "颜色", False, "可留空（无颜色的商品）"),
    Column("size", "尺码", False, "可留空（无尺码的商品）"),
    Column("sku_code", "SKU编码", False, "留空则按“款号-颜色-尺码”生成"),
    Column("barcode", "条码", False, "EAN-13/UPC 校验位须正确；其他内部码用字母数字；留空则自动生成店内码"),
    Column("unit_cost", "成本价", True, "必填，单位元，最多两位小数"),
    Column("price", "销售价", True, "必填，单位元，最多两位小数"),
    Column("is_hero", "主推款", False, "是 / 否（主推组按 WMS-14 补货）"),
    Column("return_class", "退货类别", False,
           "支持七天无理由退货 / 不支持七天无理由退货 / 经买家确认不支持七天无理由退货（LAW-01），默认支持"),
    Column("platform_sku_code", "平台SKU编码", False, "平台给该 SKU 的编码；须同时填写店铺编码"),
    Column("store_code", "店铺编码", False, "平台SKU编码所属店铺的编码；同一 SKU 可在多行列出不同店铺"),
)
BY_KEY = {c.key: c for c in COLUMNS}
HEADER_NAMES = {c.header: c.key for c in COLUMNS} | {c.key: c.key for c in COLUMNS}
STYLE_COLUMNS = ("name", "brand", "category", "is_hero", "return_class")
SKU_COLUMNS = ("style_no", "colour", "size", "barcode", "unit_cost", "price")

# Values as they appear in the file: fixed Chinese words (not translated), plus codes and English.
YES = {"是", "主推", "y", "yes", "true", "t", "1", "√"}
NO = {"", "否", "n", "no", "false", "f", "0", "×"}
RETURN_LABELS = {
    ReturnClass.ALLOWED: "支持七天无理由退货",
    ReturnClass.EXCLUDED: "不支持七天无理由退货",
    ReturnClass.EXCLUDED_WITH_CONFIRMATION: "经买家确认不支持七天无理由退货",
}
RETURN_WORDS = {
    **{label: value for value, label in RETURN_LABELS.items()},
    **{value.value: value for value in ReturnClass},
    "支持": ReturnClass.ALLOWED, "允许": ReturnClass.ALLOWED, "可退": ReturnClass.ALLOWED,
    "不支持": ReturnClass.EXCLUDED, "不可退": ReturnClass.EXCLUDED,
    "确认后不支持": ReturnClass.EXCLUDED_WITH_CONFIRMATION, "需确认": ReturnClass.EXCLUDED_WITH_CONFIRMATION,
    "经确认不支持": ReturnClass.EXCLUDED_WITH_CONFIRMATION,
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MONEY_NOISE = re.compile(r"[¥￥,，\s元]")
CENT = Decimal("0.01")
MONEY_LIMIT = Decimal("10000000000")


@dataclass
class RowError:
    row: int | None
    column: str
    message: str
    value: str = ""

    def __str__(self) -> str:
        where = _("第 %(row)s 行") % {"row": self.row} if self.row else _("表头")
        return f"{where}，{self.column}：{self.message}" if self.column else f"{where}：{self.message}"


class Row:
    """One data row, its cells checked and converted."""

    __slots__ = ("number", "style_no", "name", "brand", "category", "colour", "size", "sku_code", "barcode",
                 "barcode_source", "unit_cost", "price", "is_hero", "return_class", "platform_sku_code",
                 "store_code", "ok")

    def __init__(self, number: int):
        self.number = number
        self.ok = True

    @property
    def variant(self) -> tuple[str, str, str]:
        return (self.style_no, self.colour, self.size)

    @property
    def sku_key(self) -> tuple:
        return ("code", self.sku_code) if self.sku_code else ("variant", *self.variant)


@dataclass
class Plan:
    STYLE_UPDATE_FIELDS = ["name", "brand", "category", "is_hero", "return_class", "unit_cost", "price",
                           "updated_at"]
    SKU_UPDATE_FIELDS = ["colour", "size", "barcode", "barcode_source", "unit_cost", "price", "updated_at"]

    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    new_styles: list[Style] = field(default_factory=list)
    changed_styles: list[Style] = field(default_factory=list)
    unchanged_styles: int = 0
    new_skus: list[SKU] = field(default_factory=list)
    changed_skus: list[SKU] = field(default_factory=list)
    unchanged_skus: int = 0
    new_platform_codes: list[PlatformSKU] = field(default_factory=list)
    removed_platform_codes: list[PlatformSKU] = field(default_factory=list)
    file_barcodes: set[str] = field(default_factory=set)

    def error(self, row: int | None, key: str, message: str, value: str = "") -> None:
        self.errors.append(RowError(row, BY_KEY[key].header if key in BY_KEY else key, message, value))

    def summary(self, *, dry_run: bool = False) -> ImportResult:
        return ImportResult(
            styles_created=len(self.new_styles), styles_updated=len(self.changed_styles),
            styles_unchanged=self.unchanged_styles, skus_created=len(self.new_skus),
            skus_updated=len(self.changed_skus), skus_unchanged=self.unchanged_skus,
            platform_codes_added=len(self.new_platform_codes),
            platform_codes_removed=len(self.removed_platform_codes), rows=self.rows, dry_run=dry_run,
        )


# --- cells -----------------------------------------------------------------------------------------


def parse_money(text: str) -> Decimal:
    cleaned = _MONEY_NOISE.sub("", text)
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(_("不是有效的金额")) from None
    if not amount.is_finite():
        raise ValueError(_("不是有效的金额"))
    if amount < 0:
        raise ValueError(_("不能为负数"))
    if amount != amount.quantize(CENT):
        raise ValueError(_("最多两位小数（精确到分）"))
    if amount >= MONEY_LIMIT:
        raise ValueError(_("金额过大"))
    return amount.quantize(CENT)


def _text(plan: Plan, row: Row, key: str, value: str, limit: int) -> str:
    value = " ".join(value.split())
    if _CONTROL.search(value):
        plan.error(row.number, key, _("不能包含控制字符"), value)
        row.ok = False
    elif len(value) > limit:
        plan.error(row.number, key, _("最多 %(n)s 个字符") % {"n": limit}, value)
        row.ok = False
    return value


def _parse_row(plan: Plan, number: int, cells: dict[str, str], present: set[str]) -> Row:
    row = Row(number)
    get = cells.get
    for key in ("style_no", "name", "unit_cost", "price"):
        if not get(key, ""):
            plan.error(number, key, _("必填"))
            row.ok = False
    row.style_no = get("style_no", "")
    if row.style_no:
        if len(row.style_no) > codes.STYLE_NO_MAX:
            plan.error(number, "style_no", _("最多 %(n)s 个字符") % {"n": codes.STYLE_NO_MAX}, row.style_no)
            row.ok = False
        elif not codes.is_code(row.style_no):
            plan.error(number, "style_no", _("只能包含字母、数字和 - _ . / + #，且须以字母或数字开头"), row.style_no)
            row.ok = False
    row.name = _text(plan, row, "name", get("name", ""), 120)
    row.brand = _text(plan, row, "brand", get("brand", ""), 60)
    row.category = _text(plan, row, "category", get("category", ""), 100)
    row.colour = _text(plan, row, "colour", get("colour", ""), codes.COLOUR_MAX)
    row.size = _text(plan, row, "size", get("size", ""), codes.SIZE_MAX)
    row.sku_code = get("sku_code", "")
    if row.sku_code and (len(row.sku_code) > codes.SKU_CODE_MAX or not codes.is_code(row.sku_code)):
        plan.error(number, "sku_code", _("只能包含字母、数字和 - _ . / + #（以字母或数字开头），最多 %(n)s 个字符")
                   % {"n": codes.SKU_CODE_MAX}, row.sku_code)
        row.ok = False
    row.barcode, row.barcode_source = get("barcode", ""), ""
    if row.barcode:
        try:
            row.barcode_source, row.barcode = barcodes.classify(row.barcode)
        except barcodes.BarcodeError as error:
            plan.error(number, "barcode", str(error), row.barcode)
            row.ok = False
    row.unit_cost = row.price = None
    for key in ("unit_cost", "price"):
        text = get(key, "")
        if text:
            try:
                setattr(row, key, parse_money(text))
            except ValueError as error:
                plan.error(number, key, str(error), text)
                row.ok = False
    hero = get("is_hero", "").lower()
    row.is_hero = hero in YES
    if hero not in YES and hero not in NO:
        plan.error(number, "is_hero", _("请填写“是”或“否”"), get("is_hero", ""))
        row.ok = False
    text = get("return_class", "")
    row.return_class = RETURN_WORDS.get(text, RETURN_WORDS.get(text.lower())) if text else ReturnClass.ALLOWED
    if row.return_class is None:
        plan.error(number, "return_class", _("应为：%(choices)s") % {"choices": " / ".join(RETURN_LABELS.values())},
                   text)
        row.ok = False
    row.platform_sku_code = get("platform_sku_code", "")
    row.store_code = get("store_code", "")
    if row.platform_sku_code:
        if len(row.platform_sku_code) > 64 or any(ch.isspace() or ord(ch) < 32 for ch in row.platform_sku_code):
            plan.error(number, "platform_sku_code", _("最多 64 个字符，且不能包含空白"), row.platform_sku_code)
            row.ok = False
        if not row.store_code:
            plan.error(number, "store_code", _("填写了平台SKU编码时须填写店铺编码"))
            row.ok = False
    elif row.store_code:
        plan.error(number, "platform_sku_code", _("填写了店铺编码时须填写平台SKU编码"))
        row.ok = False
    return row


def _headers(plan: Plan, table: Table) -> dict[int, str] | None:
    mapping: dict[int, str] = {}
    seen: dict[str, int] = {}
    for index, header in enumerate(table.headers):
        key = HEADER_NAMES.get(header) or HEADER_NAMES.get(header.lower())
        if key is None:
            continue  # a column of the user's own (notes …) is ignored
        if key in seen:
            plan.error(None, key, _("表头重复"))
            continue
        seen[key] = index
        mapping[index] = key
    for column in COLUMNS:
        if column.required and column.key not in seen:
            plan.error(None, column.key, _("缺少必填列“%(header)s”（请使用导入模板）") % {"header": column.header})
    if ("platform_sku_code" in seen) != ("store_code" in seen):
        plan.error(None, "store_code", _("平台SKU编码和店铺编码两列须同时存在"))
    return None if plan.errors else mapping


# --- the file against itself ---------------------------------------------------------------------


def _check_file(plan: Plan, rows: list[Row], present: set[str]) -> None:
    first_of_style: dict[str, Row] = {}
    for row in rows:
        first = first_of_style.setdefault(row.style_no, row)
        if first is row:
            continue
        for key in STYLE_COLUMNS:
            if key in present and getattr(row, key) != getattr(first, key):
                plan.error(row.number, key, _("同一款号 %(no)s 在第 %(row)s 行为“%(value)s”，本行不一致")
                           % {"no": row.style_no, "row": first.number, "value": _shown(key, getattr(first, key))},
                           _shown(key, getattr(row, key)))
                row.ok = False
    first_of_sku: dict[tuple, Row] = {}
    variant_owner: dict[tuple, Row] = {}
    barcode_owner: dict[str, Row] = {}
    platform_owner: dict[tuple[str, str], Row] = {}
    for row in rows:
        first = first_of_sku.setdefault(row.sku_key, row)
        if first is not row:
            clash = next((k for k in SKU_COLUMNS if getattr(row, k) != getattr(first, k)
                          and (k != "barcode" or (row.barcode and first.barcode))), None)
            if row.sku_code and clash in ("style_no", "colour", "size"):
                plan.error(row.number, "sku_code", _("SKU编码 %(code)s 与第 %(row)s 行重复")
                           % {"code": row.sku_code, "row": first.number}, row.sku_code)
                row.ok = False
                continue
            if clash is not None:
                plan.error(row.number, clash, _("与第 %(row)s 行同一 SKU 的%(header)s不一致")
                           % {"row": first.number, "header": BY_KEY[clash].header}, _shown(clash, getattr(row, clash)))
                row.ok = False
                continue
            if row.barcode and not first.barcode:
                first.barcode, first.barcode_source = row.barcode, row.barcode_source
            if not row.platform_sku_code or not first.platform_sku_code:
                what = row.sku_code or " / ".join(v for v in row.variant if v)
                plan.error(row.number, "sku_code" if row.sku_code else "style_no",
                           _("SKU %(sku)s 与第 %(row)s 行重复（同一 SKU 只能在多行中列出不同的平台SKU编码）")
                           % {"sku": what, "row": first.number}, what)
                row.ok = False
                continue
        owner = variant_owner.setdefault(row.variant, row)
        if owner.sku_key != row.sku_key:
            plan.error(row.number, "colour" if row.colour else "style_no",
                       _("款号 %(no)s 的颜色“%(colour)s”、尺码“%(size)s”与第 %(row)s 行重复")
                       % {"no": row.style_no, "colour": row.colour, "size": row.size, "row": owner.number})
            row.ok = False
        if row.barcode:
            owner = barcode_owner.setdefault(row.barcode, row)
            if owner.sku_key != row.sku_key:
                plan.error(row.number, "barcode", _("条码 %(code)s 与第 %(row)s 行重复")
                           % {"code": row.barcode, "row": owner.number}, row.barcode)
                row.ok = False
        if row.platform_sku_code:
            key = (row.store_code, row.platform_sku_code)
            owner = platform_owner.setdefault(key, row)
            if owner is not row:
                plan.error(row.number, "platform_sku_code",
                           _("店铺 %(store)s 的平台SKU编码 %(code)s 与第 %(row)s 行重复")
                           % {"store": row.store_code, "code": row.platform_sku_code, "row": owner.number},
                           row.platform_sku_code)
                row.ok = False


def _shown(key: str, value) -> str:
    if key == "is_hero":
        return "是" if value else "否"
    if key == "return_class":
        return RETURN_LABELS.get(value, str(value))
    return "" if value is None else str(value)


# --- the file against the database ---------------------------------------------------------------


class _Categories:
    def __init__(self):
        self.all = {c.pk: c for c in Category.objects.only("pk", "code", "name", "parent_id")}
        self.by_code = {c.code: c for c in self.all.values()}
        self.by_code_lower = {c.code.lower(): c for c in self.all.values()}
        names = Counter(c.name for c in self.all.values())
        self.by_name = {c.name: c for c in self.all.values() if names[c.name] == 1}
        self.ambiguous = {name for name, n in names.items() if n > 1}
        self.by_path = {}
        for category in self.all.values():
            chain, node, seen = [], category, set()
            while node is not None and node.pk not in seen:
                chain.append(node.name)
                seen.add(node.pk)
                node = self.all.get(node.parent_id)
            self.by_path["/".join(reversed(chain))] = category

    def find(self, text: str) -> tuple[Category | None, str]:
        found = self.by_code.get(text) or self.by_code_lower.get(text.lower()) or self.by_name.get(text)
        if found is None:
            found = self.by_path.get(re.sub(r"\s*[/>›＞／]\s*", "/", text))
        if found is not None:
            return found, ""
        if text in self.ambiguous:
            return None, _("类目名称“%(name)s”不唯一，请填写类目编码或完整路径（如 服装/女装）") % {"name": text}
        return None, _("类目“%(name)s”不存在") % {"name": text}


def _existing(queryset, field_name: str, values, *, lock: bool = False):
    found = []
    values = sorted(set(values))
    for batch in chunks(values):
        qs = queryset.filter(**{f"{field_name}__in": batch})
        if lock:
            qs = qs.select_for_update()
        found.extend(qs)
    return found


def build_plan(*, user, client, table: Table, for_update: bool = False) -> Plan:
    plan = Plan()
    mapping = _headers(plan, table)
    if mapping is None:
        return plan
    present = set(mapping.values())
    rows: list[Row] = []
    for number, cells in table.rows:
        values = {key: cells[index] if index < len(cells) else "" for index, key in mapping.items()}
        if not any(values.values()):
            continue
        rows.append(_parse_row(plan, number, values, present))
    plan.rows = len(rows)
    if not rows and not plan.errors:
        plan.error(None, "", _("文件中没有商品数据"))
        return plan
    good = [r for r in rows if r.ok]
    _check_file(plan, good, present)
    good = [r for r in good if r.ok]
    _plan_against_database(plan, user=user, client=client, rows=good, present=present, lock=for_update)
    plan.errors.sort(key=lambda e: (e.row or 0, _column_order(e.column)))
    return plan


def _column_order(header: str) -> int:
    return next((i for i, c in enumerate(COLUMNS) if c.header == header), len(COLUMNS))


@dataclass
class _References:
    """The reference data the rows name: categories (shared), the client's brands, the stores."""

    categories: _Categories | None
    brands: dict
    stores: dict[str, Store]

    @classmethod
    def load(cls, *, client, rows: list[Row], present: set[str]) -> _References:
        categories = _Categories() if "category" in present else None
        brands = {}
        for brand in Brand.objects.filter(client=client):
            brands.setdefault(brand.name, brand)
            if brand.name_en:
                brands.setdefault(brand.name_en.lower(), brand)
        store_codes = {r.store_code for r in rows if r.store_code}
        stores = {s.code: s for s in Store.objects.filter(code__in=store_codes)} if store_codes else {}
        return cls(categories, brands, stores)


@dataclass
class _Current:
    """The styles and SKUs the file names, as they are now (locked while importing)."""

    styles: dict[str, Style]
    skus_by_style: dict[int, list[SKU]]
    by_code: dict[str, SKU]
    by_barcode: dict[str, SKU]
    style_no_of: dict[int, str]

    @classmethod
    def load(cls, *, client, rows: list[Row], style_nos, barcodes_: set[str], lock: bool) -> _Current:
        styles = {s.style_no: s for s in _existing(Style.objects.filter(client=client), "style_no", style_nos,
                                                   lock=lock)}
        skus_by_style: dict[int, list[SKU]] = defaultdict(list)
        for sku in _existing(SKU.objects.filter(client=client), "style_id", [s.pk for s in styles.values()],
                             lock=lock):
            skus_by_style[sku.style_id].append(sku)
        for group in skus_by_style.values():
            group.sort(key=lambda s: s.pk)
        file_codes = {r.sku_code for r in rows if r.sku_code}
        by_code = {s.sku_code: s for group in skus_by_style.values() for s in group}
        for sku in _existing(SKU.objects.filter(client=client), "sku_code", file_codes - set(by_code)):
            by_code[sku.sku_code] = sku
        by_barcode = {s.barcode: s for s in _existing(SKU.objects.filter(client=client), "barcode", barcodes_)}
        style_no_of = {s.pk: s.style_no for s in styles.values()}
        missing_style_ids = {s.style_id for s in by_code.values()} - set(style_no_of)
        if missing_style_ids:
            style_no_of.update(Style.objects.filter(pk__in=missing_style_ids).values_list("pk", "style_no"))
        return cls(styles, skus_by_style, by_code, by_barcode, style_no_of)


@dataclass
class _StylePlan:
    """What planning the styles hands to planning the SKUs."""

    objects: dict[str, Style] = field(default_factory=dict)
    old_prices: dict[str, tuple] = field(default_factory=dict)  # style number → (unit cost, price) before
    price_errors: set[int] = field(default_factory=set)  # rows already told they may not change prices


def _plan_against_database(plan: Plan, *, user, client, rows: list[Row], present: set[str], lock: bool) -> None:
    refs = _References.load(client=client, rows=rows, present=present)
    style_of = _check_references(plan, rows, refs, scope=scope_for(user), client=client)
    plan.file_barcodes = {r.barcode for r in rows if r.barcode}
    current = _Current.load(client=client, rows=rows, style_nos=style_of, barcodes_=plan.file_barcodes, lock=lock)
    sku_rows = {}
    for row in rows:
        if row.ok:
            sku_rows.setdefault(row.sku_key, row)
    matched = _match_skus(plan, sku_rows, current)
    if any(not r.ok for r in rows):
        return  # the errors are what the person needs now; the plan below would be thrown away
    # Prices need the price right when they change an existing style or SKU (CAT-07).
    may_change_price = user.has_perm("catalog.change_style_price")
    styles = _plan_styles(plan, client=client, style_of=style_of, sku_rows=sku_rows, matched=matched,
                          current=current, refs=refs, present=present, may_change_price=may_change_price)
    _plan_skus(plan, client=client, sku_rows=sku_rows, matched=matched, current=current, styles=styles,
               may_change_price=may_change_price)
    _plan_platform_codes(plan, rows, matched, refs.stores)


# --- resolving references ---


def _check_references(plan: Plan, rows: list[Row], refs: _References, *, scope, client) -> dict[str, Row]:
    """Check each row's category, brand and store; return the first row of each style."""
    style_of: dict[str, Row] = {}
    for row in rows:
        _check_row_references(plan, row, refs, scope=scope, client=client)
        style_of.setdefault(row.style_no, row)
    return style_of


def _check_row_references(plan: Plan, row: Row, refs: _References, *, scope, client) -> None:
    if row.category and refs.categories is not None:
        category, message = refs.categories.find(row.category)
        if category is None:
            plan.error(row.number, "category", message, row.category)
            row.ok = False
    if row.brand and row.brand not in refs.brands and row.brand.lower() not in refs.brands:
        plan.error(row.number, "brand", _("品牌“%(name)s”不存在，请先为该委托方建立品牌") % {"name": row.brand},
                   row.brand)
        row.ok = False
    if row.store_code:
        store = refs.stores.get(row.store_code)
        if store is None or not scope.sees_store(store.pk):
            plan.error(row.number, "store_code", _("店铺“%(code)s”不存在") % {"code": row.store_code},
                       row.store_code)
            row.ok = False
        elif store.client_id != client.pk:
            plan.error(row.number, "store_code", _("店铺“%(code)s”不属于委托方 %(client)s")
                       % {"code": row.store_code, "client": client.name}, row.store_code)
            row.ok = False


def _match_skus(plan: Plan, sku_rows: dict[tuple, Row], current: _Current) -> dict[tuple, SKU | None]:
    """Match each SKU of the file to the SKU it updates, if any (``None``: a new SKU)."""
    matched: dict[tuple, SKU | None] = {}
    claimed: dict[int, Row] = {}
    for key, row in sku_rows.items():
        found = _match_sku(plan, row, current, claimed)
        if row.ok:
            matched[key] = found
    return matched


def _match_sku(plan: Plan, row: Row, current: _Current, claimed: dict[int, Row]) -> SKU | None:
    """The existing SKU ``row`` updates; on a conflict, an error and ``row.ok`` false."""
    style = current.styles.get(row.style_no)
    variants = {(s.colour, s.size): s for s in current.skus_by_style.get(style.pk, [])} if style else {}
    if row.sku_code:
        sku = current.by_code.get(row.sku_code)
        if sku is not None and (style is None or sku.style_id != style.pk):
            plan.error(row.number, "sku_code", _("SKU编码 %(code)s 已属于款号 %(no)s，不能改到其他款号")
                       % {"code": row.sku_code, "no": current.style_no_of.get(sku.style_id, "?")}, row.sku_code)
            row.ok = False
            return None
        other = variants.get((row.colour, row.size))
        if other is not None and other is not sku:
            plan.error(row.number, "sku_code",
                       _("款号 %(no)s 下颜色“%(colour)s”、尺码“%(size)s”已有 SKU（编码 %(code)s）")
                       % {"no": row.style_no, "colour": row.colour, "size": row.size, "code": other.sku_code},
                       row.sku_code)
            row.ok = False
            return None
    else:
        sku = variants.get((row.colour, row.size))
    if sku is not None:
        if sku.pk in claimed:
            plan.error(row.number, "sku_code", _("与第 %(row)s 行是同一个 SKU") % {"row": claimed[sku.pk].number})
            row.ok = False
            return None
        claimed[sku.pk] = row
    if row.barcode:
        owner = current.by_barcode.get(row.barcode)
        if owner is not None and owner.pk != getattr(sku, "pk", None):
            plan.error(row.number, "barcode", _("条码 %(code)s 已用于 SKU %(sku)s")
                       % {"code": row.barcode, "sku": owner.sku_code}, row.barcode)
            row.ok = False
            return None
    return sku


# --- planning the writes ---


def _plan_styles(plan: Plan, *, client, style_of: dict[str, Row], sku_rows: dict[tuple, Row], matched: dict,
                 current: _Current, refs: _References, present: set[str], may_change_price: bool) -> _StylePlan:
    """Styles: create, update, or leave."""
    rows_of_style: dict[str, list[Row]] = defaultdict(list)
    for row in sku_rows.values():
        rows_of_style[row.style_no].append(row)
    out = _StylePlan()
    for style_no, first in style_of.items():
        style = current.styles.get(style_no)
        fields = _style_fields(first, style, rows_of_style[style_no], matched=matched, current=current, refs=refs,
                               present=present)
        if style is None:
            style = Style(client=client, style_no=style_no, status=StyleState.ACTIVE, attributes={}, **fields)
            plan.new_styles.append(style)
        else:
            changed = [n for n, v in fields.items() if _differs(getattr(style, n), v)]
            if set(changed) & {"unit_cost", "price"} and not may_change_price:
                plan.error(first.number, "price", _("您没有修改成本价或销售价的权限"))
                out.price_errors.add(first.number)
            if changed:
                out.old_prices[style_no] = (style.unit_cost, style.price)
                for n in changed:
                    setattr(style, n, fields[n])
                plan.changed_styles.append(style)
            else:
                plan.unchanged_styles += 1
        out.objects[style_no] = style
    return out


def _style_fields(first: Row, style: Style | None, group: list[Row], *, matched: dict, current: _Current,
                  refs: _References, present: set[str]) -> dict:
    """The values the style should have after the import (its first row speaks for it)."""
    fields = {"name": first.name}
    fields["brand"] = _brand(refs.brands, first.brand) if "brand" in present else (style.brand if style else None)
    if refs.categories:
        fields["category"] = refs.categories.find(first.category)[0] if first.category else None
    else:
        fields["category"] = style.category if style else None
    fields.update(_style_prices(style, group, matched=matched, current=current))
    if "is_hero" in present or style is None:
        fields["is_hero"] = first.is_hero
    if "return_class" in present or style is None:
        fields["return_class"] = first.return_class
    return fields


def _style_prices(style: Style | None, group: list[Row], *, matched: dict, current: _Current) -> dict:
    """The style keeps its price while any of its SKUs still sells at it; else the file's most frequent."""
    existing_skus = current.skus_by_style.get(style.pk, []) if style else []
    in_file = {matched[r.sku_key].pk for r in group if matched.get(r.sku_key) is not None}
    values = {}
    for name in ("unit_cost", "price"):
        desired = [getattr(r, name) for r in group]
        kept = [(s.unit_cost if name == "unit_cost" else s.price) for s in existing_skus if s.pk not in in_file]
        now = getattr(style, name) if style else None
        everything = desired + [v if v is not None else now for v in kept]
        values[name] = now if now is not None and now in everything else _mode(desired)
    return values


def _plan_skus(plan: Plan, *, client, sku_rows: dict[tuple, Row], matched: dict, current: _Current,
               styles: _StylePlan, may_change_price: bool) -> None:
    """SKUs: create, update, or leave. New SKUs are added to ``matched``."""
    generated = _generated_codes(sku_rows, matched, styles.objects, current.skus_by_style, client)
    for key, row in sku_rows.items():
        style = styles.objects[row.style_no]
        sku = matched.get(key)
        if sku is None:
            sku = SKU(client=client, style=style, colour=row.colour, size=row.size,
                      sku_code=row.sku_code or generated[key], barcode=row.barcode,
                      barcode_source=row.barcode_source or BarcodeSource.INTERNAL_EAN13,
                      unit_cost=None if row.unit_cost == style.unit_cost else row.unit_cost,
                      price=None if row.price == style.price else row.price)
            plan.new_skus.append(sku)
            matched[key] = sku
        elif _update_sku(plan, sku, row, style, styles, may_change_price=may_change_price):
            plan.changed_skus.append(sku)
        else:
            plan.unchanged_skus += 1


def _update_sku(plan: Plan, sku: SKU, row: Row, style: Style, styles: _StylePlan, *, may_change_price: bool) -> bool:
    """Set the row's values on an existing SKU; whether anything changed."""
    old_style_prices = styles.old_prices.get(row.style_no, (style.unit_cost, style.price))
    changed = False
    for name in ("colour", "size"):
        if getattr(sku, name) != getattr(row, name):
            setattr(sku, name, getattr(row, name))
            changed = True
    if row.barcode and row.barcode != sku.barcode:
        sku.barcode, sku.barcode_source = row.barcode, row.barcode_source
        changed = True
    for index, name in enumerate(("unit_cost", "price")):
        desired, override, new_style_value = getattr(row, name), getattr(sku, name), getattr(style, name)
        if (override if override is not None else new_style_value) == desired:
            continue
        old_effective = override if override is not None else old_style_prices[index]
        if old_effective != desired and not may_change_price and row.number not in styles.price_errors:
            plan.error(row.number, name, _("您没有修改成本价或销售价的权限"))
            styles.price_errors.add(row.number)
        setattr(sku, name, None if desired == new_style_value else desired)
        changed = True
    return changed


def _brand(brands: dict, name: str):
    if not name:
        return None
    return brands.get(name) or brands.get(name.lower())


def _differs(old, new) -> bool:
    if hasattr(old, "pk") or hasattr(new, "pk"):
        return getattr(old, "pk", None) != getattr(new, "pk", None)
    return old != new


def _mode(values: list[Decimal]) -> Decimal:
    """The most frequent value; on a tie, the one that comes first in the file."""
    counts = Counter(values)
    best = max(counts.values())
    return next(v for v in values if counts[v] == best)


def _generated_codes(sku_rows, matched, style_objects, skus_by_style, client) -> dict[tuple, str]:
    """SKU codes for new SKUs without one: ``{款号}-{颜色}-{尺码}``, unique within the client."""
    wanted: dict[tuple, str] = {}
    colours_of: dict[str, list[str]] = {}
    sizes_of: dict[str, list[str]] = {}
    for row in sku_rows.values():
        style = style_objects[row.style_no]
        existing = skus_by_style.get(style.pk, []) if style.pk else []
        if row.style_no not in colours_of:
            colours_of[row.style_no] = [s.colour for s in existing]
            sizes_of[row.style_no] = [s.size for s in existing]
        colours_of[row.style_no].append(row.colour)
        sizes_of[row.style_no].append(row.size)
    for key, row in sku_rows.items():
        if matched.get(key) is not None or row.sku_code:
            continue
        colours = list(dict.fromkeys(colours_of[row.style_no]))
        sizes = list(dict.fromkeys(sizes_of[row.style_no]))
        wanted[key] = codes.sku_code_for(row.style_no, row.colour, row.size,
                                         colour_index=colours.index(row.colour) + 1,
                                         size_index=sizes.index(row.size) + 1)
    if not wanted:
        return {}
    taken = {r.sku_code for r in sku_rows.values() if r.sku_code}
    taken.update(s.sku_code for group in skus_by_style.values() for s in group)
    candidates = set(wanted.values())
    for batch in chunks(sorted(candidates | {f"{c}-{n}" for c in candidates for n in range(2, 4)})):
        taken.update(SKU.objects.filter(client=client, sku_code__in=batch).values_list("sku_code", flat=True))
    keys = list(wanted)
    codes_out = unique_codes([wanted[k] for k in keys], taken)
    return dict(zip(keys, codes_out, strict=True))


def _plan_platform_codes(plan: Plan, rows: list[Row], matched: dict, stores: dict) -> None:
    """For each (SKU, store) the file lists, its platform codes become those of the file."""
    wanted: dict[tuple, set[str]] = defaultdict(set)
    first_row: dict[tuple, Row] = {}
    sku_by_id: dict[int, SKU] = {}
    for row in rows:
        if not row.platform_sku_code:
            continue
        sku = matched[row.sku_key]
        sku_by_id[id(sku)] = sku
        wanted[(id(sku), row.store_code)].add(row.platform_sku_code)
        first_row.setdefault((row.store_code, row.platform_sku_code), row)
    if not wanted:
        return
    store_ids = {stores[code].pk for _sku, code in wanted}
    # The codes the listed SKUs have now in those stores (plain values: thousands of rows).
    current: dict[tuple[int, int], list[tuple[int, str]]] = defaultdict(list)
    for batch in chunks([s.pk for s in sku_by_id.values() if s.pk]):
        for pk, sku_id, store_id, code in PlatformSKU.objects.filter(sku_id__in=batch, store_id__in=store_ids) \
                .values_list("pk", "sku_id", "store_id", "platform_sku_code"):
            current[(sku_id, store_id)].append((pk, code))
    removed: set[int] = set()
    for (key, store_code), codes_wanted in wanted.items():
        sku = sku_by_id[key]
        if sku.pk:
            removed.update(pk for pk, code in current.get((sku.pk, stores[store_code].pk), [])
                           if code not in codes_wanted)
    # Who holds each wanted code in its store now.
    holders: dict[tuple[int, str], tuple[int, int, str]] = {}
    by_store: dict[str, set[str]] = defaultdict(set)
    for (_key, store_code), codes_wanted in wanted.items():
        by_store[store_code].update(codes_wanted)
    for store_code, names in by_store.items():
        store = stores[store_code]
        for batch in chunks(sorted(names)):
            for pk, code, sku_id, sku_code in PlatformSKU.objects.filter(store=store, platform_sku_code__in=batch) \
                    .values_list("pk", "platform_sku_code", "sku_id", "sku__sku_code"):
                holders[(store.pk, code)] = (pk, sku_id, sku_code)
    for (key, store_code), codes_wanted in wanted.items():
        sku, store = sku_by_id[key], stores[store_code]
        for code in sorted(codes_wanted):
            holder = holders.get((store.pk, code))
            if holder is not None and holder[0] not in removed:
                if sku.pk and holder[1] == sku.pk:
                    continue  # already there
                row = first_row[(store_code, code)]
                plan.error(row.number, "platform_sku_code",
                           _("平台SKU编码 %(code)s 在店铺 %(store)s 已对应 SKU %(sku)s")
                           % {"code": code, "store": store_code, "sku": holder[2]}, code)
                continue
            plan.new_platform_codes.append(PlatformSKU(store=store, sku=sku, platform_sku_code=code))
    if removed:
        plan.removed_platform_codes = list(PlatformSKU.objects.filter(pk__in=sorted(removed)).order_by("pk"))


# --- files for people: the template and the error list ---------------------------------------------

TEXT_COLUMNS = tuple(i for i, c in enumerate(COLUMNS)
                     if c.key in ("style_no", "colour", "size", "sku_code", "barcode", "platform_sku_code",
                                  "store_code"))
WIDTHS = (14, 28, 12, 14, 10, 8, 20, 16, 10, 10, 8, 30, 18, 12)


def write_template(out) -> None:
    """The import template: the header row, one example row, and a sheet explaining every column."""
    from .sheets import write_xlsx

    example = ["D001", "真丝连衣裙", "", "", "黑色", "M", "", "", Decimal("120.00"), Decimal("399.00"), "否",
               RETURN_LABELS[ReturnClass.ALLOWED], "", ""]
    notes = [[c.header, "是" if c.required else "否", c.note] for c in COLUMNS]
    notes.append(["", "", "每行一个 SKU；同一款号的多个 SKU 各占一行，"
                          "款号级的列（商品名称、品牌、类目、主推款、退货类别）须一致。"])
    notes.append(["", "", "再次导入同一文件不会重复创建：按款号和 SKU编码更新已有商品，只有变化的记录会被修改。"])
    notes.append(["", "", "文件有任何错误时整批不导入，并列出每个错误的行号、列名和原因。示例行导入前请删除。"])
    write_xlsx(
        [
            ("商品", [c.header for c in COLUMNS], [example], {"text_columns": TEXT_COLUMNS, "widths": WIDTHS}),
            ("填写说明", ["列名", "必填", "说明"], notes, {"widths": (14, 8, 90), "wrap": True}),
        ],
        out,
    )


def write_errors(errors: list[RowError], out) -> None:
    """The errors of a rejected import as a spreadsheet: row, column, reason, value."""
    from .sheets import write_xlsx

    rows = ([e.row or "", e.column, e.message, e.value] for e in errors)
    write_xlsx([("错误", ["行号", "列", "错误原因", "单元格内容"], rows, {"widths": (8, 14, 70, 24)})], out)

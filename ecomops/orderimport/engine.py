"""The order import itself (ORD-02): map, check, group, upsert, in chunks that survive a crash.

1. The header is mapped to our fields through the job's ``ImportFormat``; a missing required
   column fails the job before anything is written.
2. Rows are grouped into orders by order number; a platform export lists an order's lines together,
   so a group is a run of consecutive rows (constant memory). An order number that comes back later
   in the same file is refused with the row where it was first imported.
3. Every row of a group is checked (numbers, amounts, dates, status texts, lengths, the receiver's
   phone). A bad row keeps its whole order out: the order's rows get an ``ImportRowError`` each, with
   column and reason, and nothing of that order is written. The good orders go on.
4. Every ``CHUNK`` orders are one transaction: new orders are bulk-inserted (with their lines,
   events, payment records and history rows), changed ones updated through the order rules with an
   event, unchanged ones (same content hash as last time) skipped without a write. The job's
   checkpoint moves in the same transaction, so after a crash the job resumes at the next order and
   nothing is imported twice; the (store, platform order number) key guarantees it anyway.
5. Lines are matched to SKUs by the store's platform SKU code, then the client's barcode, then its
   SKU code. An open order with an unmatched line is held in the exception queue with the reason.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.db import DataError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecomops.catalog.models import SKU, PlatformSKU
from ecomops.core import addresses
from ecomops.core.bulk import insert_history, insert_rows
from ecomops.core.crypto import DecryptionError
from ecomops.core.errors import BusinessError
from ecomops.core.flow import transition
from ecomops.orders import actions as order_actions
from ecomops.orders.enums import SHIPPED_OR_LATER, OrderEventKind, OrderState, PaymentMethod, PaymentState
from ecomops.orders.models import ADDRESS_MAX, NAME_MAX, PHONE_MAX, Order, OrderEvent, OrderLine, Payment
from ecomops.policy import registry

from . import files, reader
from .enums import FIELDS, JOB_FLOW, REQUIRED_FIELDS, JobState
from .models import ImportedOrder, ImportFormat, ImportJob, ImportRowError

log = logging.getLogger(__name__)

CHUNK = 500  # orders per transaction
FEN = Decimal("0.01")
SHANGHAI = ZoneInfo("Asia/Shanghai")
DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M",
                    "%Y年%m月%d日 %H:%M:%S", "%Y-%m-%d", "%Y/%m/%d",
                    # Real exports (ORD-02): no seconds, dots, a fraction of a second.
                    "%Y年%m月%d日 %H:%M", "%Y.%m.%d %H:%M:%S", "%Y.%m.%d %H:%M", "%Y/%m/%d %H:%M:%S.%f")
# The platform's word for an order's state → the state a new order starts in.
START_STATE = {
    "unpaid": OrderState.PLACED, "paid": OrderState.PAID, "shipped": OrderState.SHIPPED,
    "received": OrderState.RECEIVED, "completed": OrderState.COMPLETED, "cancelled": OrderState.CANCELLED,
}
OPEN_START = (OrderState.PLACED, OrderState.PAID)
FIELD_LABELS = {
    "order_no": gettext_lazy("平台订单号"), "sku_code": gettext_lazy("商品编码"),
    "quantity": gettext_lazy("购买数量"), "title": gettext_lazy("商品标题"), "unit_price": gettext_lazy("单价"),
    "line_amount": gettext_lazy("商品金额"), "paid_amount": gettext_lazy("实付金额"),
    "shipping_fee": gettext_lazy("运费"), "status": gettext_lazy("订单状态"), "placed_at": gettext_lazy("下单时间"),
    "paid_at": gettext_lazy("付款时间"), "buyer_nick": gettext_lazy("买家昵称"),
    "receiver_name": gettext_lazy("收货人"), "receiver_phone": gettext_lazy("联系手机"),
    "receiver_address": gettext_lazy("收货地址"), "province": gettext_lazy("省份"), "city": gettext_lazy("城市"),
    "district": gettext_lazy("区县"), "merchant_note": gettext_lazy("商家备注"),
    "buyer_message": gettext_lazy("买家留言"), "transaction_no": gettext_lazy("支付单号"),
    "platform_sku_id": gettext_lazy("平台SKU ID"), "goods_amount": gettext_lazy("商品总价"),
    "discount_amount": gettext_lazy("店铺优惠"),
    "close_reason": gettext_lazy("订单关闭原因"), "refund_amount": gettext_lazy("退款金额"),
    "closed_at": gettext_lazy("关闭时间"), "transaction_amount": gettext_lazy("支付单金额"),
    "attributes": gettext_lazy("商品属性"),
}
TEXT_LIMITS = {"order_no": 64, "sku_code": 64, "title": 200, "buyer_nick": 100, "receiver_name": NAME_MAX,
               "receiver_phone": PHONE_MAX, "receiver_address": ADDRESS_MAX, "province": 20, "city": 30,
               "district": 30, "merchant_note": 1000, "buyer_message": 1000, "transaction_no": 64,
               "platform_sku_id": 64, "close_reason": 190, "attributes": 300}
ORDER_LEVEL = ("buyer_nick", "receiver_name", "receiver_phone", "receiver_address", "province", "city", "district",
               "status", "placed_at", "paid_at", "paid_amount", "shipping_fee", "merchant_note", "buyer_message",
               "transaction_no")
# Order-level amounts of the file (ORD-02): taken from the first row of an order, or summed over its
# rows where the format says so (``ImportFormat.aggregate``, e.g. Douyin's per-子订单 应付金额).
ORDER_AMOUNTS = ("paid_amount", "shipping_fee", "goods_amount", "discount_amount")
# Money read from a file must fit the amount columns (12 digits, 2 of them decimals); a quantity the
# integer column; a time the years an order can have. Beyond these a cell is refused, never written.
MONEY_MAX = Decimal("9999999999.99")
PLATFORM_AMOUNTS = ("refund_amount", "transaction_amount")
QUANTITY_MAX = 2147483647
QUANTITY_TEXT = re.compile(r"\d{1,10}(?:\.0*)?")
YEARS = (1990, 2200)


class ImportFailed(Exception):
    """The file cannot be imported at all (wrong format, missing columns); nothing was written."""


# --- mapping the header ------------------------------------------------------------------------------


@dataclass
class Mapping:
    """Where each of our fields is in the file: a column index, or several joined."""

    columns: dict[str, list[int]]
    headers: dict[str, str]  # field → the header text it was found under (for error messages)
    sums: frozenset = frozenset()  # fields whose columns are added up ({sum = [...]}), not joined
    # ORD-02: the file's other columns of a field's aliases, in the format's order, read when the chosen
    # one is blank on a row (Taobao's 宝贝报表 has both 商家编码 and 外部系统编号; sellers fill either).
    fallbacks: dict[str, list[int]] = field(default_factory=dict)

    def get(self, cells: list, name: str) -> str:
        where = self.columns.get(name)
        if not where:
            return ""
        if len(where) == 1:
            index = where[0]
            value = reader.clean(cells[index]) if index < len(cells) else ""
            for other in () if value else self.fallbacks.get(name, ()):
                value = reader.clean(cells[other]) if other < len(cells) else ""
                if value:
                    break
            return value
        parts = [reader.clean(cells[i]) for i in where if i < len(cells)]
        parts = [p for p in parts if p]
        if name in self.sums and len(parts) > 1:
            try:
                return str(sum((_money(p) for p in parts), Decimal("0.00")))
            except (InvalidOperation, ValueError):
                return "+".join(parts)  # refused by the amount check, naming what was there
        return " ".join(parts)


def map_header(header: list[str], fmt: ImportFormat, *, strict: bool = True) -> Mapping:
    """Our fields → the file's columns; a missing required column fails (``strict``) before anything
    is written. ``strict=False`` maps what it can (the format page's sample check)."""
    mapping = find_columns(header, fmt.columns)
    missing = [name for name in (*REQUIRED_FIELDS, "placed_at") if name not in mapping.columns]
    if missing and strict:
        def wanted(name):
            spec = (fmt.columns or {}).get(name) or [FIELD_LABELS[name]]
            aliases = ((spec.get("join") or spec.get("sum") or []) if isinstance(spec, dict)
                       else ([spec] if isinstance(spec, str) else spec))
            return " / ".join(aliases)

        raise ImportFailed(_("文件缺少必需的列：%(columns)s（格式“%(format)s”）")
                           % {"columns": "；".join(wanted(n) for n in missing), "format": fmt.name})
    return mapping


def find_columns(header: list[str], spec_columns: dict) -> Mapping:
    """Which of ``spec_columns``' fields ``header`` has, and where (no field is required here)."""
    position = {}
    for index, name in enumerate(header):
        position.setdefault(reader.header_key(name), index)
    columns, headers, sums, fallbacks = {}, {}, set(), {}
    for name, spec in (spec_columns or {}).items():
        if name not in FIELDS:
            continue
        if isinstance(spec, dict):
            kind = "sum" if "sum" in spec else "join"
            named = [h for h in spec.get(kind, []) if reader.header_key(h) in position]
            if named:
                columns[name] = [position[reader.header_key(h)] for h in named]
                headers[name] = "+".join(named)
                if kind == "sum":
                    sums.add(name)
            continue
        aliases = [spec] if isinstance(spec, str) else list(spec)
        found = [(alias, position[reader.header_key(alias)]) for alias in aliases
                 if reader.header_key(alias) in position]
        if found:
            columns[name], headers[name] = [found[0][1]], found[0][0]
            others = [index for _alias, index in found[1:] if index != found[0][1]]
            if others:
                fallbacks[name] = others
    return Mapping(columns=columns, headers=headers, sums=frozenset(sums), fallbacks=fallbacks)


# --- checking rows -----------------------------------------------------------------------------------


@dataclass
class RowProblem:
    row_no: int
    column: str
    reason: str
    file: str = ""  # a pair format's file (``pair``); else the job's one file


@dataclass
class ParsedLine:
    row_no: int
    code: str
    title: str
    quantity: int
    unit_price: Decimal
    amount: Decimal
    platform_sku_id: str = ""  # the platform's SKU id (JD 商品ID), matched before the code
    attributes: str = ""  # the platform's item attributes (Taobao 商品属性 颜色分类：罐装;净含量：50g)


@dataclass
class ParsedOrder:
    number: str
    first_row: int
    last_row: int
    status: str
    placed_at: datetime
    paid_at: datetime | None
    fields: dict
    lines: list[ParsedLine]
    paid_amount: Decimal
    shipping_fee: Decimal
    content_hash: str = ""
    goods_amount: Decimal | None = None  # stated by the platform (PDD 商品总价), else the lines' sum
    discount_amount: Decimal | None = None  # the seller's discount stated by the platform (店铺优惠)
    # ORD-02 / PER-07: what the platform says about closing and refunding; PAY-01: the transaction's total.
    close_reason: str = ""
    refund_amount: Decimal | None = None
    closed_at: datetime | None = None
    transaction_amount: Decimal | None = None


@dataclass
class Group:
    number: str
    rows: list[tuple[int, list]] = field(default_factory=list)

    @property
    def first_row(self) -> int:
        return self.rows[0][0]

    @property
    def last_row(self) -> int:
        return self.rows[-1][0]

    @property
    def size(self) -> int:
        """How many rows of the file(s) the group stands for (the progress bar)."""
        return len(self.rows)

    def locate(self, problem: RowProblem) -> tuple[str, int]:
        """(file, row) of a problem as the error report shows it; one file: its row."""
        return problem.file, problem.row_no


def _money(text: str) -> Decimal:
    cleaned = unicodedata.normalize("NFKC", text).replace(",", "")
    cleaned = cleaned.replace("¥", "").replace("￥", "").replace("$", "").replace("元", "").strip()
    amount = Decimal(cleaned)
    if not amount.is_finite() or amount < 0:
        raise InvalidOperation
    if amount > MONEY_MAX:
        raise InvalidOperation  # more than the amount columns hold
    if amount != amount.quantize(FEN):
        raise ValueError("fen")
    return amount.quantize(FEN)


def parse_datetime(text: str, formats=()) -> datetime:
    text = " ".join(unicodedata.normalize("NFKC", text).split())
    value = None
    for pattern in (*formats, *DATETIME_FORMATS):
        try:
            value = datetime.strptime(text, pattern)
            break
        except ValueError:
            continue
    if value is None:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=SHANGHAI)
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise ValueError("year")  # no order of ours is that old or that far ahead (and no overflow later)
    return value


def _split_address(address: str) -> tuple[str, str, str, str]:
    """"浙江省 杭州市 西湖区 文三路 100 号" / "上海 上海市 浦东新区 …" / "北京朝阳区…" → province, city,
    district, the rest (``core.addresses``: municipalities, autonomous regions and prefectures)."""
    return addresses.split_address(address)


class Checker:
    def __init__(self, fmt: ImportFormat, mapping: Mapping):
        self.fmt = fmt
        self.mapping = mapping
        self.statuses = {str(k).strip(): v for k, v in (fmt.statuses or {}).items()}
        self.formats = tuple(fmt.datetime_formats or ())
        self.summed = {name for name, how in (getattr(fmt, "aggregate", None) or {}).items()
                       if how == "sum" and name in ORDER_AMOUNTS}
        self._times: dict[str, datetime] = {}

    def when(self, text: str) -> datetime:
        """Parsed once per distinct text (an order's rows repeat its times); the cache stays small."""
        value = self._times.get(text)
        if value is None:
            if len(self._times) > 5000:
                self._times.clear()
            value = self._times[text] = parse_datetime(text, self.formats)
        return value

    def column(self, name: str) -> str:
        return self.mapping.headers.get(name) or str(FIELD_LABELS.get(name, name))

    def parse(self, group: Group) -> tuple[ParsedOrder | None, list[RowProblem]]:
        """Check a group's rows and read them into an order, or return the problems found.

        The steps: read each row (its line, and the first row's order-level values: ``head``), check
        the order-level columns of every row, check the platform's money, then build the order."""
        problems: list[RowProblem] = []

        def problem(row_no: int, name: str, reason: str) -> None:
            problems.append(RowProblem(row_no, self.column(name), reason))

        head: dict = {}
        lines: list[ParsedLine] = []
        for index, (row_no, cells) in enumerate(group.rows):
            values = {name: self.mapping.get(cells, name) for name in self.mapping.columns}
            amounts = self._read_row(row_no, values, problem)
            self._add_to_head(head, index, values, amounts)
            lines.append(self._line(row_no, values, amounts, problem))
        status, placed_at, paid_at, closed_at = self._order_state(group, head, problem)
        stated = _stated_amounts(head)
        _fill_single_line(lines, stated)
        _check_platform_money(group, head, paid_at=paid_at, placed_at=placed_at, closed_at=closed_at,
                              lines=lines, problem=problem)
        if problems:
            return None, problems
        paid_amount = paid_amount_of(head, lines)
        parsed = ParsedOrder(number=group.number, first_row=group.first_row, last_row=group.last_row, status=status,
                             placed_at=placed_at, paid_at=paid_at, fields=_order_fields(head), lines=lines,
                             paid_amount=paid_amount, shipping_fee=_shipping_fee(head),
                             goods_amount=stated.get("goods_amount"), discount_amount=stated.get("discount_amount"),
                             close_reason=head.get("close_reason", ""), refund_amount=stated.get("refund_amount"),
                             closed_at=closed_at, transaction_amount=stated.get("transaction_amount"))
        if paid_amount > MONEY_MAX:
            problem(group.first_row, "paid_amount", _("金额“%(v)s”过大") % {"v": str(paid_amount)[:20]})
            return None, problems
        parsed.content_hash = content_hash(parsed)
        return parsed, []

    def _read_row(self, row_no: int, values: dict, problem) -> dict[str, Decimal]:
        """Check a row's texts, order number and SKU; return its amounts that parse."""
        for name, limit in TEXT_LIMITS.items():
            if len(values.get(name, "")) > limit:
                problem(row_no, name, _("超过 %(n)d 个字") % {"n": limit})
        if not values.get("order_no"):
            problem(row_no, "order_no", _("订单号为空"))
        if not values.get("sku_code") and not values.get("platform_sku_id"):
            problem(row_no, "sku_code", _("商品编码为空"))
        amounts = {}
        for name in ("unit_price", "line_amount", *ORDER_AMOUNTS, *PLATFORM_AMOUNTS):
            text = values.get(name, "")
            if not text:
                continue
            try:
                amounts[name] = _money(text)
            except ValueError:
                problem(row_no, name, _("金额“%(v)s”最多两位小数") % {"v": text[:20]})
            except InvalidOperation:
                problem(row_no, name, _("金额“%(v)s”无效") % {"v": text[:20]})
        return amounts

    def _add_to_head(self, head: dict, index: int, values: dict, amounts: dict[str, Decimal]) -> None:
        """The first row's values are the order's; ImportFormat.aggregate "sum" adds the other rows'."""
        if index == 0:
            head.update(values)
            head.update({k: v for k, v in amounts.items() if k in ORDER_AMOUNTS or k in PLATFORM_AMOUNTS})
            return
        for name in self.summed & set(amounts):
            before = head.get(name)
            head[name] = amounts[name] + (before if isinstance(before, Decimal) else Decimal("0.00"))

    def _line(self, row_no: int, values: dict, amounts: dict[str, Decimal], problem) -> ParsedLine:
        """A row's line: quantity, unit price and amount (one worked out from the other)."""
        quantity = _quantity(values.get("quantity", ""))
        if quantity is None:
            problem(row_no, "quantity", _("数量“%(v)s”不是正整数") % {"v": values.get("quantity", "")[:20]})
            quantity = 0
        if quantity and "unit_price" in amounts:
            unit, amount = amounts["unit_price"], amounts.get("line_amount", (amounts["unit_price"] * quantity))
        elif quantity and "line_amount" in amounts:
            amount = amounts["line_amount"]
            unit = (amount / quantity).quantize(FEN)
        else:
            unit = amount = Decimal("0.00")
        if amount > MONEY_MAX:
            problem(row_no, "line_amount" if "line_amount" in amounts else "unit_price",
                    _("金额“%(v)s”过大") % {"v": str(amount)[:20]})
            amount = Decimal("0.00")
        return ParsedLine(row_no, values.get("sku_code", ""), values.get("title", ""), quantity,
                          unit, amount.quantize(FEN), platform_sku_id=values.get("platform_sku_id", ""),
                          attributes=values.get("attributes", ""))

    def _order_state(self, group: Group, head: dict, problem) -> tuple:
        """(status, placed_at, paid_at, closed_at) of the order. Order-level columns repeat on every
        line row: each row is checked, the first row's values count."""
        status = placed_at = paid_at = closed_at = None
        for index, (row_no, cells) in enumerate(group.rows):
            values = head if index == 0 else {n: self.mapping.get(cells, n) for n in ("status", "placed_at", "paid_at",
                                                                                      "receiver_phone")}
            row_status, times = self._check_order_columns(row_no, values, problem, first=index == 0)
            if index == 0:
                status, placed_at, paid_at = row_status, times.get("placed_at"), times.get("paid_at")
                closed_at = times.get("closed_at")
        if status in ("paid", "shipped", "received", "completed") and paid_at is None and placed_at is not None:
            paid_at = placed_at  # the platform says paid but gives no time: take the order time
        return status, placed_at, paid_at, closed_at

    def _check_order_columns(self, row_no: int, values: dict, problem, *, first: bool) -> tuple[str | None, dict]:
        """One row's status, times (the close time on the first row only) and phone."""
        status_text = values.get("status", "")
        row_status = (self.statuses.get(status_text) if status_text
                      else "paid" if values.get("paid_at") else "unpaid")
        if row_status is None or row_status not in START_STATE:
            problem(row_no, "status", _("未知的订单状态“%(v)s”：请在导入格式的状态映射中添加")
                    % {"v": status_text[:30]})
        times = {}
        for name in ("placed_at", "paid_at", *(("closed_at",) if first else ())):
            text = values.get(name, "")
            if not text:
                if name == "placed_at":
                    problem(row_no, name, _("下单时间为空"))
                continue
            try:
                times[name] = self.when(text)
            except ValueError:
                problem(row_no, name, _("时间“%(v)s”无法识别") % {"v": text[:30]})
        phone = values.get("receiver_phone", "")
        if phone and not re.fullmatch(r"[0-9+\-\s()*#]{5,30}", phone):
            problem(row_no, "receiver_phone", _("手机号格式不正确"))
        return row_status, times


def _quantity(text: str) -> int | None:
    """A positive whole quantity, or None."""
    if not QUANTITY_TEXT.fullmatch(text):
        return None  # checked as text first: "1e999999999" or "inf" never reach int()
    try:
        quantity = int(Decimal(text or "x"))
    except (InvalidOperation, ValueError):
        return None
    if quantity < 1 or quantity > QUANTITY_MAX or Decimal(text) != quantity:
        return None
    return quantity


def _stated_amounts(head: dict) -> dict[str, Decimal]:
    """Amounts the file states (parsed to Decimal); a blank, absent or invalid cell states nothing."""
    return {name: head[name] for name in ("goods_amount", "discount_amount", *PLATFORM_AMOUNTS)
            if isinstance(head.get(name), Decimal)}


def _fill_single_line(lines: list[ParsedLine], stated: dict[str, Decimal]) -> None:
    """A one-line order without a line price (PDD states only 商品总价): the line is the goods."""
    if "goods_amount" in stated and len(lines) == 1 and not lines[0].amount and lines[0].quantity:
        only = lines[0]
        only.amount = stated["goods_amount"]
        only.unit_price = (only.amount / only.quantity).quantize(FEN)


def _order_fields(head: dict) -> dict:
    """The order's plain fields; an address without a province is split into its parts."""
    fields = {name: head.get(name, "") for name in ORDER_LEVEL
              if name not in ("status", "placed_at", "paid_at", "paid_amount", "shipping_fee")}
    if fields["receiver_address"] and not fields["province"]:
        province, city, district, rest = _split_address(fields["receiver_address"])
        if province:
            fields.update(province=province, city=city, district=district or fields["district"])
            fields["receiver_address"] = rest
    return fields


def _shipping_fee(head: dict) -> Decimal:
    fee = head.get("shipping_fee")
    return fee if isinstance(fee, Decimal) else Decimal("0.00")


def paid_amount_of(head: dict, lines: list[ParsedLine]) -> Decimal:
    """The order's paid amount: the file's, or (the file states none) the goods plus shipping."""
    paid = head.get("paid_amount")
    if isinstance(paid, Decimal):
        return paid
    return sum((line.amount for line in lines), Decimal("0.00")) + _shipping_fee(head)


def _check_platform_money(group: Group, head: dict, *, paid_at, placed_at, closed_at,
                          lines: list[ParsedLine], problem) -> None:
    """ORD-02 / PER-07: a refund total needs a payment and cannot exceed it; a close time is not before
    the order was placed; PAY-01: a transaction's total covers at least this order's payment."""
    row = group.first_row
    paid = paid_amount_of(head, lines)
    refund = head.get("refund_amount")
    if isinstance(refund, Decimal) and refund > 0:
        if paid_at is None:
            problem(row, "refund_amount", _("订单未付款，不能有退款金额 %(v)s 元") % {"v": refund})
        elif refund > paid:
            problem(row, "refund_amount", _("退款金额 %(refund)s 元超过实付金额 %(paid)s 元")
                    % {"refund": refund, "paid": paid})
    total = head.get("transaction_amount")
    if isinstance(total, Decimal) and total and total < paid:
        problem(row, "transaction_amount", _("支付单金额 %(total)s 元小于本订单实付 %(paid)s 元")
                % {"total": total, "paid": paid})
    if closed_at is not None and placed_at is not None and closed_at < placed_at:
        problem(row, "closed_at", _("关闭时间早于下单时间"))


def content_hash(order: ParsedOrder) -> str:
    """What the file says about an order, as one digest: equal digests → nothing to update."""
    payload = {
        "status": order.status, "placed_at": order.placed_at.isoformat(),
        "paid_at": order.paid_at.isoformat() if order.paid_at else "", "fields": order.fields,
        "paid": str(order.paid_amount), "shipping": str(order.shipping_fee),
        # A line's attributes count only where a format maps them: earlier digests stay the same.
        "lines": [[line.code, line.title, line.quantity, str(line.unit_price), str(line.amount)]
                  + ([line.platform_sku_id] if line.platform_sku_id else [])
                  + ([line.attributes] if line.attributes else []) for line in order.lines],
    }
    # Stated only by some formats: in the digest when there, so earlier digests stay valid.
    for name in ("goods_amount", "discount_amount"):
        if getattr(order, name) is not None:
            payload[name] = str(getattr(order, name))
    # Only when the file says something of them, so a file without these columns keeps its digest.
    extra = {"close_reason": order.close_reason, "refund": str(order.refund_amount or ""),
             "closed_at": order.closed_at.isoformat() if order.closed_at else "",
             "transaction_amount": str(order.transaction_amount or "")}
    if any(extra.values()):
        payload["platform"] = extra
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def groups_of(rows: Iterator[tuple[int, list]], mapping: Mapping) -> Iterator[Group]:
    """Runs of consecutive rows with the same order number; blank rows are skipped."""
    current: Group | None = None
    for row_no, cells in rows:
        if not any(c not in (None, "") and (not isinstance(c, str) or c.strip()) for c in cells):
            continue
        number = mapping.get(cells, "order_no")
        if current is not None and number and number == current.number:
            current.rows.append((row_no, cells))
            continue
        if current is not None:
            yield current
        current = Group(number=number, rows=[(row_no, cells)])
    if current is not None:
        yield current


# --- writing -----------------------------------------------------------------------------------------


def code_key(code: str) -> str:
    """A merchant code as sellers write it, for matching (ORD-02): Excel's ``="…"`` and apostrophe off,
    full-width forms half-width, no spaces, case-insensitive ("tea-001-250 " = "TEA-001-250")."""
    text = reader.clean(code or "")
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def _tolerant(pairs) -> dict[str, int | None]:
    """code key → SKU id; a key two different SKUs share is ambiguous (None: no match by it)."""
    found: dict[str, int | None] = {}
    for code, pk in pairs:
        key = code_key(code)
        if key:
            found[key] = pk if found.get(key, pk) == pk else None
    return found


class SkuMatcher:
    """ORD-02 matching, loaded once per job: the platform's SKU id (JD 商品ID) among the store's
    platform SKU codes; then the merchant code as the store's platform SKU code, the client's barcode,
    the client's own SKU code (商家编码 is very often the seller's SKU code). Each exactly first, then
    tolerant of case, spaces and Excel's wrappers (``code_key``)."""

    def __init__(self, store):
        platform = list(PlatformSKU.objects.filter(store=store).values_list("platform_sku_code", "sku_id"))
        rows = list(SKU.objects.filter(client_id=store.client_id).values_list("barcode", "sku_code", "pk"))
        self.platform = dict(platform)
        self.barcode = {b: pk for b, _c, pk in rows if b}
        self.code = {c: pk for _b, c, pk in rows}
        self.tolerant = [_tolerant(platform), _tolerant((b, pk) for b, _c, pk in rows if b),
                         _tolerant((c, pk) for _b, c, pk in rows)]

    def __call__(self, code: str, platform_sku_id: str = "") -> int | None:
        if platform_sku_id:
            found = self.platform.get(platform_sku_id) or self.tolerant[0].get(code_key(platform_sku_id))
            if found:
                return found
        if not code:
            return None
        found = self.platform.get(code) or self.barcode.get(code) or self.code.get(code)
        if found:
            return found
        key = code_key(code)
        for table in self.tolerant:
            if table.get(key):
                return table[key]
        return None


@dataclass
class ChunkResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    held: int = 0
    failed: int = 0
    rows_failed: int = 0
    order_ids: list[int] = field(default_factory=list)


class Importer:
    def __init__(self, job: ImportJob):
        self.job = job
        self.store = job.store
        self.user = job.created_by
        self.history_reason = _("订单导入 %(job)s") % {"job": job}  # the audit trail's reason, translated
        self.match = SkuMatcher(job.store)
        self.confirm_within = {}
        # When the import saw the platform's word: the upload of the export (the same on a resume).
        self.observed = job.created_at or timezone.now()

    def closed_at(self, parsed: ParsedOrder) -> datetime:
        """ORD-02: when the platform closed the order: its own time if the file gives one, else when the
        import saw it closed (never the time it was placed)."""
        return parsed.closed_at or self.observed

    @staticmethod
    def close_reason(parsed: ParsedOrder) -> str:
        if parsed.close_reason:
            return (_("平台已关闭：%(reason)s") % {"reason": parsed.close_reason})[:200]
        return _("平台已关闭")

    def refund(self, order: Order, parsed: ParsedOrder):
        """PER-07: the platform's refund total (退款金额) in our books, the difference only (idempotent)."""
        if parsed.refund_amount is None or parsed.refund_amount <= 0:
            return None
        reason = (_("平台退款（%(job)s）：%(reason)s") % {"job": self.job, "reason": parsed.close_reason}
                  if parsed.close_reason else _("平台退款（%(job)s）") % {"job": self.job})
        return order_actions.record_platform_refund(order, parsed.refund_amount, reason=reason[:500],
                                                    user=self.user, at=parsed.closed_at or self.observed)

    def _confirm_due(self, paid_at: datetime):
        day = timezone.localdate(paid_at)
        if day not in self.confirm_within:
            self.confirm_within[day] = registry.value(order_actions.CONFIRM_WITHIN_KEY, on=day)
        return paid_at + self.confirm_within[day]

    # -- new orders --

    def _build(self, parsed: ParsedOrder) -> tuple[Order, list[dict], list[int]]:
        state = START_STATE[parsed.status]
        f = parsed.fields
        order = Order(store=self.store, platform_order_no=parsed.number, state=state, placed_at=parsed.placed_at,
                      paid_at=parsed.paid_at, buyer_nick=f["buyer_nick"], merchant_note=f["merchant_note"],
                      buyer_message=f["buyer_message"], shipping_fee=parsed.shipping_fee,
                      paid_amount=parsed.paid_amount, payment_method=PaymentMethod.PLATFORM)
        order_actions.set_receiver(order, name=f["receiver_name"], phone=f["receiver_phone"],
                                   address=f["receiver_address"], province=f["province"], city=f["city"],
                                   district=f["district"])
        lines, unmatched = [], []
        for number, line in enumerate(parsed.lines, start=1):
            sku_id = self.match(line.code, line.platform_sku_id)
            if sku_id is None:
                unmatched.append(number)
            lines.append({"line_no": number, "sku_id": sku_id, "platform_sku_code": line.code, "title": line.title,
                          "quantity": line.quantity, "unit_price": line.unit_price, "amount": line.amount,
                          "platform_sku_id": line.platform_sku_id, "attributes": line.attributes})
        order.goods_amount = sum((line["amount"] for line in lines), Decimal("0.00"))
        if parsed.goods_amount is not None:
            order.goods_amount = parsed.goods_amount  # as the platform states it (PDD 商品总价)
        if parsed.discount_amount is not None:
            # The seller's discount as stated (PDD 店铺优惠折扣); the platform's own is not the seller's.
            order.discount_amount = parsed.discount_amount
        else:
            discount = order.goods_amount + order.shipping_fee - order.paid_amount
            order.discount_amount = max(discount, Decimal("0.00"))
        if state == OrderState.PAID:
            order.confirm_due_at = self._confirm_due(parsed.paid_at)  # ORD-09
        if state == OrderState.CANCELLED:
            order.cancelled_at = self.closed_at(parsed)  # never the placed time (ORD-02)
            order.cancel_reason = self.close_reason(parsed)
        if unmatched and state in OPEN_START:
            order.held_from = state
            order.state = OrderState.ON_HOLD
            order.exception_reason = (_("第 %(lines)s 行商品未匹配到SKU（编码 %(codes)s）") % {
                "lines": "、".join(str(n) for n in unmatched),
                "codes": "、".join(parsed.lines[n - 1].code or parsed.lines[n - 1].platform_sku_id
                                  for n in unmatched)})[:200]
        return order, lines, unmatched

    def create(self, parsed_orders: list[ParsedOrder], result: ChunkResult) -> list[Order]:
        built = [self._build(p) for p in parsed_orders]
        orders = [order for order, _lines, _u in built]
        insert_rows(Order, orders)
        insert_history(Order, orders, user=self.user, reason=self.history_reason)
        lines, events, payments, imported = [], [], [], []
        now = timezone.now()
        created_reason = _("平台导入 %(job)s") % {"job": self.job}
        for (order, order_lines, _unmatched), parsed in zip(built, parsed_orders, strict=True):
            for line in order_lines:
                line["order_id"] = order.pk
            lines.extend(order_lines)
            events.append({"order_id": order.pk, "kind": OrderEventKind.CREATED, "from_state": "",
                           "to_state": order.held_from or order.state, "actor_id": self.user.pk, "at": now,
                           "note": created_reason,
                           "data": {"job": self.job.pk, "row": parsed.first_row, "lines": len(order_lines),
                                    "platform_status": parsed.status, "paid_amount": str(order.paid_amount)}})
            if order.state == OrderState.ON_HOLD:
                result.held += 1
                events.append({"order_id": order.pk, "kind": OrderEventKind.HELD, "from_state": order.held_from,
                               "to_state": OrderState.ON_HOLD, "actor_id": self.user.pk, "at": now,
                               "note": order.exception_reason[:500], "data": {}})
            if order.paid_at is not None and order.paid_amount > 0:
                payments.append(Payment(store=self.store, order_id=order.pk, platform_order_no=order.platform_order_no,
                                        transaction_no=parsed.fields["transaction_no"], amount=order.paid_amount,
                                        transaction_amount=(parsed.transaction_amount
                                                            if parsed.fields["transaction_no"] else None),
                                        method=PaymentMethod.PLATFORM, status=PaymentState.SUCCESS,
                                        paid_at=order.paid_at, recorded_by=self.user))
            imported.append({"store_id": self.store.pk, "platform_order_no": order.platform_order_no,
                             "order_id": order.pk, "content_hash": parsed.content_hash, "last_job_id": self.job.pk,
                             "last_row": parsed.first_row})
        insert_rows(OrderLine, lines, returning=False)
        insert_rows(OrderEvent, events, returning=False)
        if payments:
            insert_rows(Payment, payments)
            insert_history(Payment, payments, user=self.user, reason=self.history_reason)
        insert_rows(ImportedOrder, imported, returning=False)
        for order, parsed in zip(orders, parsed_orders, strict=True):
            if order.state == OrderState.CANCELLED and order.paid_at is not None and order.paid_amount > 0:
                # Closed on the platform after payment (e.g. 未发货，退款成功): the refund is due here too.
                order_actions.closed_by_platform_after_payment(order, user=self.user)
            self.refund(order, parsed)  # the platform's refund, if it says one (completes that due item)
        result.created += len(orders)
        result.order_ids.extend(o.pk for o in orders)
        return orders

    # -- orders that exist --

    def update(self, order_id: int, parsed: ParsedOrder, imported: ImportedOrder | None,
               result: ChunkResult) -> list[RowProblem]:
        """Apply what changed on the platform to one existing order; [] when done, else the problems
        (and nothing of this order is changed)."""
        try:
            with transaction.atomic():
                self._update(order_id, parsed, result)
                if imported is None:
                    ImportedOrder.objects.create(store=self.store, platform_order_no=parsed.number, order_id=order_id,
                                                 content_hash=parsed.content_hash, last_job=self.job,
                                                 last_row=parsed.first_row)
                else:
                    ImportedOrder.objects.filter(pk=imported.pk).update(content_hash=parsed.content_hash,
                                                                        last_job=self.job, last_row=parsed.first_row)
        except BusinessError as error:
            return [RowProblem(parsed.first_row, "", error.message)]
        result.updated += 1
        result.order_ids.append(order_id)
        return []

    def _update(self, order_id: int, parsed: ParsedOrder, result: ChunkResult) -> None:
        """What the platform says now, applied through the public actions of ``orders.actions`` only
        (each checks the import's right and the store, locks the order and writes its event):

        - paid → the payment is recorded (``record_payment``; the order goes on to review);
        - closed / cancelled → ``cancel``: reserved stock back, refund due for a paid order, the
          confirmation due item dropped; refused once shipped here (after-sales, listed in the report);
        - received / completed after we shipped → ``mark_received`` / ``mark_completed`` (no stock
          moves: the goods left when it shipped here);
        - shipped / received / completed on the platform but not shipped here → listed, not forced: the
          goods are still here (reserved or not), and only ``ship_order`` takes them out (WMS-10)."""
        order = Order.objects.select_for_update(of=("self",)).select_related("store").get(pk=order_id)
        user, f, changes = self.user, parsed.fields, []
        platform = order_actions.SOURCE_PLATFORM
        want_lines = [(line.code, line.quantity, line.unit_price) for line in parsed.lines]
        have_lines = list(order.lines.order_by("line_no").values_list("platform_sku_code", "quantity", "unit_price"))
        if want_lines != have_lines:
            raise BusinessError(_("订单 %(no)s 的商品明细与系统中不同；已导入的订单不能通过导入修改明细，请人工处理")
                                % {"no": order.platform_order_no})
        receiver = {"name": f["receiver_name"], "phone": f["receiver_phone"], "address": f["receiver_address"],
                    "province": f["province"], "city": f["city"], "district": f["district"]}
        if not order_actions.same_receiver(order, **receiver):
            if order.state in SHIPPED_OR_LATER:
                raise BusinessError(_("订单 %(no)s 已发货，平台上的收货地址变化不能导入")
                                    % {"no": order.platform_order_no})
            order = order_actions.change_address(
                order, user=user, receiver_name=receiver["name"], receiver_phone=receiver["phone"],
                receiver_address=receiver["address"], province=receiver["province"], city=receiver["city"],
                district=receiver["district"], reason=_("平台导入"), source=platform)
            changes.append("address")
        order, changed = order_actions.update_from_platform(
            order, user=user, reason=_("平台导入更新"), **{name: f[name] for name in order_actions.PLATFORM_FIELDS})
        changes.extend(changed)
        target = parsed.status
        if target == "paid" and order.paid_at is None and parsed.paid_at is not None:
            order_actions.record_payment(user=user, store=self.store, platform_order_no=order.platform_order_no,
                                         amount=parsed.paid_amount, method=PaymentMethod.PLATFORM,
                                         paid_at=parsed.paid_at, transaction_no=f["transaction_no"], source=platform)
            order = Order.objects.select_related("store").get(pk=order.pk)
            changes.append("paid")
        elif target == "cancelled" and order.state != OrderState.CANCELLED:
            order = order_actions.cancel(order, user=user, reason=self.close_reason(parsed), source=platform,
                                         at=self.closed_at(parsed))
            changes.append("cancelled")
        elif target in ("received", "completed") and order.state in (OrderState.SHIPPED, OrderState.RECEIVED):
            if order.state == OrderState.SHIPPED:
                order = order_actions.mark_received(order, user=user, reason=_("平台状态"), source=platform)
            if target == "completed":
                order = order_actions.mark_completed(order, user=user, reason=_("平台状态"), source=platform)
            changes.append(target)
        elif target in ("shipped", "received", "completed") and order.state not in SHIPPED_OR_LATER \
                and order.state != OrderState.CANCELLED:
            raise BusinessError(_("平台显示订单 %(no)s 已发货，系统中尚未发货：请核对")
                                % {"no": order.platform_order_no})
        if self.refund(order, parsed) is not None:
            changes.append("refund")
        order_actions.note_platform_update(order, user=user, reason=_("平台导入 %(job)s") % {"job": self.job},
                                           data={"job": self.job.pk, "row": parsed.first_row, "changes": changes})

    # -- one chunk --

    def commit(self, groups: list[Group], checker: Checker) -> ChunkResult:
        result = ChunkResult()
        problems: list[RowProblem] = []
        failed_groups = 0
        parsed: list[ParsedOrder] = []
        seen: dict[str, int] = {}
        for group in groups:
            order, found = _parse_safely(checker, group)
            if order is not None and order.number in seen:
                found = [RowProblem(row_no, checker.column("order_no"),
                                    _("同一订单的明细行须相邻：订单 %(no)s 已在第 %(row)d 行导入")
                                    % {"no": order.number, "row": seen[order.number]}) for row_no, _c in group.rows]
                order = None
            if order is None:
                failed_groups += 1
                rows_named = {p.row_no for p in found}
                problems.extend(found)
                # Every row of a refused order is listed, so the report shows what was left out.
                problems.extend(RowProblem(row_no, "", _("同一订单的其他行有错误，本订单未导入"))
                                for row_no, _cells in group.rows if row_no not in rows_named)
                continue
            seen[order.number] = order.first_row
            parsed.append(order)
        with transaction.atomic():
            try:
                with transaction.atomic():  # the chunk at once (the usual case)
                    written: list[RowProblem] = []
                    failed_groups += self._write(parsed, checker, result, written)
            except WRITE_ERRORS as error:
                # ORD-02: what one order holds never stops the others: the chunk again, order by order,
                # each in a savepoint; the order the database (or a rule) refuses is listed with why.
                log.warning("order import %s: chunk at row %d refused (%s); retried order by order", self.job,
                            groups[0].first_row, _error_text(error))
                result, written = ChunkResult(), []
                failed_groups += self._write_each(parsed, groups, checker, result, written)
            problems.extend(written)
            errors = _row_errors(self.job, groups, problems)
            ImportRowError.objects.bulk_create(errors, batch_size=1000)
            result.failed = failed_groups
            result.rows_failed = len({(e.file, e.row_no) for e in errors})  # rows of the file(s), once each
            job = self.job
            job.checkpoint_row = groups[-1].last_row
            job.rows_done += sum(g.size for g in groups)
            job.orders_created += result.created
            job.orders_updated += result.updated
            job.orders_unchanged += result.unchanged
            job.orders_held += result.held
            job.orders_failed += result.failed
            job.rows_failed += result.rows_failed
            job.save(update_fields=["checkpoint_row", "rows_done", "orders_created", "orders_updated",
                                    "orders_unchanged", "orders_held", "orders_failed", "rows_failed"])
            if result.order_ids:
                from ecomops.orders import hooks  # ORD-03: the chunk's orders go through automatic review

                ids, store = list(result.order_ids), self.store
                transaction.on_commit(lambda: hooks.review_imported(store=store, order_ids=ids))
        return result


    def _write(self, parsed: list[ParsedOrder], checker: Checker, result: ChunkResult,
               problems: list[RowProblem]) -> int:
        """Create or update the checked orders (in the caller's transaction); how many were refused."""
        failed_groups = 0
        numbers = [p.number for p in parsed]
        existing = dict(Order.objects.filter(store=self.store, platform_order_no__in=numbers)
                        .values_list("platform_order_no", "pk"))
        imported = {i.platform_order_no: i for i in ImportedOrder.objects.filter(
            store=self.store, platform_order_no__in=numbers)}
        fresh = []
        for order in parsed:
            if order.number not in existing:
                fresh.append(order)
                continue
            known = imported.get(order.number)
            if known is not None and known.last_job_id == self.job.pk and known.last_row < order.first_row:
                failed_groups += 1
                problems.append(RowProblem(order.first_row, checker.column("order_no"),
                                           _("同一订单的明细行须相邻：订单 %(no)s 已在第 %(row)d 行导入")
                                           % {"no": order.number, "row": known.last_row}))
                continue
            if known is not None and known.content_hash == order.content_hash:
                result.unchanged += 1
                continue
            found = self.update(existing[order.number], order, known, result)
            if found:
                failed_groups += 1
                problems.extend(found)
        if fresh:
            self.create(fresh, result)
        return failed_groups

    def _write_each(self, parsed: list[ParsedOrder], groups: list[Group], checker: Checker, result: ChunkResult,
                    problems: list[RowProblem]) -> int:
        """The chunk's orders one by one, each in a savepoint: an order that fails is left out whole (none
        of its lines, payments or events written) with an ``ImportRowError`` for each of its rows."""
        failed_groups = 0
        for order in parsed:
            one, found = ChunkResult(), []
            try:
                with transaction.atomic():
                    failed = self._write([order], checker, one, found)
            except WRITE_ERRORS as error:
                one, failed = ChunkResult(), 1
                reason = _("订单 %(no)s 未能写入（%(error)s），本订单未导入") % {
                    "no": order.number[:64], "error": _error_text(error)}
                found = [RowProblem(row_no, "", reason) for row_no in _rows_of(groups, order)]
            failed_groups += failed
            problems.extend(found)
            for name in ("created", "updated", "unchanged", "held"):
                setattr(result, name, getattr(result, name) + getattr(one, name))
            result.order_ids.extend(one.order_ids)
        return failed_groups


# What writing one order may run into because of what the file holds: a constraint or a value the
# database refuses, a business rule of an order action. A lost connection is none of these: it stops
# the job, which resumes later where it stopped.
WRITE_ERRORS = (IntegrityError, DataError, BusinessError, ValueError, ArithmeticError)


def _error_text(error: Exception) -> str:
    if isinstance(error, BusinessError):
        return str(error.message)[:200]
    if isinstance(error, IntegrityError):
        return _("违反数据库约束：%(detail)s") % {"detail": (str(error).splitlines() or [""])[0][:150]}
    if isinstance(error, DataError):
        return _("数据库不接受其中的值：%(detail)s") % {"detail": (str(error).splitlines() or [""])[0][:150]}
    return _("数据无法处理：%(detail)s") % {"detail": f"{type(error).__name__} {error}"[:150]}


def _rows_of(groups: list[Group], order: ParsedOrder) -> list[int]:
    for group in groups:
        if group.first_row == order.first_row:
            return [row_no for row_no, _cells in group.rows]
    return [order.first_row]


def _parse_safely(checker: Checker, group: Group) -> tuple[ParsedOrder | None, list[RowProblem]]:
    """Checking a group never raises, whatever its cells hold: an unforeseen error refuses the order
    (its first row names why; the others are listed by the caller) and is logged for the developers."""
    try:
        return checker.parse(group)
    except Exception as error:  # noqa: BLE001 - any cell content must end as a refused order, not a crash
        log.exception("order import: group at row %d could not be checked", group.first_row)
        return None, [RowProblem(group.first_row, "", _("本订单的数据无法处理（%(error)s）")
                                 % {"error": type(error).__name__})]


def _row_errors(job: ImportJob, groups: list[Group], problems: list[RowProblem]) -> list[ImportRowError]:
    """The chunk's problems as error rows naming file, row and column; a pair format's groups place
    each problem in its own file (``pair.PairGroup.locate``), once."""
    by_row = {row_no: group for group in groups for row_no, _cells in group.rows}
    by_row.update({group.first_row: group for group in groups})
    made, seen = [], set()
    for p in problems:
        group = by_row.get(p.row_no)
        if group is None or type(group) is Group:
            made.append(ImportRowError(job=job, row_no=p.row_no, column=p.column[:60],
                                       order_no=_order_no_of(groups, p.row_no), reason=p.reason[:300]))
            continue
        file, row_no = group.locate(p)
        key = (file, row_no, p.column, p.reason)
        if key in seen:
            continue
        seen.add(key)
        made.append(ImportRowError(job=job, file=file[:200], row_no=row_no, column=p.column[:60],
                                   order_no=group.number[:64], reason=p.reason[:300]))
    return made


def _order_no_of(groups: list[Group], row_no: int) -> str:
    for group in groups:
        if group.first_row <= row_no <= group.last_row:
            return group.number[:64]
    return ""


# --- running a job -----------------------------------------------------------------------------------


def run(job: ImportJob, *, progress: Callable[[ImportJob], None] | None = None,
        crash_after_chunks: int | None = None) -> ImportJob:
    """Run (or resume) ``job`` to the end. Rows at or before the job's checkpoint are skipped: they
    were committed by an earlier attempt. ``crash_after_chunks`` is for the crash-resume test."""
    job = ImportJob.objects.select_related("store", "store__client", "format", "created_by").get(pk=job.pk)
    if job.state == JobState.DONE:
        return job
    transition(job, JobState.RUNNING, flow=JOB_FLOW, user=None, update_fields=[], changes={
        "attempts": job.attempts + 1, "failure": "", "started_at": job.started_at or timezone.now()})
    source = files.source(job)
    pairing = None
    try:
        fmt = job.format
        # The file's checks (an .xlsx's archive, the encoding, the header) happen here, in the background
        # job, never in the upload's request; a refusal is the job's failure, shown on its page.
        if fmt.is_pair:
            from .pair import Pairing

            # ORD-02: Taobao/Tmall's 订单报表 + 宝贝报表, joined into groups like one file's (``pair``).
            pairing = Pairing(job, fmt)
            groups, checker = pairing.groups(), pairing.checker
        else:
            if not job.rows_total:
                job.rows_total = reader.count_rows(source, job.file_kind, delimiter=_delimiter(fmt))
                job.save(update_fields=["rows_total"])
            sheet = reader.open_sheet(source, job.file_kind, delimiter=_delimiter(fmt))
            if sheet.encoding and job.encoding != sheet.encoding:
                job.encoding = sheet.encoding
                job.save(update_fields=["encoding"])
            mapping = map_header(sheet.header, fmt)
            checker = Checker(fmt, mapping)
            groups = groups_of(sheet.rows, mapping)
        importer = Importer(job)
        chunk: list[Group] = []
        chunks = 0
        for group in groups:
            if group.last_row <= job.checkpoint_row:
                continue
            chunk.append(group)
            if len(chunk) >= CHUNK:
                importer.commit(chunk, checker)
                chunk, chunks = [], chunks + 1
                if progress:
                    progress(job)
                if crash_after_chunks is not None and chunks >= crash_after_chunks:
                    raise RuntimeError("simulated crash")
        if chunk:
            importer.commit(chunk, checker)
        transition(job, JobState.DONE, flow=JOB_FLOW, user=None, update_fields=[], changes={
            "finished_at": timezone.now(), "rows_done": max(job.rows_done, job.rows_total)})
        if progress:
            progress(job)
    except (ImportFailed, BusinessError) as error:
        _fail(job, str(getattr(error, "message", error)))
    except DecryptionError:
        _fail(job, _("无法解密导入文件：加密密钥（ECOMOPS_FIELD_KEY）与保存时不同，或文件已损坏；请重新上传"))
    except Exception as error:
        _fail(job, _("导入中断：%(error)s；可以继续导入，已提交的订单不会重复") % {"error": type(error).__name__})
        raise
    finally:
        if pairing is not None:
            pairing.close()
    return job


def _fail(job: ImportJob, message: str) -> None:
    # Set-based on purpose: it runs in the error handler and must never raise itself (running → failed
    # is always in JOB_FLOW); only these columns are written, whatever the job in memory holds.
    ImportJob.objects.filter(pk=job.pk).update(state=JobState.FAILED, failure=message[:500],
                                               finished_at=timezone.now())
    job.state, job.failure = JobState.FAILED, message[:500]
    log.warning("order import %s failed: %s", job, message)


def _delimiter(fmt: ImportFormat) -> str:
    value = fmt.delimiter or ","
    return "\t" if value in ("\\t", "tab", "TAB") else value

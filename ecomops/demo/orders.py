"""Large synthetic order sets for benchmarks: ``ecomops demo --orders N``.

Orders go straight into the tables in bulk (chunks of ``CHUNK`` orders, one transaction each, constant
memory), spread over the last 60 days across the demo company's stores, with one to three lines of
the stores' SKUs, paid and mostly completed, plus refunds on about 3 % of them. They are data for
measuring reports and pay runs, not a replay of the order workflow: there are no events, payments or
stock movements behind them (the real demo orders of ``make run`` go through the import instead).

Receivers are fictional and drawn from a small pool (their hashes computed once); the encrypted
columns are encrypted row by row like any other order's.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

CHUNK = 5000
DAYS = 60
PREFIX = "BULK"
CENT = Decimal("0.01")
SHANGHAI = ZoneInfo("Asia/Shanghai")

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超"]
PLACES = [
    ("浙江省", "杭州市", "西湖区"), ("上海市", "上海市", "浦东新区"), ("广东省", "深圳市", "南山区"),
    ("北京市", "北京市", "朝阳区"), ("江苏省", "苏州市", "工业园区"), ("四川省", "成都市", "武侯区"),
    ("湖北省", "武汉市", "洪山区"), ("福建省", "厦门市", "思明区"), ("山东省", "青岛市", "市南区"),
    ("陕西省", "西安市", "雁塔区"),
]
STREETS = ["文三路", "南京东路", "科技园南路", "建国路", "星湖街", "天府大道", "珞喻路", "鹭江道", "香港中路",
           "小寨东路"]


def receiver_pool(rng: random.Random, size: int = 400) -> list[dict]:
    """Fictional receivers with the hashes the orders keep beside them (computed by the orders' own
    receiver setter, so merging and matching treat them like imported ones)."""
    from ecomops.orders.actions import set_receiver
    from ecomops.orders.models import Order

    pool = []
    for n in range(size):
        province, city, district = PLACES[n % len(PLACES)]
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        address = f"{province}{city}{district}{rng.choice(STREETS)}{rng.randrange(1, 999)}号{rng.randrange(1, 30)}幢" \
                  f"{rng.randrange(1, 6)}单元{rng.randrange(101, 2801)}室"
        probe = Order()
        set_receiver(probe, name=name, phone=phone, address=address, province=province, city=city,
                      district=district)
        pool.append({
            "name": name, "phone": phone, "address": address,
            "phone_hash": probe.phone_hash, "receiver_hash": probe.receiver_hash, "name_hash": probe.name_hash,
            "province": province, "city": city, "district": district, "nick": f"buyer_{n:04d}",
        })
    return pool


def build_bulk_orders(count: int, *, seed: int = 20261123, progress: Callable[[int, int], None] | None = None) -> int:
    """Add ``count`` synthetic orders to the demo company's stores; returns how many were made."""
    from ecomops.catalog.models import SKU
    from ecomops.orders.enums import OrderState, PaymentMethod, RefundSource
    from ecomops.orders.models import Order, OrderLine, Refund
    from ecomops.org.models import Store

    stores = list(Store.objects.filter(status="active").select_related("client").order_by("code"))
    if not stores:
        raise ValueError("no active store: build the demo company first (ecomops demo)")
    skus_by_client = {}
    for store in stores:
        if store.client_id not in skus_by_client:
            skus_by_client[store.client_id] = list(
                SKU.objects.filter(client_id=store.client_id).order_by("pk").values_list("pk", "sku_code",
                                                                                        "style__price")
            )
    stores = [s for s in stores if skus_by_client.get(s.client_id)]
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    pool = receiver_pool(rng)
    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    now = timezone.now()
    start = timezone.localdate() - timedelta(days=DAYS)
    offset = Order.objects.filter(platform_order_no__startswith=PREFIX).count()
    made = 0
    while made < count:
        size = min(CHUNK, count - made)
        orders, line_specs = [], []
        for n in range(size):
            store = stores[(offset + made + n) % len(stores)]
            who = pool[rng.randrange(len(pool))]
            day = start + timedelta(days=rng.randrange(DAYS))
            placed = timezone.make_aware(datetime.combine(day, time(rng.randrange(8, 24), rng.randrange(60))))
            paid = placed + timedelta(minutes=rng.randrange(1, 30))
            lines = []
            for line_no in range(1, rng.choice((1, 1, 1, 2, 2, 3)) + 1):
                pk, code, price = rng.choice(skus_by_client[store.client_id])
                qty = rng.choice((1, 1, 1, 2, 3))
                unit = (price or Decimal("50.00")).quantize(CENT, ROUND_HALF_UP)
                lines.append((line_no, pk, code, qty, unit, (unit * qty).quantize(CENT, ROUND_HALF_UP)))
            goods = sum((amount for *_, amount in lines), Decimal("0.00"))
            age = (timezone.localdate() - day).days
            state = OrderState.COMPLETED if age > 10 else OrderState.SHIPPED if age > 2 else OrderState.PAID
            orders.append(Order(
                store_id=store.pk, platform_order_no=f"{PREFIX}{offset + made + n + 1:09d}", state=state,
                buyer_nick=who["nick"], receiver_name=who["name"], receiver_phone=who["phone"],
                receiver_address=who["address"], phone_hash=who["phone_hash"], receiver_hash=who["receiver_hash"],
                name_hash=who["name_hash"],
                province=who["province"], city=who["city"], district=who["district"], goods_amount=goods,
                paid_amount=goods, payment_method=PaymentMethod.PLATFORM, placed_at=placed, paid_at=paid,
                confirm_due_at=paid + timedelta(hours=24), confirmed_at=paid + timedelta(hours=1),
                shipped_at=paid + timedelta(hours=20) if state != OrderState.PAID else None,
                completed_at=paid + timedelta(days=8) if state == OrderState.COMPLETED else None,
            ))
            line_specs.append(lines)
        with transaction.atomic():
            Order.objects.bulk_create(orders, batch_size=1000)
            numbers = [o.platform_order_no for o in orders]
            ids = dict(Order.objects.filter(platform_order_no__in=numbers).values_list("platform_order_no", "pk"))
            rows, refunds = [], []
            for order, lines in zip(orders, line_specs, strict=True):
                order_id = ids[order.platform_order_no]
                for line_no, sku_id, code, qty, unit, amount in lines:
                    rows.append(OrderLine(order_id=order_id, line_no=line_no, sku_id=sku_id, platform_sku_code=code,
                                          quantity=qty, unit_price=unit, amount=amount))
                if order.state == OrderState.COMPLETED and rng.random() < 0.03:
                    refunded_at = min(order.paid_at + timedelta(days=9), now)
                    refunds.append(Refund(order_id=order_id, amount=lines[0][5], source=RefundSource.AFTER_SALES,
                                          reason="演示数据：售后退款", refunded_at=refunded_at, recorded_by=admin))
            OrderLine.objects.bulk_create(rows, batch_size=2000)
            Refund.objects.bulk_create(refunds, batch_size=2000)
        made += size
        if progress:
            progress(made, count)
    return made


# --- The demo company's order history (make run): platform export files, imported like real ones ------


@dataclass
class DemoLine:
    code: str  # what the platform export carries: the store's platform SKU code, else the barcode
    title: str
    quantity: int
    unit_price: Decimal


@dataclass
class DemoOrder:
    store: str
    number: str
    buyer_nick: str
    name: str
    phone: str
    province: str
    city: str
    district: str
    street: str
    placed_at: datetime
    paid_at: datetime | None
    status: str  # unpaid / paid / shipped / completed / cancelled (the platform's view)
    lines: list[DemoLine] = field(default_factory=list)
    merchant_note: str = ""
    buyer_message: str = ""

    @property
    def amount(self) -> Decimal:
        return sum((line.unit_price * line.quantity for line in self.lines), Decimal("0.00"))


# Orders per day of each demo store on an ordinary weekday; weekends sell a third more and the
# Double 11 (11-11) about four times as much.
DAILY_ORDERS = {"SL-TM": 22, "SL-TB": 9, "SL-JD": 7, "SY-PDD": 14, "SY-AMZ": 4}
MESSAGES = ["请尽快发货，谢谢", "送人的，不要放价格单", "周末不在家，请工作日送达", "可以开发票吗？",
            "麻烦多给几个小样", "请用顺丰发货，运费我补"]
NOTES = ["老客户，赠送试饮装", "已电话确认地址", "需开具电子发票", "客户要求改发顺丰"]


def _day_volume(store: str, day: date, rng: random.Random) -> int:
    base = DAILY_ORDERS.get(store, 5)
    if day.month == 11 and day.day == 11:
        base *= 4
    elif day.weekday() >= 5:
        base = base * 4 // 3
    return max(0, base + rng.randrange(-base // 4 - 1, base // 4 + 2))


def order_history(*, today: date, catalogue: dict[str, list[tuple[str, str, Decimal, bool]]], days: int = DAYS,
                  seed: int = 20261123) -> dict[str, list[DemoOrder]]:
    """``days`` days of orders per store up to ``today`` (deterministic for a seed).

    ``catalogue[store]`` lists what the store sells as (export code, title, price, in stock). Orders of
    the last two days prefer goods in stock (they will be reviewed and allocated in the system); a few
    carry buyer messages or merchant notes (manual review, ORD-03), a few an unknown code (the
    exception queue), some stay unpaid, some are cancelled."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    history: dict[str, list[DemoOrder]] = {}
    for store, goods in sorted(catalogue.items()):
        if not goods:
            continue
        in_stock = [g for g in goods if g[3]] or goods
        orders = []
        serial = 0
        for back in range(days, -1, -1):
            day = today - timedelta(days=back)
            for _n in range(_day_volume(store, day, rng)):
                serial += 1
                minute = rng.randrange(7 * 60, 23 * 60 + 50)
                placed = timezone.make_aware(datetime.combine(day, time(minute // 60, minute % 60)))
                if back == 0 and placed > timezone.now():
                    continue
                province, city, district = PLACES[rng.randrange(len(PLACES))]
                order = DemoOrder(
                    store=store, number=f"{store.replace('-', '')}{day:%y%m%d}{serial:05d}",
                    buyer_nick=f"{rng.choice(['tea', 'home', 'lucky', 'xiao', 'momo'])}_{rng.randrange(10**5):05d}",
                    name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                    phone=f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
                    province=province, city=city, district=district,
                    street=f"{rng.choice(STREETS)}{rng.randrange(1, 999)}号{rng.randrange(1, 30)}幢"
                           f"{rng.randrange(1, 6)}单元{rng.randrange(101, 2801)}室",
                    placed_at=placed, paid_at=None, status="unpaid",
                )
                pool = in_stock if back <= 1 else goods
                for _line in range(rng.choice((1, 1, 1, 1, 2, 2, 3))):
                    code, title, price, _stock = rng.choice(pool)
                    order.lines.append(DemoLine(code=code, title=title, quantity=rng.choice((1, 1, 1, 2)),
                                                unit_price=price))
                roll = rng.random()
                if roll < 0.03:
                    order.status = "cancelled"
                elif roll < 0.05 and back <= 1:
                    order.status = "unpaid"
                else:
                    order.paid_at = placed + timedelta(minutes=rng.randrange(1, 40))
                    order.status = "completed" if back >= 10 else "shipped" if back >= 2 else "paid"
                if rng.random() < 0.06:
                    order.buyer_message = rng.choice(MESSAGES)
                if rng.random() < 0.03:
                    order.merchant_note = rng.choice(NOTES)
                if back == 1 and _n in (0, 5) and store in ("SL-TM", "SY-PDD"):
                    # An old listing's code the catalogue no longer knows: the exception queue (ORD-02).
                    order.lines[0] = DemoLine(code=f"OLD-{rng.randrange(1000):03d}", title="已下架旧链接商品",
                                              quantity=1, unit_price=Decimal("59.00"))
                orders.append(order)
        history[store] = orders
    return history


# Which export each demo store sends, and how the file is saved (as the platforms' own downloads are).
STORE_EXPORTS = {
    "SL-TM": ("tmall", "csv", "utf-8-sig"),
    "SL-TB": ("taobao", "csv", "gb18030"),
    "SL-JD": ("jd", "xlsx", ""),
    "SY-PDD": ("pinduoduo", "csv", "utf-8"),
    "SY-AMZ": ("amazon", "txt", "utf-8"),
}
# The first export of each store covers the older days as they stood then; the second the recent days
# as they stand today, overlapping OVERLAP days (those orders come in twice, some with a new status).
FIRST_EXPORT_AGE, OVERLAP = 20, 5


def _status_then(order: DemoOrder, today: date, as_of: date) -> str:
    if order.status in ("unpaid", "cancelled"):
        return order.status
    age = (as_of - order.placed_at.date()).days
    return "completed" if age >= 10 else "shipped" if age >= 2 else "paid"


def _export_rows(fmt, orders: list[DemoOrder], statuses: dict[str, str], *, bad_row: bool = False):
    """Header and rows of ``orders`` in the layout of import format ``fmt`` (its first header names)."""
    columns = fmt.columns
    first_of = {name: ((spec.get("join") or spec.get("sum"))[0] if isinstance(spec, dict)
                       else spec if isinstance(spec, str) else spec[0])
                for name, spec in columns.items()}
    text_of = {}
    for text, status in fmt.statuses.items():
        text_of.setdefault(status, text)
    # A platform without a word for "completed" (Amazon) reports it as received, else as shipped.
    for status, fallbacks in (("completed", ("received", "shipped")), ("received", ("shipped",))):
        for other in fallbacks:
            if status not in text_of and other in text_of:
                text_of[status] = text_of[other]
    header = list(dict.fromkeys(first_of.values()))
    has_region = "province" in columns
    rows = []
    for index, order in enumerate(orders):
        status = statuses[order.number]
        for line in order.lines:
            address = order.street if has_region else f"{order.province} {order.city} {order.district} {order.street}"
            values = {
                "order_no": order.number, "buyer_nick": order.buyer_nick, "receiver_name": order.name,
                "receiver_phone": order.phone, "receiver_address": address, "province": order.province,
                "city": order.city, "district": order.district, "sku_code": line.code, "title": line.title,
                "quantity": str(line.quantity), "unit_price": f"{line.unit_price:.2f}",
                "line_amount": f"{line.unit_price * line.quantity:.2f}", "paid_amount": f"{order.amount:.2f}",
                "shipping_fee": "0.00", "status": text_of.get(status, ""),
                "placed_at": order.placed_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
                "paid_at": order.paid_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S") if order.paid_at else "",
                "merchant_note": order.merchant_note, "buyer_message": order.buyer_message, "transaction_no": "",
            }
            if bad_row and index == len(orders) // 2:
                values["quantity"] = "两件"  # a clerk typed into the export: the import reports the row
            cells = dict.fromkeys(header, "")
            for name, head in first_of.items():
                cells[head] = values.get(name, "")
            rows.append([cells[h] for h in header])
    return header, rows


def _pair_export(fmt, orders: list[DemoOrder], statuses: dict[str, str], *, bad_row: bool = False):
    """ORD-02: a two-file format's export (Taobao/Tmall 订单报表 + 宝贝报表): the order file with one row
    per order (``fmt.columns``), the item file with one row per line (``fmt.line_columns``)."""

    class Part:  # one file's columns, in the shape ``_export_rows`` reads
        def __init__(self, columns):
            self.columns, self.statuses = columns, fmt.statuses

    header, rows = _export_rows(Part(fmt.columns), orders, statuses)
    at = header.index(fmt.columns["order_no"][0])
    seen, order_rows = set(), []
    for row in rows:  # one row per line, the order's cells repeated: the first row of each order
        if row[at] not in seen:
            seen.add(row[at])
            order_rows.append(row)
    line_header, line_rows = _export_rows(Part(fmt.line_columns), orders, statuses, bad_row=bad_row)
    return (header, order_rows), (line_header, line_rows)


def _write_export(path, kind: str, encoding: str, delimiter: str, header, rows) -> None:
    from ecomops.core import spreadsheets  # like every file EcomOps writes: no cell becomes a formula

    if kind == "xlsx":
        book = spreadsheets.workbook()
        sheet = book.create_sheet()
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        book.save(path)
        return
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = spreadsheets.csv_writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)


def import_history(*, admin, today: date, directory) -> dict:
    """The demo's 60 days of orders: two overlapping exports per store written in the store's platform
    format and imported through the order import, like a real first week with EcomOps."""
    from pathlib import Path

    from django.core.files import File

    from ecomops.catalog.models import SKU, PlatformSKU
    from ecomops.inventory.models import StockBalance
    from ecomops.orderimport import actions as import_actions
    from ecomops.orderimport import engine
    from ecomops.orderimport.models import ImportFormat
    from ecomops.org.models import Store

    stores = {s.code: s for s in Store.objects.filter(code__in=STORE_EXPORTS).select_related("client")}
    from ecomops.inventory.enums import SELLABLE_BIN_KINDS

    stocked = set(StockBalance.objects.filter(on_hand__gt=0, bin__kind__in=SELLABLE_BIN_KINDS)
                  .values_list("sku_id", flat=True))
    catalogue = {}
    for code, store in stores.items():
        platform_codes = dict(PlatformSKU.objects.filter(store=store).values_list("sku_id", "platform_sku_code"))
        goods = []
        for sku in SKU.objects.filter(client=store.client).select_related("style").order_by("sku_code"):
            export_code = platform_codes.get(sku.pk) or sku.barcode or sku.sku_code
            title = f"{sku.style.name} {sku.colour} {sku.size}".strip()
            goods.append((export_code, title[:60], sku.style.price or Decimal("59.00"), sku.pk in stocked))
        catalogue[code] = goods
    history = order_history(today=today, catalogue=catalogue)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    counts = {"import_jobs": 0, "orders": 0, "rows_refused": 0}
    first_as_of = today - timedelta(days=FIRST_EXPORT_AGE)
    for code, orders in history.items():
        fmt_code, kind, encoding = STORE_EXPORTS[code]
        fmt = ImportFormat.objects.get(code=fmt_code)
        delimiter = "\t" if fmt.delimiter in ("\t", "\\t") else fmt.delimiter
        # The older export leaves out its last two days (still being shipped then), so every order that
        # comes in twice had left the warehouse by the first export.
        older = [o for o in orders if o.placed_at.date() <= first_as_of - timedelta(days=2)]
        recent = [o for o in orders if o.placed_at.date() > first_as_of - timedelta(days=OVERLAP)]
        exports = [
            (f"{code}-{first_as_of:%Y%m%d}.{kind}", older,
             {o.number: _status_then(o, today, first_as_of) for o in older}, False),
            (f"{code}-{today:%Y%m%d}.{kind}", recent, {o.number: _status_then(o, today, today) for o in recent},
             code == "SL-TB"),
        ]
        for name, chosen, statuses, bad in exports:
            if fmt.is_pair:  # Taobao, Tmall: the seller centre's two files, imported as one job (ORD-02)
                stamp = name.rsplit("-", 1)[1].split(".")[0]
                order_part, line_part = _pair_export(fmt, chosen, statuses, bad_row=bad)
                paths = [directory / f"{code}-ExportOrderList{stamp}.{kind}",
                         directory / f"{code}-ExportOrderDetailList{stamp}.{kind}"]
                for path, (header, rows) in zip(paths, (order_part, line_part), strict=True):
                    _write_export(path, kind, encoding, delimiter, header, rows)
                with paths[0].open("rb") as handle, paths[1].open("rb") as second:
                    job = import_actions.create_job(user=admin, store=stores[code], fmt=fmt,
                                                    upload=File(handle, name=paths[0].name),
                                                    second=File(second, name=paths[1].name),
                                                    second_name=paths[1].name)
                job = engine.run(job)
                counts["import_jobs"] += 1
                counts["rows_refused"] += job.rows_failed
                continue
            header, rows = _export_rows(fmt, chosen, statuses, bad_row=bad)
            path = directory / name
            _write_export(path, kind, encoding, delimiter, header, rows)
            with path.open("rb") as handle:
                job = import_actions.create_job(user=admin, store=stores[code], fmt=fmt,
                                                upload=File(handle, name=name))
            job = engine.run(job)
            counts["import_jobs"] += 1
            counts["rows_refused"] += job.rows_failed
    from ecomops.orders.models import Order

    counts["parcels"] = demo_parcels(admin=admin)
    counts["orders"] = Order.objects.count()
    return counts


def demo_parcels(*, admin) -> int:
    """ORD-08 in the demo: one open order split into two parcels (the second to a friend's address), one
    buyer's second order of the day merged with her first, and another buyer's second order left for the
    clerk to merge from the order page."""
    from ecomops.orders import actions, parcels
    from ecomops.orders.actions import LineInput
    from ecomops.orders.enums import OrderState, PaymentMethod
    from ecomops.orders.models import RECEIVER_FIELDS, Order

    open_states = [OrderState.PAID, OrderState.AWAITING_REVIEW, OrderState.REVIEWED]
    candidates = (Order.objects.filter(state__in=open_states, warehouse__isnull=True)
                  .exclude(payment_method=PaymentMethod.COD).exclude(receiver_hash="").exclude(buyer_nick="")
                  .select_related("store").order_by("-placed_at", "pk"))
    made = 0
    split = next((o for o in candidates[:200] if sum(line.quantity for line in o.lines.all()) >= 2), None)
    if split is not None:
        lines = list(split.lines.order_by("line_no"))
        first, rest = {}, {}
        for line in lines:
            if not first:
                first[line.pk] = 1
                if line.quantity > 1:
                    rest[line.pk] = line.quantity - 1
            else:
                rest[line.pk] = line.quantity
        friend = {"receiver_name": "周晓雯", "receiver_phone": "13905710088",
                  "receiver_address": "学院路 77 号 2 单元 301 室", "province": "浙江省", "city": "杭州市",
                  "district": "西湖区"}
        parts = [{"lines": first}, {"lines": rest, "receiver": friend}]
        made += len(parcels.split_order(split, user=admin, parts=parts, reason="买家要求一件寄给朋友"))
    # Two buyers order again two hours later: the first pair is merged, the second is left for the clerk
    # (the order page offers the merge).
    bases = [o for o in candidates[:200] if o.pk != getattr(split, "pk", None) and o.lines.exists()][:2]
    for n, base in enumerate(bases):
        line = base.lines.order_by("line_no").first()
        receiver = {key: getattr(base, key) for key in RECEIVER_FIELDS}
        # Two hours later, but never in the future (the newest orders were placed minutes ago).
        now = timezone.now()
        placed = min(base.placed_at + timedelta(hours=2), max(now - timedelta(minutes=10),
                                                              base.placed_at + timedelta(minutes=1)))
        again = actions.create_order(
            user=admin, store=base.store, platform_order_no=f"{base.platform_order_no}-2",
            placed_at=placed, buyer_nick=base.buyer_nick,
            paid_amount=line.unit_price, goods_amount=line.unit_price,
            lines=[LineInput(quantity=1, unit_price=line.unit_price, platform_sku_code=line.platform_sku_code,
                             title=line.title)], **receiver)
        actions.mark_paid(again, user=admin, paid_at=min(placed + timedelta(minutes=5), now))
        if n == 0:
            parcels.merge_orders([base, again], user=admin, reason="同一买家当天两单，合并发货省运费")
            made += 1
    return made

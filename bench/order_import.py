"""Benchmark: the platform order import end to end vs a raw insert of the same rows (issue 5 speed).

    .venv/bin/python bench/order_import.py [--lines 200000] [--memory]

Runs on a fresh SQLite file database of its own (or on DATABASE_URL when set, e.g. a throwaway
PostgreSQL). Writes a Taobao-format CSV of ``--lines`` order lines (two or three lines per order,
GB18030-free UTF-8, streamed to a temporary file), then measures:

1. The import through ``orderimport.engine.run``: stream, map, check every row, group, match SKUs,
   encrypt the receiver, bulk-insert orders, lines, events, payment records, history rows and the
   import keys, 500 orders per transaction with the checkpoint.
   Raw limit: the same rows already parsed in memory, inserted with one ``executemany`` per table
   (orders, then lines) into the same tables with the same indexes, one transaction per 500 orders —
   no parsing, no checks, no encryption, no events, no history.
2. Re-importing the same file (every order unchanged): the aim is at most half the first run.
3. With ``--memory``: peak memory (tracemalloc) of importing N and 10 N lines; it stays flat because
   the file is streamed and the work is chunked.

Prints lines/s and ratios (raw seconds ÷ import seconds; the issue aims for at least 0.3 on SQLite).
No thresholds are asserted: the numbers are for people to compare.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import common  # noqa: E402 - bench/common.py, beside this script

HEADER = ["订单编号", "买家会员名", "收货人姓名", "联系手机", "收货地址", "商品编码", "宝贝标题", "购买数量", "价格",
          "实付金额", "订单状态", "订单创建时间", "订单付款时间", "商家备注", "买家留言"]
SKUS = 500


def setup() -> str:
    where = common.setup(DJANGO_DEBUG="false", ECOMOPS_TASKS_BACKEND="immediate")
    # The import alone is measured: automatic review of the imported orders (ORD-03), which the import
    # starts after each chunk, is measured by bench/order_review.py.
    from ecomops.orders import hooks

    hooks.review_imported = lambda *, store, order_ids: None
    return where


def world(tag: str):
    from django.contrib.auth import get_user_model

    from ecomops.catalog.models import SKU, PlatformSKU, Style
    from ecomops.org.models import Client, Platform, Store

    user = get_user_model().objects.filter(username="bench").first() or get_user_model().objects.create_superuser(
        "bench", password=None)
    client = Client.objects.create(code=f"B{tag}", name=f"基准委托方 {tag}")
    store = Store.objects.create(code=f"S{tag}", name=f"基准店铺 {tag}", client=client,
                                 platform=Platform.objects.get(code="taobao"), status="active")
    style = Style.objects.create(client=client, style_no=f"ST{tag}", name="基准款", unit_cost=Decimal(1),
                                 price=Decimal(2))
    skus = SKU.objects.bulk_create([SKU(client=client, style=style, sku_code=f"{tag}-{n:04d}", size=str(n),
                                        barcode=f"{tag}{n:08d}", barcode_source="external") for n in range(SKUS)])
    PlatformSKU.objects.bulk_create([PlatformSKU(store=store, sku=sku, platform_sku_code=f"TB{tag}{n:04d}")
                                     for n, sku in enumerate(skus)])
    return user, store


def rows(lines: int, tag: str, seed: int = 7):
    """The CSV rows: ``lines`` order lines, 2–3 per order."""
    rng = random.Random(seed)  # noqa: S311 - benchmark data
    made = order = 0
    while made < lines:
        order += 1
        count = min(rng.choice((2, 3)), lines - made)
        number = f"{tag}{order:012d}"
        paid = Decimal(0)
        body = []
        for _n in range(count):
            quantity, price = rng.randint(1, 3), Decimal(rng.randint(500, 30000)) / 100
            paid += price * quantity
            body.append([f"TB{tag}{rng.randrange(SKUS):04d}", "基准商品", str(quantity), f"{price:.2f}"])
        for code, title, quantity, price in body:
            address = f"浙江省 杭州市 西湖区 文三路 {order % 999} 号 3 幢 502 室"
            yield [number, f"buyer{order % 5000}", "王小二", f"138{order % 10**8:08d}", address, code, title,
                   quantity, price, f"{paid:.2f}", "买家已付款，等待卖家发货", "2026-03-02 09:15:00",
                   "2026-03-02 09:16:30", "", ""]
        made += count


def write_csv(path: Path, lines: int, tag: str) -> None:
    from ecomops.core import spreadsheets

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = spreadsheets.csv_writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows(lines, tag))


def run_import(user, store, path: Path):
    from django.core.files import File

    from ecomops.orderimport import actions, engine
    from ecomops.orderimport.models import ImportFormat

    with path.open("rb") as handle:
        job = actions.create_job(user=user, store=store, fmt=ImportFormat.objects.get(code="taobao_merged"),
                                 upload=File(handle, name=path.name))
    started = time.perf_counter()
    job = engine.run(job)
    return time.perf_counter() - started, job


def raw_insert(store, path: Path, tag: str) -> float:
    """Parse everything first (not timed), then time executemany into the same tables."""
    from django.db import connection, transaction
    from django.utils import timezone

    from ecomops.catalog.models import PlatformSKU

    sku_of = dict(PlatformSKU.objects.filter(store=store).values_list("platform_sku_code", "sku_id"))
    now = timezone.now()
    orders: dict[str, list] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for row in reader:
            orders.setdefault(row[0], []).append(row)
    # The raw copy uses its own order numbers so it never collides with the import's rows.
    order_rows = []
    for number, group in orders.items():
        first = group[0]
        order_rows.append((store.pk, f"R{number}", "paid", "", "", first[1], first[2], first[3], first[4], "", "", "",
                           "", "", first[9], "0.00", "0.00", first[9], "platform", now, now, now, now, False, "",
                           "", "", "", "", "", now, now, "[]", "", ""))
    columns = ("store_id, platform_order_no, state, held_from, exception_reason, buyer_nick, receiver_name, "
               "receiver_phone, receiver_address, phone_hash, receiver_hash, province, city, district, goods_amount, "
               "shipping_fee, discount_amount, paid_amount, payment_method, placed_at, paid_at, confirm_due_at, "
               "confirmed_at, confirm_late, cancel_reason, merchant_note, buyer_message, courier, tracking_no, "
               "created_at, updated_at, review_reasons, allocation_state, allocation_note")
    marks = ", ".join(["%s"] * 34)
    order_rows = [row[:24] + row[25:] for row in order_rows]  # reviewed_at … are left NULL
    started = time.perf_counter()
    chunk = 500
    numbers = list(orders)
    for start in range(0, len(numbers), chunk):
        with transaction.atomic(), connection.cursor() as cursor:
            part = order_rows[start:start + chunk]
            cursor.executemany(f"INSERT INTO orders_order ({columns}) VALUES ({marks})", part)  # noqa: S608
            marks_in = ", ".join(["%s"] * len(part))
            query = f"SELECT platform_order_no, id FROM orders_order WHERE store_id = %s AND platform_order_no IN ({marks_in})"  # noqa: E501, S608
            cursor.execute(query, [store.pk, *[r[1] for r in part]])
            ids = dict(cursor.fetchall())
            lines = []
            for number in numbers[start:start + chunk]:
                for n, row in enumerate(orders[number], start=1):
                    price = Decimal(row[8])
                    lines.append((ids[f"R{number}"], n, sku_of.get(row[5]), row[5], row[6], int(row[7]), str(price),
                                  str(price * int(row[7])), "", ""))
            cursor.executemany("INSERT INTO orders_orderline (order_id, line_no, sku_id, platform_sku_code, title, "
                               "quantity, unit_price, amount, platform_sku_id, attributes) "
                               "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", lines)
    return time.perf_counter() - started


def peak_memory(user, lines: int, tag: str) -> float:
    _user, store = world(tag)
    path = Path(tempfile.mkdtemp()) / f"mem-{tag}.csv"
    write_csv(path, lines, tag)
    tracemalloc.start()
    run_import(user, store, path)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1024 / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--memory", action="store_true", help="also compare peak memory at N/10 and N lines")
    args = parser.parse_args()
    where = setup()
    print(f"database: {where}; {args.lines:,} order lines")
    user, store = world("A")
    path = Path(tempfile.mkdtemp()) / "orders.csv"
    write_csv(path, args.lines, "A")
    first, job = run_import(user, store, path)
    print(f"import        {first:8.1f} s  {args.lines / first:10,.0f} lines/s  ({job.orders_created:,} orders, "
          f"{job.rows_failed} rows refused)")
    raw = raw_insert(store, path, "A")
    print(f"raw insert    {raw:8.1f} s  {args.lines / raw:10,.0f} lines/s  → ratio raw/import = {raw / first:.2f}")
    again, job2 = run_import(user, store, path)
    print(f"re-import     {again:8.1f} s  {args.lines / again:10,.0f} lines/s  ({job2.orders_unchanged:,} unchanged) "
          f"→ re-import/first = {again / first:.2f}")
    if args.memory:
        small = max(args.lines // 10, 1000)
        low = peak_memory(user, small, "M")
        high = peak_memory(user, small * 10, "N")
        print(f"peak memory   {small:,} lines: {low:.1f} MiB; {small * 10:,} lines: {high:.1f} MiB "
              f"(×{high / low:.2f} for ×10 lines)")


if __name__ == "__main__":
    main()

"""Benchmark: import 10,000 SKUs from a real .xlsx file (CAT-04: "in seconds, not minutes").

    .venv/bin/python bench/catalog_import.py [--skus 10000] [--keep]

Runs on a fresh SQLite file database of its own (or on DATABASE_URL when set, e.g. a throwaway
PostgreSQL). It generates an .xlsx in the import template's format — 1,000 styles in 5 colours × 2
sizes, half the SKUs with an external EAN-13, every SKU with a platform SKU code in one store — then
times, in one process:

- parse: reading the .xlsx (openpyxl, read-only mode);
- import: checking every row and writing styles, SKUs, platform codes and their history rows;
- re-import: the same file again (nothing changes, nothing is written);
- raw limit: the same rows the import wrote, inserted with one ``executemany`` per table into empty
  tables of the same shape, in one transaction — the floor no ORM import can beat on this machine.

It prints rows per second and the ratio import ÷ raw limit (how many times slower than the bare
inserts the whole import is). No thresholds: the numbers are for people to compare across changes.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import common  # noqa: E402 - bench/common.py, beside this script


def setup() -> str:
    return common.setup()


def build_file(sku_count: int) -> bytes:
    from ecomops.catalog import barcodes
    from ecomops.catalog.importing import COLUMNS
    from ecomops.catalog.sheets import write_xlsx

    colours = ["黑色", "白色", "Red", "Navy", "卡其"]
    sizes = ["M", "L"]
    per_style = len(colours) * len(sizes)
    rows = []
    n = 0
    for style_index in range((sku_count + per_style - 1) // per_style):
        style_no = f"B{style_index:05d}"
        for colour in colours:
            for size in sizes:
                if n >= sku_count:
                    break
                body = f"69{n:010d}"
                barcode = body + str(barcodes.check_digit(body)) if n % 2 else ""
                rows.append([style_no, f"基准测试商品 {style_index}", "", "", colour, size, "", barcode,
                             Decimal("35.50"), Decimal("129.00") + (style_index % 7), "否", "支持七天无理由退货",
                             f"TB{n:08d}", "BENCH-TB"])
                n += 1
    out = io.BytesIO()
    write_xlsx([("商品", [c.header for c in COLUMNS], rows, {})], out)
    return out.getvalue()


def raw_limit(tables: list[str]) -> tuple[float, int]:
    """Seconds to insert, with executemany, the rows now in ``tables`` into empty copies of them."""
    from django.db import connection, transaction

    batches = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - our own table names
            rows = cursor.fetchall()
            columns = len(cursor.description)
            cursor.execute(f"DROP TABLE IF EXISTS raw_{table}")
            cursor.execute(f"CREATE TABLE raw_{table} AS SELECT * FROM {table} WHERE 1 = 0")  # noqa: S608
            placeholders = ", ".join(["%s"] * columns)
            batches.append((f"INSERT INTO raw_{table} VALUES ({placeholders})", rows))  # noqa: S608
    total = sum(len(rows) for _, rows in batches)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for sql, rows in batches:
            cursor.executemany(sql, rows)
    return time.perf_counter() - started, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file (its path is printed)")
    options = parser.parse_args()
    database = setup()

    from django.contrib.auth import get_user_model

    from ecomops.catalog import actions
    from ecomops.catalog.models import SKU, PlatformSKU, Style
    from ecomops.catalog.sheets import read_table
    from ecomops.org.models import Client, Platform, Store

    user = get_user_model().objects.create_superuser("bench", password=None)
    client = Client.objects.create(code="BENCH", name="基准测试委托方")
    Store.objects.create(code="BENCH-TB", name="基准测试淘宝店", client=client,
                         platform=Platform.objects.get(code="taobao"))

    data = build_file(options.skus)
    started = time.perf_counter()
    table = read_table(data, filename="bench.xlsx")
    parsed = time.perf_counter()
    result = actions.import_products(user=user, client=client, table=table)
    imported = time.perf_counter()
    again = actions.import_products(user=user, client=client, table=read_table(data, filename="bench.xlsx"))
    reimported = time.perf_counter()
    assert result.skus_created == options.skus and not again.changed, (result, again)

    tables = [m._meta.db_table for m in (Style, SKU, PlatformSKU)]
    tables += [m.history.model._meta.db_table for m in (Style, SKU, PlatformSKU)]
    raw_seconds, raw_rows = raw_limit(tables)

    parse_s, import_s, reimport_s = parsed - started, imported - parsed, reimported - imported
    total = parse_s + import_s
    print(f"database:      {database}")
    print(f"file:          {len(data) / 1024:.0f} KiB, {len(table.rows)} rows, {result.styles_created} styles")
    print(f"parse .xlsx:   {parse_s:6.2f} s")
    print(f"import:        {import_s:6.2f} s  (check every row + bulk writes with history)")
    print(f"parse+import:  {total:6.2f} s  = {options.skus / total:,.0f} SKU rows/s")
    print(f"re-import:     {reimport_s:6.2f} s  (same file, nothing written)")
    print(f"raw limit:     {raw_seconds:6.2f} s  executemany of the {raw_rows:,} rows the import wrote "
          f"= {options.skus / raw_seconds:,.0f} SKU rows/s")
    print(f"ratio:         import is {import_s / raw_seconds:.1f}× the raw limit "
          f"({total / raw_seconds:.1f}× with parsing)")
    path = os.environ.get("ECOMOPS_SQLITE_PATH")
    if path and options.keep:
        print(f"kept:          {path}")
    elif path:
        from django.db import connection

        connection.close()
        shutil.rmtree(os.path.dirname(path), ignore_errors=True)


if __name__ == "__main__":
    main()

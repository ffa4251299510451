"""Benchmark: the packing station's verification scans through the actions vs raw SQL (issue 18, FUL-02).

    .venv/bin/python bench/verification.py [--parcels 10000]

Runs on a fresh SQLite file database of its own (or on DATABASE_URL when set, e.g. a throwaway
PostgreSQL). Builds ``--parcels`` orders awaiting shipment (printed: warehouse, courier, tracking
number) of one to three units of different SKUs, in bulk (not measured), then measures:

1. The actions: per parcel ``fulfilment.actions.start_check`` by its tracking number (one
   transaction: the order found in scope and locked, the check, its history row, its lines and the
   "check started" order event), then ``scan_item`` once per unit by the SKU's barcode (one
   transaction each: the check and its lines locked, the unit counted; the last unit verifies the
   check with its history row and the "verified" order event).
2. The raw limit: the very same rows written with bare SQL in the same transaction pattern — per
   parcel one transaction inserting the check, its history row, its lines (``executemany``) and the
   event; per unit one transaction with ``UPDATE … SET scanned = scanned + 1``, the last one also
   updating the check's state, inserting its history row and the event — no checks, no locks, no reads
   (the ids are known to the script).

Prints parcels/s of each, the ratio (actions ÷ raw, in time per parcel) and the process's peak
resident memory after the actions' run (``ru_maxrss``: no tracing overhead in the timing). No thresholds
are asserted: the numbers are for people to compare.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import common  # noqa: E402 - bench/common.py, beside this script

SKUS = 200


def setup() -> str:
    return common.setup(DJANGO_DEBUG="false")


def world(parcels: int, tag: str):
    """``parcels`` orders awaiting shipment, each of 1–3 units (one unit per line, different SKUs), with
    a tracking number. Returns the user and [(tracking number, [SKU barcode per unit])]."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from ecomops.catalog.models import SKU, Style
    from ecomops.inventory import actions as stock
    from ecomops.orders.enums import Courier, OrderState
    from ecomops.orders.models import Order, OrderLine, StoreWarehouse
    from ecomops.org.models import Client, Platform, Store

    user = get_user_model().objects.filter(username="bench").first() or get_user_model().objects.create_superuser(
        "bench", password=None)
    client = Client.objects.create(code=f"B{tag}", name=f"基准 {tag}")
    store = Store.objects.create(code=f"S{tag}", name=f"基准店 {tag}", client=client,
                                 platform=Platform.objects.get(code="taobao"), status="active")
    warehouse = stock.create_warehouse(user=user, code=f"W{tag}", name=f"基准仓 {tag}")
    StoreWarehouse.objects.create(store=store, warehouse=warehouse, priority=1)
    style = Style.objects.create(client=client, style_no=f"ST{tag}", name="基准款", unit_cost=Decimal(1),
                                 price=Decimal(2))
    SKU.objects.bulk_create([SKU(client=client, style=style, sku_code=f"{tag}-{n:04d}", size=str(n),
                                 barcode=f"{tag}9{n:07d}", barcode_source="external") for n in range(SKUS)])
    skus = list(SKU.objects.filter(client=client).order_by("pk"))
    now = timezone.now()
    Order.objects.bulk_create([
        Order(store=store, platform_order_no=f"{tag}{n:09d}", state=OrderState.AWAITING_SHIPMENT, placed_at=now,
              paid_at=now, confirm_due_at=now + timedelta(hours=24), paid_amount=Decimal("10.00"),
              goods_amount=Decimal("10.00"), receiver_name="王小二", receiver_phone="13812345678",
              receiver_address="文三路 1 号", province="浙江省", city="杭州市", warehouse=warehouse,
              courier=Courier.values[0], tracking_no=f"SF{tag}{n:011d}")
        for n in range(parcels)], batch_size=1000)
    made = list(Order.objects.filter(store=store).order_by("pk").values_list("pk", "tracking_no"))
    rng = random.Random(18)  # noqa: S311 - benchmark data
    lines, plan = [], []
    for order_id, tracking_no in made:
        units = rng.sample(skus, rng.choice((1, 2, 3)))
        for line_no, sku in enumerate(units, start=1):
            lines.append(OrderLine(order_id=order_id, line_no=line_no, sku=sku, platform_sku_code=sku.sku_code,
                                   quantity=1, unit_price=Decimal("5.00"), amount=Decimal("5.00")))
        plan.append((order_id, tracking_no, [(sku.pk, sku.barcode) for sku in units]))
    OrderLine.objects.bulk_create(lines, batch_size=2000)
    return user, plan


def run_actions(user, plan) -> float:
    from ecomops.fulfilment import actions

    started = time.perf_counter()
    for _order_id, tracking_no, units in plan:
        check = actions.start_check(tracking_no, user=user)
        for _sku_id, barcode in units:
            result = actions.scan_item(check, barcode, user=user)
        assert result.complete  # noqa: S101 - the last unit verifies the check
    return time.perf_counter() - started


def _insert(table: str, columns: list[str], returning: bool = False) -> str:
    from django.db import connection

    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608 - our tables
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    return sql + (f" RETURNING {quote('id')}" if returning else "")


def run_raw(user, plan) -> float:
    """The rows the actions write, by hand: the check, its history rows, its lines and the two events."""
    from django.db import connection, transaction
    from django.utils import timezone

    from ecomops.fulfilment.models import PackCheck, PackCheckLine
    from ecomops.orders.enums import OrderEventKind, OrderState
    from ecomops.orders.models import OrderEvent

    quote = connection.ops.quote_name
    check_table = PackCheck._meta.db_table
    history_table = PackCheck.history.model._meta.db_table
    line_table = PackCheckLine._meta.db_table
    event_table = OrderEvent._meta.db_table
    check_cols = ["order_id", "state", "started_by_id", "started_at", "material_quantity", "tolerance_citation",
                  "recheck", "recheck_reason", "discard_reason"]
    history_cols = ["id", "order_id", "state", "started_by_id", "started_at", "verified_at", "material_quantity",
                    "tolerance_citation", "recheck", "recheck_reason", "discard_reason", "history_date",
                    "history_change_reason", "history_type", "history_user_id"]
    event_cols = ["order_id", "kind", "from_state", "to_state", "actor_id", "at", "note", "data"]
    insert_check = _insert(check_table, check_cols, returning=True)
    insert_history = _insert(history_table, history_cols)
    insert_line = _insert(line_table, ["check_id", "sku_id", "expected", "scanned"])
    insert_event = _insert(event_table, event_cols)
    scan = (f"UPDATE {quote(line_table)} SET {quote('scanned')} = {quote('scanned')} + 1 "  # noqa: S608
            f"WHERE {quote('check_id')} = %s AND {quote('sku_id')} = %s")
    verify = (f"UPDATE {quote(check_table)} SET {quote('state')} = %s, {quote('verified_at')} = %s "  # noqa: S608
              f"WHERE {quote('id')} = %s")
    waiting = OrderState.AWAITING_SHIPMENT
    started = time.perf_counter()
    for order_id, _tracking_no, units in plan:
        with transaction.atomic(), connection.cursor() as cursor:
            now = timezone.now()
            cursor.execute(insert_check, [order_id, "verifying", user.pk, now, 0, "", False, "", ""])
            check_id = cursor.fetchone()[0]
            cursor.execute(insert_history, [check_id, order_id, "verifying", user.pk, now, None, 0, "", False, "", "",
                                            now, "开始验货", "+", user.pk])
            cursor.executemany(insert_line, [(check_id, sku_id, 1, 0) for sku_id, _barcode in units])
            cursor.execute(insert_event, [order_id, OrderEventKind.CHECK_STARTED, waiting, waiting, user.pk, now, "",
                                          json.dumps({"check": check_id, "units": len(units)})])
        for n, (sku_id, _barcode) in enumerate(units, start=1):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(scan, [check_id, sku_id])
                if n == len(units):
                    now = timezone.now()
                    cursor.execute(verify, ["verified", now, check_id])
                    cursor.execute(insert_history, [check_id, order_id, "verified", user.pk, now, now, 0, "", False,
                                                    "", "", now, "验货通过", "~", user.pk])
                    cursor.execute(insert_event, [order_id, OrderEventKind.VERIFIED, waiting, waiting, user.pk, now,
                                                  "", json.dumps({"check": check_id, "units": len(units)})])
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parcels", type=int, default=10_000)
    parser.add_argument("--tag", default="V", help="prefix of the built data (to run again on one database)")
    args = parser.parse_args()
    print(f"database: {setup()}; {args.parcels:,} parcels awaiting shipment")
    from ecomops.policy import registry  # noqa: F401 - loaded before timing, as in a running server

    user, plan = world(args.parcels, args.tag)
    units = sum(len(u) for _o, _t, u in plan)
    ours = run_actions(user, plan)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(f"{args.parcels:,} parcels, {units:,} unit scans")
    print(f"actions start_check + scan_item  {ours:8.1f} s  {args.parcels / ours:8,.0f} parcels/s  "
          f"{units / ours:8,.0f} scans/s  (peak RSS {peak / 1024:.0f} MiB)")
    _user, plan = world(args.parcels, args.tag + "R")
    raw = run_raw(user, plan)
    print(f"raw SQL, the same rows           {raw:8.1f} s  {args.parcels / raw:8,.0f} parcels/s  "
          f"{units / raw:8,.0f} scans/s")
    print(f"ratio actions / raw (time per parcel): {ours / raw:.1f}")


if __name__ == "__main__":
    main()

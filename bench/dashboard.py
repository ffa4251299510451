"""Benchmark: the management dashboard (DAT-01) over many orders (issue 17 speed).

    .venv/bin/python bench/dashboard.py [--orders 1000000] [--repeat 5]

Runs on a fresh SQLite file database of its own (or on DATABASE_URL when set, e.g. a throwaway
PostgreSQL). Builds the demo company, then adds ``--orders`` synthetic orders of the last 60 days the
way ``ecomops demo --orders`` does. Then times, on the same data, for this month (and last month, the
comparison):

- the hand-written limit: the same figures as plain SQL GROUP BY / COUNT / SUM statements, one per
  figure (sales and orders per store and day, refunds, shipped, the four queues, the top SKUs, stock
  value, available stock and units sold);
- ``dashboard.figures.build_dashboard``: the dashboard's own queries (and the few name look-ups): the
  closed days from the summary tables (rebuilt in full first, and timed), except the last two, which
  are computed from the orders like today (worse than any real moment);
- the page: GET / as the demo's general manager (view and template, no network).

Prints the times and the ratio dashboard ÷ hand-written (the aim: at most 1.2). ``--reuse`` measures
again on the orders an earlier run left in the same database (building 1,000,000 takes 40 minutes):

    ECOMOPS_SQLITE_PATH=/var/tmp/bench.sqlite3 .venv/bin/python bench/dashboard.py --reuse
"""

# ruff: noqa: S608 - the SQL is built from model table names and the project's own constants, values are parameters
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import common  # noqa: E402 - bench/common.py, beside this script


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def hand_written(period, previous, now):
    """The dashboard's figures as hand-written SQL over the same tables."""
    from django.db import connection

    from ecomops.catalog.models import SKU, Style
    from ecomops.dashboard.figures import SALE_DOC_KINDS, UNSHIPPED_STATES, bounds, without_jit
    from ecomops.inventory.enums import SELLABLE_BIN_KINDS, DocKind
    from ecomops.inventory.models import Bin, StockBalance, StockMove
    from ecomops.orders.models import Order, OrderLine, Refund

    ops = connection.ops
    start, end = (ops.adapt_datetimefield_value(x) for x in bounds(period))
    prev_start = ops.adapt_datetimefield_value(bounds(previous)[0])
    at = ops.adapt_datetimefield_value(now)
    day = ("date(paid_at, '+8 hours')" if connection.vendor == "sqlite"
           else "(paid_at AT TIME ZONE 'Asia/Shanghai')::date")
    o, ol, r = Order._meta.db_table, OrderLine._meta.db_table, Refund._meta.db_table
    sb, sm, b = StockBalance._meta.db_table, StockMove._meta.db_table, Bin._meta.db_table
    sku, style = SKU._meta.db_table, Style._meta.db_table
    unshipped = ", ".join(f"'{s}'" for s in UNSHIPPED_STATES)
    sellable = ", ".join(f"'{k}'" for k in SELLABLE_BIN_KINDS)
    sales_kinds = ", ".join(f"'{k}'" for k in SALE_DOC_KINDS)
    from datetime import timedelta

    from ecomops.dashboard.figures import local_today
    from ecomops.policy import registry

    today = local_today(now)
    window = int(registry.value("WMS-14.daily_sales_window_days", on=today))
    first, last = today - timedelta(days=window), today - timedelta(days=1)
    statements = [
        (f"SELECT store_id, {day}, SUM(paid_amount), COUNT(*) FROM {o} WHERE paid_at >= %s AND paid_at < %s "
         "GROUP BY store_id, 2", [prev_start, end]),
        (f"SELECT SUM(CASE WHEN refunded_at >= %s THEN amount END), SUM(CASE WHEN refunded_at < %s THEN amount END) "
         f"FROM {r} WHERE refunded_at >= %s AND refunded_at < %s AND source <> 'duplicate_payment'",
         [start, start, prev_start, end]),
        (f"SELECT COUNT(CASE WHEN shipped_at >= %s THEN 1 END), COUNT(CASE WHEN shipped_at < %s THEN 1 END) "
         f"FROM {o} WHERE shipped_at >= %s AND shipped_at < %s", [start, start, prev_start, end]),
        (f"SELECT COUNT(*) FROM {o} WHERE state IN ({unshipped}) AND paid_at IS NOT NULL", []),
        (f"SELECT COUNT(*) FROM {o} WHERE state = 'on_hold' OR exception_reason <> ''", []),
        (f"SELECT COUNT(*) FROM {o} WHERE state = 'awaiting_review' AND allocation_state = 'waiting_stock'", []),
        (f"SELECT COUNT(*) FROM {o} WHERE confirmed_at IS NULL AND confirm_due_at < %s AND state <> 'cancelled'",
         [at]),
        (f"SELECT l.sku_id, SUM(l.quantity), SUM(l.amount) FROM {ol} l JOIN {o} ON {o}.id = l.order_id "
         f"WHERE {o}.paid_at >= %s AND {o}.paid_at < %s AND l.sku_id IS NOT NULL GROUP BY l.sku_id "
         "ORDER BY 3 DESC, 2 DESC, 1 LIMIT 10", [start, end]),
        (f"SELECT SUM(x.on_hand * COALESCE(s.unit_cost, st.unit_cost)), "
         f"SUM(CASE WHEN bn.kind IN ({sellable}) THEN x.on_hand - x.reserved END) FROM {sb} x "
         f"JOIN {sku} s ON s.id = x.sku_id JOIN {style} st ON st.id = s.style_id "
         f"JOIN {b} bn ON bn.id = x.bin_id", []),
        (f"SELECT SUM(quantity) FROM {sm} WHERE to_bin_id IS NULL AND doc_kind IN ({sales_kinds}) "
         "AND business_day >= %s AND business_day <= %s", [first, last]),
        (f"SELECT SUM(m.quantity) FROM {sm} m JOIN {sm} o2 ON o2.id = m.reverses_id WHERE m.doc_kind = "
         f"'{DocKind.REVERSAL}' AND o2.doc_kind IN ({sales_kinds}) AND o2.to_bin_id IS NULL "
         "AND o2.business_day >= %s AND o2.business_day <= %s", [first, last]),
    ]

    def run():
        with without_jit(), connection.cursor() as cursor:  # as the dashboard's own queries run
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reuse", action="store_true",
                        help="keep the orders already in the database (DATABASE_URL or ECOMOPS_SQLITE_PATH) "
                             "when there are at least --orders of them: building 1,000,000 takes long")
    args = parser.parse_args()
    database = common.setup(DJANGO_DEBUG="false")
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django.utils import timezone

    from ecomops.dashboard.figures import build_dashboard, day_start, local_today
    from ecomops.dashboard.shapes import Period
    from ecomops.demo import org as demo
    from ecomops.demo.orders import build_bulk_orders
    from ecomops.orders.models import Order
    from ecomops.org.scoping import ALL_SCOPE

    print(f"database: {database}")
    started = time.perf_counter()
    bulk = Order.objects.filter(platform_order_no__startswith="BULK").count()
    if args.reuse and bulk >= args.orders:
        print(f"reusing the {bulk:,} synthetic orders already there ({Order.objects.count():,} in all)")
    else:
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            demo.build()
        build_bulk_orders(args.orders)
        print(f"built the demo company and {args.orders:,} orders ({Order.objects.count():,} in all) "
              f"in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        # What autovacuum does to a day-old table on PostgreSQL (index-only scans need the visibility map).
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")

    from ecomops.dashboard.summaries import refresh

    full = refresh(full=True)
    print(f"summary tables: every closed day rebuilt ({full.days} days) in {full.seconds:.1f} s")
    again = refresh()
    print(f"summary tables: the 10-minute refresh right after ({again.days} days rebuilt: orders saved within "
          f"the last hour are looked at again) in {again.seconds:.1f} s")

    now = timezone.now()
    # Worse than any real moment, whatever the hour the benchmark runs or its orders were made: the last
    # two closed days not summarised (the job summarises a day within ten minutes of its end), so at
    # least one whole day of orders is computed from the orders beside today's.
    from datetime import timedelta

    from ecomops.dashboard.models import DailySkuSales, DailyStoreFigures, SummaryDay

    first_live = local_today(now) - timedelta(days=2)
    for model in (DailyStoreFigures, DailySkuSales, SummaryDay):
        model.objects.filter(day__gte=first_live).delete()
    live = Order.objects.filter(paid_at__gte=day_start(first_live)).count()
    print(f"computed from the orders: the last two closed days and today, {live:,} orders paid")
    period = Period.of("month", local_today(now))
    previous = period.previous()
    hand = hand_written(period, previous, now)
    hand()
    build_dashboard(ALL_SCOPE, period, now=now)
    hand_best, hand_median = best(hand, args.repeat)
    dash_best, dash_median = best(lambda: build_dashboard(ALL_SCOPE, period, now=now), args.repeat)
    summarised = build_dashboard(ALL_SCOPE, period, now=now).summarised_days
    print(f"period: {period.start} .. {period.end} (previous {previous.start} .. {previous.end}; "
          f"{summarised} closed days read from the summary tables)")
    print(f"hand-written GROUP BY: best {hand_best * 1000:.0f} ms, median {hand_median * 1000:.0f} ms")
    print(f"dashboard figures:     best {dash_best * 1000:.0f} ms, median {dash_median * 1000:.0f} ms")
    print(f"ratio dashboard / hand-written (best): {dash_best / hand_best:.2f} (aim: at most 1.2)")

    manager = get_user_model().objects.get(username="chenzhiyuan")
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        http = Client()
        http.force_login(manager)

        def open_page():
            response = http.get("/?period=month")
            assert response.status_code == 200, response.status_code

        open_page()
        page_best, page_median = best(open_page, args.repeat)
    print(f"page GET /?period=month: best {page_best * 1000:.0f} ms, median {page_median * 1000:.0f} ms")


if __name__ == "__main__":
    main()

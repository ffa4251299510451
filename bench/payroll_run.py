"""Benchmark: a month's pay run over 1,000,000 orders and 100 staff (issue 6 speed).

    .venv/bin/python bench/payroll_run.py [--orders 1000000] [--staff 100] [--repeat 3]

Runs on a fresh SQLite file database of its own (or on DATABASE_URL when set). Builds the orders of
one month (plus 5 % placed the month before and after, which must not count) in four stores with
refunds on about 3 % of them, 100 staff on the PER payroll (a supervisor, a promotion and a
customer-service group) with a month of attendance, and the month's targets and KPI actuals. Then
times, on the same machine and the same data:

- the raw limit: one set-based ``SUM(paid_amount)`` over the month's orders;
- ``payroll.actions.compute_run``: the whole run — the PER-07 lists of counted orders and refunds
  written with INSERT … SELECT, the grouped aggregates with the departure cut-offs, every slip and
  line computed and saved, the activity fund, the run's event — first as a new draft, then recomputed.

Prints both and the ratio run ÷ SUM (the aim: at most 3). Orders are written straight into the table
with one INSERT … SELECT from a template order (no per-order Python), so the build takes a minute or so.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import common  # noqa: E402 - bench/common.py, beside this script

STORES = 4


def setup() -> str:
    return common.setup(DJANGO_DEBUG="false")


def build_orders(count: int, month: date, stores: list, admin) -> None:
    """``count`` orders of ``month`` and 5 % more around it, in one INSERT … SELECT each, copied from a
    template order saved through the ORM (so every column holds what ``save()`` would store)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from ecomops.orders.enums import OrderState, RefundSource
    from ecomops.orders.models import Order, Refund
    from ecomops.payroll.periods import month_bounds

    template = Order.objects.create(store=stores[0], platform_order_no="TEMPLATE", state=OrderState.COMPLETED,
                                    goods_amount=Decimal("1.00"), paid_amount=Decimal("1.00"),
                                    placed_at=timezone.now() - timedelta(days=400),
                                    paid_at=timezone.now() - timedelta(days=400))
    start, end = month_bounds(month)
    span = int((end - start).total_seconds())
    fields = [f for f in Order._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    store_ids = [s.pk for s in stores]
    extra = count // 20  # 5 % outside the month, half before and half after
    total = count + extra
    store_case = "CASE (s.n % {k}) {whens} END".format(
        k=len(store_ids), whens=" ".join(f"WHEN {i} THEN {pk}" for i, pk in enumerate(store_ids)))
    amount = "((s.n * 7919) % 50000 + 100) / 100.0"
    if connection.vendor == "sqlite":
        series = f"WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {total}) "  # noqa: S608
        base = start.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        offset = (f"CASE WHEN s.n <= {count} THEN ((s.n * 104729) % {span}) "
                  f"WHEN s.n % 2 = 0 THEN -1 - (s.n % 86400) ELSE {span} + (s.n % 86400) END")
        placed = f"strftime('%Y-%m-%d %H:%M:%S', '{base}', printf('%+d seconds', {offset}))"
        paid = f"strftime('%Y-%m-%d %H:%M:%S', '{base}', printf('%+d seconds', {offset} + 300))"
        source = "s, orders_order t"
    else:
        series = ""
        offset = (f"(CASE WHEN s.n <= {count} THEN ((s.n * 104729) % {span}) "
                  f"WHEN s.n % 2 = 0 THEN -1 - (s.n % 86400) ELSE {span} + (s.n % 86400) END)")
        placed = f"(TIMESTAMPTZ '{start.isoformat()}' + make_interval(secs => {offset}))"
        paid = f"({placed} + INTERVAL '5 minutes')"
        source = f"generate_series(1::bigint, {total}::bigint) AS s(n), orders_order t"  # n × 104729 needs 64 bits
    values = {
        "store_id": store_case, "platform_order_no": "'B' || s.n", "placed_at": placed, "paid_at": paid,
        "paid_amount": amount, "goods_amount": amount,
    }
    select = ", ".join(values.get(c, f't."{c}"') for c in columns)
    sql = (f'{series}INSERT INTO "orders_order" ({", ".join(chr(34) + c + chr(34) for c in columns)}) '  # noqa: S608
           f"SELECT {select} FROM {source} WHERE t.id = %s")
    if connection.vendor != "sqlite":
        sql = sql.replace("%", "%%").replace("%%s", "%s")  # psycopg: a literal % is written %%
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [template.pk])
    Order.objects.filter(pk=template.pk).delete()
    # Refunds on about 3 % of the month's orders, half of each order, recorded inside the month.
    refund_fields = [f for f in Refund._meta.concrete_fields if not f.primary_key]
    adapt = connection.ops.adapt_datetimefield_value
    now = timezone.now()
    refund_values = {
        "order_id": "o.id", "payment_id": "NULL", "amount": "ROUND(o.paid_amount / 2.0, 2)",
        "source": f"'{RefundSource.AFTER_SALES}'", "reason": "'退货（基准）'", "refunded_at": "%s",
        "recorded_by_id": str(admin.pk), "recorded_at": "%s",
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "orders_refund" ({", ".join(chr(34) + f.column + chr(34) for f in refund_fields)}) '  # noqa: S608
            f'SELECT {", ".join(refund_values[f.column] for f in refund_fields)} FROM "orders_order" o '
            f'WHERE MOD(o.id, 33) = 0 AND o.placed_at >= %s AND o.placed_at < %s',
            [adapt(end - timedelta(days=1)), adapt(now), adapt(start), adapt(end)])
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def build_world(orders: int, staff: int, month: date):
    from django.contrib.auth import get_user_model

    from ecomops.org.enums import AttendanceKind
    from ecomops.org.models import Attendance, Client, Department, Platform, Staff, Store
    from ecomops.payroll import actions
    from ecomops.payroll.enums import GroupKind, Metric, PayRole, TargetScope
    from ecomops.payroll.models import PayGroup, PayProfile
    from ecomops.payroll.periods import month_end

    User = get_user_model()
    admin = User.objects.create_superuser("bench", password=None)
    client = Client.objects.create(code="BENCH", name="基准委托方")
    platform = Platform.objects.get(code="taobao")
    stores = [Store.objects.create(code=f"BS{n}", name=f"基准店 {n}", client=client, platform=platform,
                                   status="active") for n in range(STORES)]
    ecom = Department.objects.get(code="ecom")
    promotion = Department.objects.get(code="ecom.promotion")
    cs = Department.objects.get(code="ecom.sales_cs")
    PayGroup.objects.create(department=promotion, kind=GroupKind.PROMOTION)
    PayGroup.objects.create(department=cs, kind=GroupKind.CUSTOMER_SERVICE)
    users = User.objects.bulk_create([User(username=f"s{n:03d}") for n in range(staff)])
    people = Staff.objects.bulk_create([
        Staff(user=u, employee_no=f"S{n:03d}", name=f"员工{n:03d}",
              department=ecom if n == 0 else (promotion if n % 2 else cs),
              hired_on=date(2025, 1, 1) if n % 10 else date(month.year, month.month, 1) - timedelta(days=100),
              left_on=(date(month.year, month.month, 10 + n % 15) if n % 25 == 7 else None))
        for n, u in enumerate(users)])
    PayProfile.objects.bulk_create([PayProfile(staff=s, role=PayRole.SUPERVISOR if n == 0 else PayRole.MEMBER)
                                    for n, s in enumerate(people)])
    days = []
    day = month
    while day <= month_end(month):
        days.append(day)
        day += timedelta(days=1)
    Attendance.objects.bulk_create([
        Attendance(staff=s, date=d, kind=(AttendanceKind.REST if d.weekday() >= 5 else
                                          AttendanceKind.LATE if (n + d.day) % 40 == 0 else AttendanceKind.PRESENT),
                   late_minutes=5 if (n + d.day) % 40 == 0 and d.weekday() < 5 else 0)
        for n, s in enumerate(people) for d in days if s.left_on is None or d <= s.left_on])
    build_orders(orders, month, stores, admin)
    expected = Decimal(orders) * Decimal("250")  # about the month's sales
    for department, factor in ((ecom, "1.00"), (promotion, "0.90"), (cs, "1.10")):
        scope = TargetScope.GROUP if department.is_group else TargetScope.DEPARTMENT
        actions.set_target(user=admin, month=month, scope=scope, metric=Metric.SALES, department=department,
                           plan=(expected * Decimal(factor)).quantize(Decimal("0.01")))
    for department, metric in ((promotion, Metric.PROMOTION_VOLUME), (cs, Metric.RESPONSES),
                               (ecom, Metric.FRANCHISE_SIGNUPS)):
        scope = TargetScope.GROUP if department.is_group else TargetScope.DEPARTMENT
        actions.set_target(user=admin, month=month, scope=scope, metric=metric, department=department, plan="1000")
        actions.record_kpi(user=admin, month=month, scope=scope, metric=metric, department=department, value="850",
                           evidence="基准")
    return admin


def timed(function, repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--staff", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3, help="timings keep the best of this many runs")
    args = parser.parse_args()
    database = setup()

    from django.db.models import Sum
    from django.utils import timezone

    from ecomops.orders.models import Order
    from ecomops.payroll import actions
    from ecomops.payroll.models import CountedOrder, PayrollRun
    from ecomops.payroll.periods import month_bounds, previous_month

    month = previous_month(timezone.localdate().replace(day=1))
    print(f"database: {database}")
    started = time.perf_counter()
    admin = build_world(args.orders, args.staff, month)
    print(f"built {Order.objects.count():,} orders ({args.orders:,} in {month:%Y-%m}) and {args.staff} staff "
          f"in {time.perf_counter() - started:.1f}s")
    start, end = month_bounds(month)

    def scan():
        return Order.objects.filter(placed_at__gte=start, placed_at__lt=end).aggregate(total=Sum("paid_amount"))

    scan()  # warm the cache the same way for both
    scan_time, total = timed(scan, args.repeat)
    first_started = time.perf_counter()
    first = actions.compute_run(month, user=admin)
    first_time = time.perf_counter() - first_started
    run_time, result = timed(lambda: actions.compute_run(month, user=admin), args.repeat)
    run = PayrollRun.objects.get(pk=result.run.pk)
    assert first.created and not result.changed, "a recompute of the same inputs must give the same figures"
    assert CountedOrder.objects.filter(run=run).count() == args.orders == run.orders_count
    print(f"one SUM over the month's orders:      {scan_time:8.3f}s  (total {total['total']})")
    print(f"pay run, new draft:                   {first_time:8.3f}s")
    print(f"pay run, recompute (best of {args.repeat}):       {run_time:8.3f}s  "
          f"({run.slip_count} slips, net sales {run.net_sales}, {run.orders_count:,} orders counted)")
    print(f"ratio run ÷ SUM: {run_time / scan_time:.2f} (new draft {first_time / scan_time:.2f}; aim ≤ 3)")


if __name__ == "__main__":
    main()

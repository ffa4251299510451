"""The figures of the management dashboard (DAT-01), computed in the database by set-based queries.

``build_dashboard(scope, period, now=...)`` answers one ``Dashboard`` (see ``shapes``) for the stores
the scope sees (``ALL_SCOPE``: the whole company). Every day is a whole day in Asia/Shanghai: a period
runs from 00:00 of its first day to 00:00 after its last day, local time.

Definitions (DAT-01; the order flow is ORD-01, the late confirmations ORD-09, stock WMS):

- **Sales (销售额)**: the paid amount (``Order.paid_amount``) of the orders *paid* in the period
  (``paid_at`` inside it). An order cancelled later still counts: its money came in that day, and the
  money given back is a refund (ORD-07), counted under refunds on the day it was refunded. So a closed
  day's sales never change after the fact, and net sales are sales − refunds. A cash-on-delivery order
  counts when its payment is recorded (``paid_at``), not when it is placed.
- **Orders (订单数)**: the number of those orders. **Average order value (客单价)**: sales ÷ orders,
  half-up to the fen; unknown (None) without orders.
- **Refunds (退款金额)**: the sum of ``Refund.amount`` refunded in the period (``refunded_at``), of the
  scope's orders, whatever the day the order was paid; the refund of a duplicate payment is left out
  (that money was never in the sales: ``orders.actions`` counts an order's refunds the same way).
  **Refund rate (退款率)**: refunds ÷ sales of the same period, a fraction half-up to four places;
  unknown without sales.
- **Shipped (发货订单数)**: orders whose ``shipped_at`` falls in the period.
- Queues, as of ``now`` (no previous value):
  **paid, not shipped (已付款未发货)**: paid orders (``paid_at`` set) still before shipping — paid,
  awaiting review, reviewed, awaiting shipment, or on hold (ORD-01); **exception queue (异常订单)**: on
  hold or carrying an exception reason, the order list's "异常" tab; **out of stock (缺货订单)**: orders
  awaiting review while waiting for stock (ORD-04, the list's "缺货等待到货" reason); **late
  confirmations (确认超时)**: orders past their confirmation deadline and still unconfirmed (ORD-09,
  ``orders.queries.late_unconfirmed``).
- **Stock value (库存金额)**: Σ on hand × the SKU's cost (``SKU.unit_cost``, else its style's
  ``unit_cost``: the catalogue's cost price, CAT-04) over the stock balances of the clients the scope
  sees *whole*. Stock belongs to a client, not to a store: a scope that sees only single stores (or a
  store filter) has no stock figure (None).
- **Days of cover (库存可售天数)**: available units (on hand − reserved, in sellable bins) ÷ average
  daily units sold over the WMS-14 window (``WMS-14.daily_sales_window_days`` days before today),
  with the sales and the average of the replenishment plan (``supply.sales``: units that left the
  ledger against orders and outbound documents, less their reversals;
  ``supply.replenishment.average_daily_sales`` / ``cover_days``); one decimal, half-up. None when
  nothing sold (unlimited cover) or no stock figure.

Charts (each is its table): sales by day (this period and the previous one, day by day), sales and
orders by store and by platform, and the top SKUs by sales amount (units and amount of the lines of
the orders paid in the period; lines not matched to a SKU are left out).

The previous period is ``Period.previous()``: yesterday, last week, last month, or as many days
before a custom range.

Speed (issue 17): sales, orders, shipped, refunds and the top SKUs of a closed day that is summarised
are read from the summary tables (``models.DailyStoreFigures`` / ``DailySkuSales``, kept by
``summaries``); they hold what ``live_store_days`` / ``live_sku_days`` give for the day, so the figures
are the same either way (the tests run both). Today, and any day not summarised yet, is computed from
the orders. The "now" queues are counts over partial indexes of the few orders in them.
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Count, DateField, DecimalField, F, Func, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.catalog.models import SKU
from ecomops.inventory.enums import SELLABLE_BIN_KINDS, DocKind
from ecomops.inventory.models import StockBalance, StockMove
from ecomops.orders.enums import AllocationState, OrderState, RefundSource
from ecomops.orders.models import Order, OrderLine, Refund
from ecomops.orders.queries import late_unconfirmed
from ecomops.org.models import Client, Platform, Store
from ecomops.org.scoping import ALL_SCOPE, Scope, scope_q
from ecomops.policy import registry
from ecomops.supply.replenishment import average_daily_sales, cover_days

from .models import DailySkuSales, DailyStoreFigures, SummaryDay, SummaryState
from .shapes import Chart, Dashboard, Kpi, Period

LOCAL = ZoneInfo("Asia/Shanghai")
CENT = Decimal("0.01")
RATE = Decimal("0.0001")
ZERO = Decimal("0.00")
TOP_SKUS = 10  # rows of the top-SKU chart (a display choice, not a rule)
SALE_DOC_KINDS = (DocKind.ORDER, DocKind.OUTBOUND)  # as supply.sales (WMS-14)
# ORD-01: a paid order still on this side of shipping.
UNSHIPPED_STATES = (OrderState.PAID, OrderState.AWAITING_REVIEW, OrderState.REVIEWED,
                    OrderState.AWAITING_SHIPMENT, OrderState.ON_HOLD)


class LocalDay(Func):
    """The calendar day in Asia/Shanghai of a timestamp, in the database's own date arithmetic (UTC+8:
    China has kept one offset, without summer time, since 1991). Django's ``TruncDate(tzinfo=…)``
    gives the same days but calls a Python function per row on SQLite, several times slower."""

    output_field = DateField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="date(%(expressions)s, '+8 hours')", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="((%(expressions)s) AT TIME ZONE 'Asia/Shanghai')::date",
                           **extra)


@contextmanager
def without_jit():
    """Run the dashboard's queries with PostgreSQL's JIT compilation off (one transaction, ``SET LOCAL``,
    so a connection pooler in transaction mode is fine). Its default threshold compiles queries of a
    few hundred milliseconds, where compiling alone took 100 ms of the 430 of the top-SKU query at
    1,000,000 orders. Nothing to do on SQLite."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        yield


def day_start(day: date) -> datetime:
    """00:00 of ``day`` in Asia/Shanghai, aware."""
    return datetime.combine(day, time.min, tzinfo=LOCAL)


def bounds(period: Period) -> tuple[datetime, datetime]:
    """The half-open instant range [start, end) of a period's whole local days."""
    return day_start(period.start), day_start(period.end + timedelta(days=1))


def local_today(now: datetime | None = None) -> date:
    return timezone.localtime(now or timezone.now(), LOCAL).date()


def narrow(scope: Scope, *, client_id: int | None = None, store_id: int | None = None) -> Scope:
    """The part of ``scope`` one client or one store stands for (a filter of the page). A client or
    store outside the scope narrows to nothing (never wider than the scope)."""
    if store_id:
        store = Store.objects.filter(pk=store_id).values("client_id").first()
        if store is None or not scope.sees_store(store_id):
            return Scope()
        return Scope(store_ids=frozenset([store_id]), partial_client_ids=frozenset([store["client_id"]]))
    if client_id:
        if not scope.sees_client(client_id, whole=False):
            return Scope()
        stores = frozenset(Store.objects.filter(client_id=client_id).values_list("pk", flat=True))
        if scope.sees_client(client_id):
            return Scope(client_ids=frozenset([client_id]), store_ids=stores)
        return Scope(store_ids=stores & scope.store_ids, partial_client_ids=frozenset([client_id]))
    return scope


def _scoped(queryset, scope: Scope):
    condition = scope_q(queryset.model, scope)
    return queryset if condition is None else queryset.filter(condition)


def _money(value) -> Decimal:
    return (Decimal(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def _ratio(numerator: Decimal, denominator, places: Decimal) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(places, rounding=ROUND_HALF_UP)


# --- the figures, each one set-based query -----------------------------------------------------------
#
# Sales, orders, shipped and refunds are added up per (store, local day); top SKUs per (store, local
# day, SKU). A closed day listed in ``SummaryDay`` is read from the summary tables (``models``; built
# by ``summaries.refresh`` with the very functions below, over all stores); every other day (today,
# and any day not summarised yet) is computed from the orders when shown.


def live_store_days(scope: Scope, first: date, last: date) -> dict[tuple[int, date], list]:
    """Per (store, local day) over ``first``..``last``: [sales, orders, shipped, refunds], from the
    orders and refunds — three GROUP BY queries, each by its own day (paid, shipped, refunded)."""
    start, end = day_start(first), day_start(last + timedelta(days=1))
    rows: dict[tuple[int, date], list] = defaultdict(lambda: [ZERO, 0, 0, ZERO])
    orders = _scoped(Order.objects.all(), scope)
    for r in (orders.filter(paid_at__gte=start, paid_at__lt=end).annotate(day=LocalDay("paid_at"))
              .values("store_id", "day").annotate(sales=Sum("paid_amount"), n=Count("pk")).order_by()):
        row = rows[(r["store_id"], as_date(r["day"]))]
        row[0], row[1] = _money(r["sales"]), r["n"]
    for r in (orders.filter(shipped_at__gte=start, shipped_at__lt=end).annotate(day=LocalDay("shipped_at"))
              .values("store_id", "day").annotate(n=Count("pk")).order_by()):
        rows[(r["store_id"], as_date(r["day"]))][2] = r["n"]
    for r in (_scoped(Refund.objects.all(), scope).filter(refunded_at__gte=start, refunded_at__lt=end)
              .exclude(source=RefundSource.DUPLICATE_PAYMENT).annotate(day=LocalDay("refunded_at"))
              .values("order__store_id", "day").annotate(amount=Sum("amount")).order_by()):
        rows[(r["order__store_id"], as_date(r["day"]))][3] = _money(r["amount"])
    return dict(rows)


def live_sku_days(scope: Scope, first: date, last: date) -> dict[tuple[int, date, int], list]:
    """Per (store, local day paid, SKU): [units, amount] of the lines of the orders paid
    ``first``..``last`` (lines not matched to a SKU left out) — one GROUP BY."""
    start, end = day_start(first), day_start(last + timedelta(days=1))
    query = (_scoped(OrderLine.objects.all(), scope)
             .filter(order__paid_at__gte=start, order__paid_at__lt=end, sku__isnull=False)
             .annotate(day=LocalDay("order__paid_at")).values("order__store_id", "day", "sku_id")
             .annotate(units=Sum("quantity"), amount=Sum("amount")).order_by())
    return {(r["order__store_id"], as_date(r["day"]), r["sku_id"]): [r["units"], _money(r["amount"])]
            for r in query}


def summarised_days(first: date, last: date, today: date) -> frozenset[date]:
    """The days of ``first``..``last`` before ``today`` whose summary rows are built."""
    if first >= today:
        return frozenset()
    return frozenset(SummaryDay.objects.filter(day__gte=first, day__lte=min(last, today - timedelta(days=1)))
                     .values_list("day", flat=True))


def unsummarised_runs(first: date, last: date, summarised: frozenset[date]) -> list[tuple[date, date]]:
    """The days of ``first``..``last`` not in ``summarised``, as runs of consecutive days."""
    runs: list[tuple[date, date]] = []
    day = first
    while day <= last:
        if day in summarised:
            day += timedelta(days=1)
            continue
        run_start = day
        while day + timedelta(days=1) <= last and day + timedelta(days=1) not in summarised:
            day += timedelta(days=1)
        runs.append((run_start, day))
        day += timedelta(days=1)
    return runs


@dataclass
class StoreDays:
    """Sales, orders, shipped and refunds per (store, local day) over a range of days."""

    rows: dict[tuple[int, date], list]

    def _within(self, period: Period):
        return ((store, day, row) for (store, day), row in self.rows.items() if period.start <= day <= period.end)

    def total(self, period: Period) -> tuple[Decimal, int, int, Decimal]:
        sales, orders, shipped, refunds = ZERO, 0, 0, ZERO
        for _store, _day, row in self._within(period):
            sales, orders, shipped, refunds = sales + row[0], orders + row[1], shipped + row[2], refunds + row[3]
        return _money(sales), orders, shipped, _money(refunds)

    def by_day(self, period: Period) -> dict[date, Decimal]:
        days: dict[date, Decimal] = defaultdict(lambda: ZERO)
        for _store, day, row in self._within(period):
            days[day] += row[0]
        return days

    def by_store(self, period: Period) -> dict[int, tuple[Decimal, int]]:
        stores: dict[int, list] = defaultdict(lambda: [ZERO, 0])
        for store, _day, row in self._within(period):
            if row[1]:
                stores[store][0] += row[0]
                stores[store][1] += row[1]
        return {store: (_money(a), n) for store, (a, n) in stores.items()}


def store_days(scope: Scope, first: date, last: date, summarised: frozenset[date]) -> StoreDays:
    """DAT-01 sales, orders, shipped and refunds per (store, day) of ``first``..``last``: the summarised
    days from ``DailyStoreFigures``, the rest from the orders."""
    rows: dict[tuple[int, date], list] = {}
    if summarised:
        query = (_scoped(DailyStoreFigures.objects.all(), scope)
                 .filter(day__gte=min(summarised), day__lte=max(summarised))
                 .values_list("store_id", "day", "sales", "orders", "shipped", "refunds"))
        rows = {(store, day): [sales, n, shipped, refunds] for store, day, sales, n, shipped, refunds in query
                if day in summarised}
    for run_first, run_last in unsummarised_runs(first, last, summarised):
        rows.update(live_store_days(scope, run_first, run_last))
    return StoreDays(rows)


def as_date(value) -> date:
    """A date the database gave back (SQLite answers date() as text)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def queue_counts(scope: Scope, now: datetime) -> dict[str, int]:
    """The "now" queues (ORD-01, ORD-04, ORD-09), each an indexed count."""
    orders = _scoped(Order.objects.all(), scope)
    return {
        "paid_not_shipped": orders.filter(state__in=UNSHIPPED_STATES, paid_at__isnull=False).count(),
        "exceptions": orders.filter(Q(state=OrderState.ON_HOLD) | ~Q(exception_reason="")).count(),
        "out_of_stock": orders.filter(state=OrderState.AWAITING_REVIEW,
                                      allocation_state=AllocationState.WAITING_STOCK).count(),
        "late_confirmations": _scoped(late_unconfirmed(now), scope).order_by().count(),
    }


def stock_figures(scope: Scope, today: date) -> tuple[Decimal | None, Decimal | None]:
    """Stock value and days of cover of the clients seen whole (None, None when there are none)."""
    if not scope.all and not scope.client_ids:
        return None, None
    balances = StockBalance.objects.all() if scope.all else StockBalance.objects.filter(client_id__in=scope.client_ids)
    cost = Coalesce("sku__unit_cost", "sku__style__unit_cost")
    money = DecimalField(max_digits=18, decimal_places=2)
    row = balances.aggregate(
        value=Sum(F("on_hand") * cost, output_field=money),
        available=Sum(F("on_hand") - F("reserved"), filter=Q(bin__kind__in=SELLABLE_BIN_KINDS)))
    value = _money(row["value"])
    window_days = int(registry.value("WMS-14.daily_sales_window_days", on=today))
    first, last = today - timedelta(days=window_days), today - timedelta(days=1)
    moves = StockMove.objects.filter(to_bin__isnull=True, doc_kind__in=SALE_DOC_KINDS,
                                     business_day__gte=first, business_day__lte=last)
    back = StockMove.objects.filter(doc_kind=DocKind.REVERSAL, reverses__doc_kind__in=SALE_DOC_KINDS,
                                    reverses__to_bin__isnull=True, reverses__business_day__gte=first,
                                    reverses__business_day__lte=last)
    if not scope.all:
        moves, back = moves.filter(client_id__in=scope.client_ids), back.filter(client_id__in=scope.client_ids)
    sold = (moves.aggregate(q=Sum("quantity"))["q"] or 0) - (back.aggregate(q=Sum("quantity"))["q"] or 0)
    cover = cover_days(row["available"] or 0, average_daily_sales(sold, window_days))
    return value, (None if cover is None else cover.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def top_skus(scope: Scope, period: Period, summarised: frozenset[date], limit: int = TOP_SKUS) -> list[list]:
    """The SKUs with the highest sales amount among the lines of the orders paid in the period: the
    summarised days from ``DailySkuSales``, the rest from the order lines, added up per SKU."""
    per_sku: dict[int, list] = defaultdict(lambda: [0, ZERO])
    days = frozenset(d for d in summarised if period.start <= d <= period.end)
    if days:
        for r in (_scoped(DailySkuSales.objects.all(), scope).filter(day__gte=min(days), day__lte=max(days))
                  .values("sku_id").annotate(units=Sum("units"), amount=Sum("amount")).order_by()):
            per_sku[r["sku_id"]][0] += r["units"]
            per_sku[r["sku_id"]][1] += r["amount"]
    for run_first, run_last in unsummarised_runs(period.start, period.end, days):
        for (_store, _day, sku), (units, amount) in live_sku_days(scope, run_first, run_last).items():
            per_sku[sku][0] += units
            per_sku[sku][1] += amount
    rows = sorted(per_sku.items(), key=lambda item: (-item[1][1], -item[1][0], item[0]))[:limit]
    names = {s["pk"]: f"{s['sku_code']} {s['style__name']}"
             for s in SKU.objects.filter(pk__in=[pk for pk, _ in rows]).values("pk", "sku_code", "style__name")}
    return [[names.get(pk, str(pk)), units, _money(amount)] for pk, (units, amount) in rows]


# --- the dashboard ---------------------------------------------------------------------------------


def scope_label(scope: Scope) -> str:
    if scope.all:
        return _("全部委托方")
    if not scope.store_ids and not scope.client_ids:
        return _("无可见店铺")
    clients = list(Client.objects.filter(pk__in=scope.client_ids).order_by("code").values_list("name", flat=True))
    stores = list(Store.objects.filter(pk__in=scope.store_ids).exclude(client_id__in=scope.client_ids)
                  .order_by("code").values_list("name", flat=True))
    return "、".join(clients + stores)


def build_dashboard(scope: Scope, period: Period, *, now: datetime | None = None,
                    live: bool = False) -> Dashboard:
    """The DAT-01 figures of ``period`` (and the previous period) for the stores ``scope`` sees;
    ``live`` computes every day from the orders, summaries or not (the summaries' own tests)."""
    with without_jit():
        return _build(scope, period, now=now or timezone.now(), live=live)


def _build(scope: Scope, period: Period, *, now: datetime, live: bool) -> Dashboard:
    today = local_today(now)
    previous = period.previous()
    summarised = frozenset() if live else summarised_days(previous.start, period.end, today)
    days = store_days(scope, previous.start, period.end, summarised)
    amount, count, shipped, refunds = days.total(period)
    prev_amount, prev_count, prev_shipped, prev_refunds = days.total(previous)
    queues = queue_counts(scope, now)
    stock_value, cover = stock_figures(scope, today)
    kpis = [
        Kpi("sales", _("销售额"), amount, prev_amount, "yuan", "DAT-01"),
        Kpi("orders", _("订单数"), count, prev_count, "count", "DAT-01"),
        Kpi("aov", _("客单价"), _ratio(amount, count, CENT), _ratio(prev_amount, prev_count, CENT), "yuan", "DAT-01"),
        Kpi("refunds", _("退款金额"), refunds, prev_refunds, "yuan", "DAT-01"),
        Kpi("refund_rate", _("退款率"), _ratio(refunds, amount, RATE), _ratio(prev_refunds, prev_amount, RATE),
            "rate", "DAT-01"),
        Kpi("shipped", _("发货订单数"), shipped, prev_shipped, "count", "DAT-01"),
        Kpi("paid_not_shipped", _("已付款未发货"), queues["paid_not_shipped"], None, "count", "ORD-01"),
        Kpi("exceptions", _("异常订单"), queues["exceptions"], None, "count", "ORD-01"),
        Kpi("out_of_stock", _("缺货订单"), queues["out_of_stock"], None, "count", "ORD-04"),
        Kpi("late_confirmations", _("确认超时"), queues["late_confirmations"], None, "count", "ORD-09"),
        Kpi("stock_value", _("库存金额"), stock_value, None, "yuan", "DAT-01"),
        Kpi("days_of_cover", _("库存可售天数"), cover, None, "days", "WMS-14"),
    ]
    this_days, prev_days = days.by_day(period), days.by_day(previous)
    by_day = []
    for offset in range(period.days):
        day = period.start + timedelta(days=offset)
        before = previous.start + timedelta(days=offset)
        by_day.append([day.isoformat(), _money(this_days.get(day, ZERO)),
                       _money(prev_days.get(before, ZERO)) if before <= previous.end else None])
    per_store = days.by_store(period)
    stores = {s["pk"]: s for s in Store.objects.filter(pk__in=per_store).values("pk", "name", "code", "platform_id")}
    store_rows = sorted(([stores[pk]["name"], a, n] for pk, (a, n) in per_store.items()),
                        key=lambda r: (-r[1], r[0]))
    per_platform: dict[int, list] = defaultdict(lambda: [ZERO, 0])
    for pk, (a, n) in per_store.items():
        per_platform[stores[pk]["platform_id"]][0] += a
        per_platform[stores[pk]["platform_id"]][1] += n
    platforms = dict(Platform.objects.filter(pk__in=per_platform).values_list("pk", "name"))
    platform_rows = sorted(([platforms[pk], _money(a), n] for pk, (a, n) in per_platform.items()),
                           key=lambda r: (-r[1], r[0]))
    charts = [
        Chart("sales_by_day", _("每日销售额"), "line", [_("日期"), _("本期销售额（元）"), _("上期销售额（元）")],
              by_day, ["yuan", "yuan"]),
        Chart("sales_by_store", _("各店铺销售额"), "bar", [_("店铺"), _("销售额（元）"), _("订单数")],
              store_rows, ["yuan", "count"]),
        Chart("sales_by_platform", _("各平台销售额"), "pie", [_("平台"), _("销售额（元）"), _("订单数")],
              platform_rows, ["yuan", "count"]),
        Chart("top_skus", _("热销商品"), "bar", [_("商品"), _("销量（件）"), _("销售额（元）")],
              top_skus(scope, period, summarised), ["count", "yuan"]),
    ]
    refreshed_at = (SummaryState.objects.values_list("last_finished_at", flat=True).first()
                    if summarised else None)
    return Dashboard(period=period, previous=previous, kpis=kpis, charts=charts, scope_label=scope_label(scope),
                     summarised_days=len(summarised), refreshed_at=refreshed_at)


__all__ = ["ALL_SCOPE", "Period", "build_dashboard", "bounds", "narrow"]

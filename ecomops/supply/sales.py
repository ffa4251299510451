"""Daily sales per SKU for the replenishment plan (WMS-14).

Sales are the goods that left the warehouse against an order or an outbound document: ledger rows
with ``to_bin`` empty and ``doc_kind`` in ORDER / OUTBOUND, less the reversals of such rows. Every
order reaches "shipped" by posting its reserved units out of the ledger (``orders.actions.ship_order``
and parcels, WMS-10), so the ledger is the sales record: a cancelled or unshipped order never counts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Sum

from ecomops.inventory.enums import DocKind
from ecomops.inventory.models import StockMove, Warehouse

from .replenishment import average_daily_sales

SALE_DOC_KINDS = (DocKind.ORDER, DocKind.OUTBOUND)


def window(on: date, window_days: int) -> tuple[date, date]:
    """The last ``window_days`` whole days before ``on`` (the plan is made in the morning of ``on``)."""
    return on - timedelta(days=window_days), on - timedelta(days=1)


def units_sold(sku_ids: Iterable[int] | None, warehouse: Warehouse, start: date, end: date) -> dict[int, int]:
    """Units that left ``warehouse`` as sales from ``start`` to ``end`` (inclusive), per SKU."""
    moves = StockMove.objects.filter(from_warehouse=warehouse, to_bin__isnull=True, doc_kind__in=SALE_DOC_KINDS,
                                     business_day__gte=start, business_day__lte=end)
    back = StockMove.objects.filter(doc_kind=DocKind.REVERSAL, reverses__doc_kind__in=SALE_DOC_KINDS,
                                    reverses__from_warehouse=warehouse, reverses__business_day__gte=start,
                                    reverses__business_day__lte=end)
    if sku_ids is not None:
        ids = list(sku_ids)
        moves, back = moves.filter(sku_id__in=ids), back.filter(sku_id__in=ids)
    totals: dict[int, int] = defaultdict(int)
    for row in moves.values("sku_id").annotate(q=Sum("quantity")).order_by():
        totals[row["sku_id"]] += row["q"]
    for row in back.values("sku_id").annotate(q=Sum("quantity")).order_by():
        totals[row["sku_id"]] -= row["q"]
    return {sku_id: max(q, 0) for sku_id, q in totals.items() if q > 0}


def daily_sales(sku_ids: Iterable[int] | None, warehouse: Warehouse, on: date,
                window_days: int | None = None) -> dict[int, Decimal]:
    """Average daily sales per SKU over the WMS-14 window before ``on`` (SKUs that sold nothing are
    left out). ``sku_ids`` None: every SKU sold there."""
    if window_days is None:
        from ecomops.policy import registry

        window_days = int(registry.value("WMS-14.daily_sales_window_days", on=on))
    start, end = window(on, window_days)
    return {sku_id: average_daily_sales(q, window_days)
            for sku_id, q in units_sold(sku_ids, warehouse, start, end).items()}

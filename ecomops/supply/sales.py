"""Daily sales per SKU for the replenishment plan (WMS-14).

Sales are the goods that left the warehouse against an order or a sales outbound document: ledger
rows with ``to_bin`` empty and ``doc_kind`` ORDER, or OUTBOUND unless the document says it left for
another reason (return to supplier, internal use, other: those are not demand). Less:

- the reversals of such rows (冲销单, WMS-13), counted on the day of the row they correct;
- the goods booked back in: customer returns (退货入库单) and anything posted back into a bin against an
  order, on the day they came back.

Every order reaches "shipped" by posting its reserved units out of the ledger when its parcel is
scanned out (``orders.actions.ship_order`` and parcels, WMS-10, FUL-04), so the ledger is the sales
record: a cancelled or unshipped order never counts. A SKU whose returns exceed its sales in the
window counts as zero, never negative.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import CharField, Sum
from django.db.models.functions import Cast

from ecomops.inventory.enums import DocKind, OutboundReason
from ecomops.inventory.models import StockDocument, StockMove, Warehouse

from .replenishment import average_daily_sales

SALE_DOC_KINDS = (DocKind.ORDER, DocKind.OUTBOUND)
# Goods coming back into a bin against these are returns that cancel a sale.
RETURN_DOC_KINDS = (DocKind.CUSTOMER_RETURN, DocKind.ORDER)


def _not_sales():
    """Ids (as ledger ``doc_id`` text) of outbound documents that left for a reason other than a sale."""
    return (StockDocument.objects.filter(kind=DocKind.OUTBOUND).exclude(reason__in=["", OutboundReason.SALE])
            .annotate(ref=Cast("pk", CharField())).values("ref"))


def window(on: date, window_days: int) -> tuple[date, date]:
    """The last ``window_days`` whole days before ``on`` (the plan is made in the morning of ``on``)."""
    return on - timedelta(days=window_days), on - timedelta(days=1)


def units_sold(sku_ids: Iterable[int] | None, warehouse: Warehouse, start: date, end: date) -> dict[int, int]:
    """Units that left ``warehouse`` as sales from ``start`` to ``end`` (inclusive), per SKU."""
    other = _not_sales()
    moves = (StockMove.objects.filter(from_warehouse=warehouse, to_bin__isnull=True, doc_kind__in=SALE_DOC_KINDS,
                                      business_day__gte=start, business_day__lte=end)
             .exclude(doc_kind=DocKind.OUTBOUND, doc_id__in=other))
    reversed_ = (StockMove.objects.filter(doc_kind=DocKind.REVERSAL, reverses__doc_kind__in=SALE_DOC_KINDS,
                                          reverses__from_warehouse=warehouse, reverses__to_bin__isnull=True,
                                          reverses__business_day__gte=start, reverses__business_day__lte=end)
                 .exclude(reverses__doc_kind=DocKind.OUTBOUND, reverses__doc_id__in=other))
    returned = StockMove.objects.filter(to_warehouse=warehouse, from_bin__isnull=True, to_bin__isnull=False,
                                        doc_kind__in=RETURN_DOC_KINDS, business_day__gte=start, business_day__lte=end)
    if sku_ids is not None:
        ids = list(sku_ids)
        moves, reversed_, returned = (q.filter(sku_id__in=ids) for q in (moves, reversed_, returned))
    totals: dict[int, int] = defaultdict(int)
    for sign, rows in ((1, moves), (-1, reversed_), (-1, returned)):
        for row in rows.values("sku_id").annotate(q=Sum("quantity")).order_by():
            totals[row["sku_id"]] += sign * row["q"]
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

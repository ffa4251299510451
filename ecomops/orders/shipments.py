"""Did every shipped unit leave the ledger exactly once? (ORD-01, WMS-10, WMS-13 账物相符)

The orders' side of ``inventory.verify``: that one proves the balances equal the ledger; this one
proves the ledger holds exactly the shipments. For every order and SKU:

- **expected**: what left the warehouse here. An order shipped whole here (its "shipped" event, written
  only by ``actions.ship_order`` and the parcels' last shipment) owes all its units; an order with
  parcels owes the units of its parcels that left. Orders that came in already shipped or completed
  from a platform export left before EcomOps knew them: they owe nothing.
- **posted**: the order's ledger moves out of the warehouse (against the order, WMS-10), less the ones
  corrected by a reversal (冲销单, WMS-13), plus anything posted back into a bin against it.

A difference is a shipped order without its moves or short of them (``missing``), posted twice
(``double``), moves of an order that did not ship here (``not_shipped``), a shipped line without a
SKU (``unmatched``), and stock still reserved for an order that is shipped or cancelled
(``still_reserved``). Everything is summed in the database (GROUP BY), so it runs over any history.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from ecomops.catalog.models import SKU
from ecomops.inventory.enums import DocKind, ReservationState
from ecomops.inventory.models import Reservation, StockMove

from .enums import FINAL, SHIPPED_OR_LATER, OrderEventKind, OrderState, ParcelState
from .models import Order, OrderEvent, OrderLine, ParcelLine

MISSING, DOUBLE, NOT_SHIPPED, UNMATCHED, STILL_RESERVED = (
    "missing", "double", "not_shipped", "unmatched", "still_reserved")


@dataclass(frozen=True)
class Difference:
    order_id: int
    order_no: str
    problem: str
    sku_id: int | None = None
    sku_code: str = ""
    expected: int = 0  # units that should have left the ledger
    posted: int = 0  # units that did (net of reversals)
    reserved: int = 0  # units still reserved (still_reserved)
    line_no: int | None = None  # the line without a SKU (unmatched)

    def __str__(self) -> str:
        where = _("订单 %(no)s（id %(id)s）") % {"no": self.order_no, "id": self.order_id}
        if self.problem == UNMATCHED:
            return where + _("第 %(line)s 行商品未匹配SKU，已发货却无法出库") % {"line": self.line_no}
        if self.problem == STILL_RESERVED:
            return where + _("SKU %(sku)s：已发货或已取消，仍占用 %(n)d 件库存") % {"sku": self.sku_code,
                                                                                     "n": self.reserved}
        why = {MISSING: _("发货没有全部出库"), DOUBLE: _("重复出库"), NOT_SHIPPED: _("没有在本系统发货却有出库")}[
            self.problem]
        return where + _("SKU %(sku)s：应出库 %(expected)d 件，已出库 %(posted)d 件（%(why)s）") % {
            "sku": self.sku_code, "expected": self.expected, "posted": self.posted, "why": why}


@dataclass(frozen=True)
class Totals:
    orders: int  # orders that owe units (shipped here, whole or by parcel)
    units: int  # units they owe


def _shipped_here():
    return OrderEvent.objects.filter(kind=OrderEventKind.SHIPPED, to_state=OrderState.SHIPPED).values("order_id")


def expected_units() -> dict[tuple[int, int | None], int]:
    """(order id, sku id) → units that left the warehouse here (see the module's docstring)."""
    expected: dict[tuple[int, int | None], int] = defaultdict(int)
    by_parcel = ParcelLine.objects.filter(parcel__state=ParcelState.SHIPPED)
    whole = (OrderLine.objects.filter(order_id__in=_shipped_here())
             .exclude(order_id__in=by_parcel.values("order_id")).exclude(sku__isnull=True))
    for row in whole.values("order_id", "sku_id").annotate(q=Sum("quantity")).order_by():
        expected[(row["order_id"], row["sku_id"])] += row["q"]
    for row in by_parcel.values("order_id", "order_line__sku_id").annotate(q=Sum("quantity")).order_by():
        expected[(row["order_id"], row["order_line__sku_id"])] += row["q"]
    return expected


def posted_units() -> dict[tuple[int, int], int]:
    """(order id, sku id) → units out of the warehouse against the order, net of reversals and of
    anything posted back into a bin against it."""
    posted: dict[tuple[int, int], int] = defaultdict(int)
    leaves, enters = Q(from_bin__isnull=False, to_bin__isnull=True), Q(from_bin__isnull=True, to_bin__isnull=False)
    own = StockMove.objects.filter(doc_kind=DocKind.ORDER)
    reversals = StockMove.objects.filter(doc_kind=DocKind.REVERSAL, reverses__doc_kind=DocKind.ORDER)
    for rows, doc in ((own, "doc_id"), (reversals, "reverses__doc_id")):
        sums = rows.values(doc, "sku_id").annotate(out=Sum("quantity", filter=leaves),
                                                   back=Sum("quantity", filter=enters)).order_by()
        for row in sums:
            if str(row[doc]).isdigit():
                posted[(int(row[doc]), row["sku_id"])] += (row["out"] or 0) - (row["back"] or 0)
    return posted


def shipment_differences() -> list[Difference]:
    expected, posted = expected_units(), posted_units()
    found: list[tuple[str, int, int | None, int, int, int, int | None]] = []
    for key in sorted(set(expected) | set(posted), key=lambda k: (k[0], k[1] or 0)):
        want, got = expected.get(key, 0), posted.get(key, 0)
        if key[1] is None or want == got:
            continue
        problem = MISSING if want > got else NOT_SHIPPED if want == 0 else DOUBLE
        found.append((problem, key[0], key[1], want, got, 0, None))
    for order_id, line_no in (OrderLine.objects.filter(order_id__in=_shipped_here(), sku__isnull=True)
                              .values_list("order_id", "line_no").order_by("order_id", "line_no")):
        found.append((UNMATCHED, order_id, None, 0, 0, 0, line_no))
    held: dict[tuple[int, int], int] = defaultdict(int)
    for doc_id, sku_id, quantity in (Reservation.objects.filter(doc_kind=DocKind.ORDER, state=ReservationState.ACTIVE)
                                     .values_list("doc_id", "sku_id", "quantity")):
        if str(doc_id).isdigit():
            held[(int(doc_id), sku_id)] += quantity
    closed = set(Order.objects.filter(pk__in={order_id for order_id, _s in held},
                                      state__in=[*SHIPPED_OR_LATER, *FINAL]).values_list("pk", flat=True))
    for (order_id, sku_id), quantity in sorted(held.items()):
        if order_id in closed:
            found.append((STILL_RESERVED, order_id, sku_id, 0, 0, quantity, None))
    numbers = dict(Order.objects.filter(pk__in={f[1] for f in found}).values_list("pk", "platform_order_no"))
    codes = dict(SKU.objects.filter(pk__in={f[2] for f in found if f[2]}).values_list("pk", "sku_code"))
    return [Difference(order_id=order_id, order_no=numbers.get(order_id, "?"), problem=problem, sku_id=sku_id,
                       sku_code=codes.get(sku_id, str(sku_id or "")), expected=want, posted=got, reserved=reserved,
                       line_no=line_no)
            for problem, order_id, sku_id, want, got, reserved, line_no in
            sorted(found, key=lambda f: (f[1], f[2] or 0, f[0]))]


def totals() -> Totals:
    expected = expected_units()
    return Totals(orders=len({order_id for order_id, _sku in expected}), units=sum(expected.values()))

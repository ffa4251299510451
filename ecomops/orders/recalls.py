"""CAT-06: which orders, and so which buyers, received the goods of a recall case.

The goods of a case are the lots its supplier delivered for the case's styles. An order "received"
them when the ledger shows those lots leaving the warehouse against the order (``doc_kind="order"``,
posted when the order ships) — net of anything later booked back against the same order. Orders that
hold those lots reserved but have not shipped are listed apart: they can still be stopped.

``register_affected_orders`` writes the shipped ones as ``RecallAffectedOrder`` rows (idempotent: once
per case, store, order and SKU), so the after-sales team can work through them. Buyer details are
always shown masked here (LAW-04); the order page has the logged reveal (CRM-03).

The recall case lives in suppliers, below orders: this module plugs ``register_affected_orders`` and
``buyers`` into ``suppliers.recall_hooks`` (``OrdersConfig.ready``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, Sum

from ecomops.catalog.models import SKU
from ecomops.inventory.enums import DocKind, ReservationState
from ecomops.inventory.models import Lot, ReservationAllocation, StockMove
from ecomops.suppliers import actions
from ecomops.suppliers.models import RecallAffectedOrder, RecallCase


@dataclass
class AffectedLine:
    order_id: int
    sku_id: int
    quantity: int


def case_lots(case: RecallCase):
    """The lots of the case: delivered by its supplier, for its client, holding SKUs of its styles."""
    skus = SKU.objects.filter(style__in=case.styles.all()).values("pk")
    return Lot.objects.filter(client_id=case.client_id, supplier_id=case.supplier_id,
                              moves__sku__in=skus).distinct()


def _case_moves(case: RecallCase):
    return StockMove.objects.filter(
        doc_kind=DocKind.ORDER, lot__in=case_lots(case).values("pk"), sku__style__in=case.styles.all(),
    )


def shipped_lines(case: RecallCase) -> list[AffectedLine]:
    """Per order and SKU, the net units of the case's lots that left the warehouse with the order."""
    out = (_case_moves(case).filter(to_bin__isnull=True, from_bin__isnull=False)
           .values("doc_id", "sku_id").annotate(units=Sum("quantity")))
    back = (_case_moves(case).filter(from_bin__isnull=True, to_bin__isnull=False)
            .values("doc_id", "sku_id").annotate(units=Sum("quantity")))
    net: dict[tuple[str, int], int] = defaultdict(int)
    for row in out:
        net[(row["doc_id"], row["sku_id"])] += row["units"]
    for row in back:
        net[(row["doc_id"], row["sku_id"])] -= row["units"]
    return [AffectedLine(order_id=int(doc_id), sku_id=sku_id, quantity=units)
            for (doc_id, sku_id), units in sorted(net.items()) if units > 0 and str(doc_id).isdigit()]


def reserved_order_ids(case: RecallCase) -> list[int]:
    """Orders that hold units of the case's lots reserved and have not shipped them yet."""
    rows = ReservationAllocation.objects.filter(
        reservation__state=ReservationState.ACTIVE, reservation__doc_kind=DocKind.ORDER,
        balance__lot__in=case_lots(case).values("pk"), balance__sku__style__in=case.styles.all(),
    ).values_list("reservation__doc_id", flat=True).distinct()
    return sorted({int(doc_id) for doc_id in rows if str(doc_id).isdigit()})


def register_affected_orders(case: RecallCase, *, user) -> int:
    """Record every shipped order of the case's lots (CAT-06); returns how many rows are new."""
    from .models import Order

    lines = shipped_lines(case)
    orders = Order.objects.select_related("store").in_bulk({line.order_id for line in lines})
    skus = SKU.objects.in_bulk({line.sku_id for line in lines})
    before = case.affected_orders.count()
    with transaction.atomic():
        for line in lines:
            order = orders.get(line.order_id)
            if order is None:
                continue
            actions.record_affected_order(case, user=user, order_ref=order.platform_order_no, store=order.store,
                                       sku=skus[line.sku_id], quantity=line.quantity, order=order)
    return case.affected_orders.count() - before


@dataclass
class BuyerRow:
    row: RecallAffectedOrder | None
    order: object
    buyer_nick: str
    receiver_name: str
    receiver_phone: str
    city: str


def buyers(case: RecallCase, user) -> tuple[list[BuyerRow], list]:
    """The buyers of the registered orders (masked) and the orders still holding the case's goods
    unshipped. Only orders of stores ``user`` sees."""
    from .models import Order
    from .queries import masked_receiver

    rows = list(case.affected_orders.select_related("store", "sku").order_by("pk"))
    ids = [int(r.order_id) for r in rows if str(r.order_id).isdigit()]
    visible = Order.objects.visible_to(user).in_bulk(ids)
    out = []
    for r in rows:
        order = visible.get(int(r.order_id)) if str(r.order_id).isdigit() else None
        if order is None:
            out.append(BuyerRow(r, None, "", "", "", ""))
            continue
        shown = masked_receiver(order)
        out.append(BuyerRow(
            r, order, order.buyer_nick,
            shown.name, shown.phone,
            f"{order.province}{order.city}",
        ))
    pending = list(Order.objects.visible_to(user).filter(Q(pk__in=reserved_order_ids(case)))
                   .select_related("store").order_by("paid_at", "pk"))
    return out, pending

"""WMS-09 transfers between warehouses: request → ship → receive, both sides sign, lots kept, in-transit
stock visible, differences recorded with a reason, out-of-order steps refused; books equal the ledger."""

from __future__ import annotations

from datetime import date

import pytest

from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.inventory import actions as inventory
from ecomops.inventory.models import StockBalance
from ecomops.inventory.verify import differences
from ecomops.stockops import actions
from ecomops.stockops.enums import TransferState

pytestmark = pytest.mark.django_db


def on_hand(bin_, sku, lot=None):
    rows = StockBalance.objects.filter(bin=bin_, sku=sku)
    if lot is not None:
        rows = rows.filter(lot=lot)
    return sum(r.on_hand for r in rows)


def request(ops, qty=5, **kw):
    return actions.request_transfer(user=ops.keeper, client=ops.org.client_a, from_warehouse=ops.wh,
                                    to_warehouse=ops.wh2, lines=[(ops.sku, qty)], **kw)


def test_wms09_transfer_ships_fifo_into_transit_and_receives_with_both_signatures(ops):
    old = ops.put(ops.sku, 3, ops.a2, received_on=date(2026, 1, 1))
    new = ops.put(ops.sku, 10, ops.a1, received_on=date(2026, 2, 1))
    transfer = request(ops, 5)
    transfer = actions.ship_transfer(transfer, user=ops.keeper)
    transit = inventory.transit_bin(ops.wh)
    assert transfer.state == TransferState.SHIPPED and transfer.shipped_by == ops.keeper and transfer.shipped_at
    assert on_hand(transit, ops.sku, old) == 3 and on_hand(transit, ops.sku, new) == 2  # oldest lot first
    rows = actions.in_transit(ops.keeper)
    assert [(r.transfer.number, r.lot.pk, r.quantity) for r in rows] == [
        (transfer.number, old.pk, 3), (transfer.number, new.pk, 2)]
    transfer = actions.receive_transfer(transfer, user=ops.keeper2, counts=[(ops.sku, ops.b1, 5)])
    assert transfer.state == TransferState.DONE
    assert transfer.received_by == ops.keeper2 and transfer.received_at
    assert on_hand(ops.b1, ops.sku, old) == 3 and on_hand(ops.b1, ops.sku, new) == 2  # lots kept (CAT-05)
    assert on_hand(transit, ops.sku) == 0 and actions.in_transit(ops.keeper) == []
    assert differences() == []


def test_wms09_out_of_order_steps_are_refused(ops):
    ops.put(ops.sku, 10)
    transfer = request(ops)
    with pytest.raises(Conflict):
        actions.receive_transfer(transfer, user=ops.keeper2, counts=[(ops.sku, ops.b1, 5)])
    actions.ship_transfer(transfer, user=ops.keeper)
    with pytest.raises(Conflict):
        actions.ship_transfer(transfer, user=ops.keeper)
    with pytest.raises(Conflict, match="不能取消"):
        actions.cancel_transfer(transfer, user=ops.keeper)
    actions.receive_transfer(transfer, user=ops.keeper2, counts=[(ops.sku, ops.b1, 5)])
    with pytest.raises(Conflict):
        actions.receive_transfer(transfer, user=ops.keeper2, counts=[(ops.sku, ops.b1, 5)])
    assert differences() == []


def test_wms09_cancel_only_before_shipping(ops):
    ops.put(ops.sku, 10)
    transfer = actions.cancel_transfer(request(ops), user=ops.keeper, reason="不调了")
    assert transfer.state == TransferState.CANCELLED and transfer.cancelled_by == ops.keeper
    with pytest.raises(Conflict):
        actions.ship_transfer(transfer, user=ops.keeper)


def test_wms09_shortage_needs_a_reason_stays_in_transit_and_is_settled_visibly(ops):
    ops.put(ops.sku, 10)
    transfer = actions.ship_transfer(request(ops, 5), user=ops.keeper)
    with pytest.raises(BusinessError, match="差异原因") as refused:
        actions.receive_transfer(transfer, user=ops.keeper2, counts=[(ops.sku, ops.b1, 3)])
    assert refused.value.field == f"reasons.{ops.sku.pk}"
    transfer = actions.receive_transfer(transfer, user=ops.keeper2, counts=[(ops.sku, ops.b1, 3)],
                                        reasons={ops.sku.pk: "箱子破损少两件"})
    assert transfer.state == TransferState.DISCREPANCY
    line = transfer.lines.get()
    assert (line.shipped, line.received, line.difference, line.difference_reason) == (5, 3, -2, "箱子破损少两件")
    transit = inventory.transit_bin(ops.wh)
    assert on_hand(transit, ops.sku) == 2  # not silently lost
    assert sum(r.quantity for r in actions.in_transit(ops.keeper)) == 2
    with pytest.raises(NotAllowed):
        actions.settle_transfer(transfer, user=ops.keeper2, reason="承运商赔付")
    with pytest.raises(BusinessError):
        actions.settle_transfer(transfer, user=ops.supervisor, reason="")
    transfer = actions.settle_transfer(transfer, user=ops.supervisor, reason="承运商赔付")
    assert transfer.state == TransferState.DONE and on_hand(transit, ops.sku) == 0
    moves = list(inventory.moves_of(actions.transfer_doc(transfer)))
    assert moves[-1].to_bin is None and "承运商赔付" in moves[-1].note
    assert differences() == []


def test_wms09_over_receipt_enters_as_a_new_lot_with_reason(ops):
    ops.put(ops.sku, 10)
    transfer = actions.ship_transfer(request(ops, 2), user=ops.keeper)
    transfer = actions.receive_transfer(transfer, user=ops.keeper2,
                                        counts=[(ops.sku, ops.b1, 2), (ops.sku, ops.b2, 1)],
                                        reasons={ops.sku.pk: "多发一件"})
    assert transfer.state == TransferState.DONE
    assert transfer.lines.get().difference == 1
    assert on_hand(ops.b1, ops.sku) + on_hand(ops.b2, ops.sku) == 3
    assert differences() == []


def test_wms09_receiving_refuses_bins_of_another_warehouse_and_foreign_skus(ops):
    ops.put(ops.sku, 10)
    transfer = actions.ship_transfer(request(ops), user=ops.keeper)
    with pytest.raises(BusinessError) as refused:
        actions.receive_transfer(transfer, user=ops.keeper2, counts=[(ops.sku, ops.a1, 5)])
    assert refused.value.field == "counts.0.bin"
    with pytest.raises(BusinessError, match="不在本调拨单上"):
        actions.receive_transfer(transfer, user=ops.keeper2, counts=[(ops.sku2, ops.b1, 5)])


def test_wms09_request_checks_fields_and_shipping_checks_stock(ops):
    ops.put(ops.sku, 2)
    with pytest.raises(BusinessError) as same:
        actions.request_transfer(user=ops.keeper, client=ops.org.client_a, from_warehouse=ops.wh,
                                 to_warehouse=ops.wh, lines=[(ops.sku, 1)])
    assert same.value.field == "to_warehouse"
    with pytest.raises(BusinessError) as foreign:
        actions.request_transfer(user=ops.keeper, client=ops.org.client_a, from_warehouse=ops.wh,
                                 to_warehouse=ops.wh2, lines=[(ops.sku_b, 1)])
    assert foreign.value.field == "lines.0.sku"
    transfer = request(ops, 5)
    with pytest.raises(BusinessError, match="不足"):
        actions.ship_transfer(transfer, user=ops.keeper)
    transfer.refresh_from_db()
    assert transfer.state == TransferState.REQUESTED


def test_wms09_dat02_another_clients_transfer_is_refused(ops):
    ops.put(ops.sku, 10)
    transfer = request(ops)
    with pytest.raises(BusinessError) as refused:
        actions.ship_transfer(transfer, user=ops.keeper_b)
    assert refused.value.code == "not_found"
    assert actions.in_transit(ops.keeper_b) == []


def test_wms13_shipped_transfer_is_corrected_by_reversal(ops):
    ops.put(ops.sku, 10)
    transfer = actions.ship_transfer(request(ops), user=ops.keeper)
    reversal = inventory.reverse_document(user=ops.keeper, doc=actions.transfer_doc(transfer), reason="发错仓")
    assert reversal.original_number == transfer.number
    assert on_hand(ops.a1, ops.sku) == 10 and differences() == []

"""Purchase orders (WMS-01 compares against them) and supplier returns raised by QC (WMS-16)."""

import pytest

from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.inventory import actions as inv
from ecomops.inventory.enums import DocKind
from ecomops.inventory.ledger import DocRef
from ecomops.supply.enums import POState, ReturnState
from ecomops.supply.purchasing import POItem, create_purchase_order, record_received
from ecomops.supply.returns import ReturnItem, raise_supplier_return


def test_purchase_order_merges_lines_and_tracks_receipts(stock, supplier, buyer):
    order = create_purchase_order(
        user=buyer,
        client=stock.org.client_a,
        supplier=supplier,
        warehouse=stock.wh,
        confirm=True,
        lines=[POItem(stock.sku, 10), POItem(stock.sku, 5), POItem(stock.sku2, 3)],
    )
    assert order.state == POState.CONFIRMED
    assert {(line.sku_id, line.quantity) for line in order.lines.all()} == {(stock.sku.pk, 15), (stock.sku2.pk, 3)}
    record_received(order, {stock.sku.pk: 15}, user=buyer)
    order.refresh_from_db()
    assert order.state == POState.PARTIALLY_RECEIVED
    record_received(order, {stock.sku2.pk: 3}, user=buyer)
    order.refresh_from_db()
    assert order.state == POState.RECEIVED
    with pytest.raises(Conflict):
        record_received(order, {stock.sku2.pk: 1}, user=buyer)


def test_purchase_order_refuses_bad_lines_and_other_clients(stock, supplier, buyer):
    with pytest.raises(BusinessError, match="第 1 行"):
        create_purchase_order(
            user=buyer,
            client=stock.org.client_a,
            supplier=supplier,
            warehouse=stock.wh,
            lines=[POItem(stock.sku_b, 1)],
        )
    with pytest.raises(BusinessError, match="第 1 行"):
        create_purchase_order(
            user=buyer,
            client=stock.org.client_a,
            supplier=supplier,
            warehouse=stock.wh,
            lines=[POItem(stock.sku, 0)],
        )
    with pytest.raises(NotAllowed):
        create_purchase_order(
            user=buyer,
            client=stock.org.client_b,
            supplier=supplier,
            warehouse=stock.wh,
            lines=[POItem(stock.sku_b, 1)],
        )


def test_defects_gather_on_one_collecting_return_per_supplier(stock, supplier):
    """WMS-16: defective goods are collected per supplier until the supplier takes them back."""
    lot = inv.open_lot(client=stock.org.client_a, source=DocRef(DocKind.RECEIPT, "1", "RK1"), supplier=supplier)
    stock.put(stock.sku, 3, stock.defective, lot=lot)
    first = raise_supplier_return(
        client=stock.org.client_a,
        supplier=supplier,
        warehouse=stock.wh,
        items=[ReturnItem(stock.sku, lot, stock.defective, 2)],
        user=stock.keeper,
    )
    second = raise_supplier_return(
        client=stock.org.client_a,
        supplier=supplier,
        warehouse=stock.wh,
        items=[ReturnItem(stock.sku, lot, stock.defective, 1)],
    )
    assert first.pk == second.pk and first.state == ReturnState.COLLECTING and first.lines.count() == 2
    with pytest.raises(BusinessError):
        raise_supplier_return(
            client=stock.org.client_a,
            supplier=supplier,
            warehouse=stock.wh,
            items=[ReturnItem(stock.sku, lot, stock.a1, 1)],
        )


def test_history_of_a_moved_purchase_order_gives_chinese_reasons(stock, supplier, buyer):
    """Issue 14: the audit trail reads "原因：已下单", not an English token such as "confirm"."""
    order = create_purchase_order(user=buyer, client=stock.org.client_a, supplier=supplier, warehouse=stock.wh,
                                  confirm=True, lines=[POItem(stock.sku, 10)])
    record_received(order, {stock.sku.pk: 4}, user=buyer)
    record_received(order, {stock.sku.pk: 6}, user=buyer)
    reasons = list(order.history.order_by("history_id").values_list("history_change_reason", flat=True))
    assert reasons[1:] == ["已下单", "部分到货", "已到齐"]
    assert all(reason is None or not reason.isascii() for reason in reasons)

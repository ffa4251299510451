"""CAT-05 traceability helpers and the demo warehouses (WMS-07)."""

from __future__ import annotations

from ecomops.demo import inventory as demo
from ecomops.inventory import trace
from ecomops.inventory.enums import BinKind, DocKind
from ecomops.inventory.ledger import DocRef, Move, post_moves
from ecomops.inventory.models import Bin, StockBalance
from ecomops.inventory.tests import support

wh = support.wh  # the fixture


def test_cat05_lot_trace_lists_documents_and_orders_hook(wh):
    """CAT-05: from a lot to every movement and document, and to the orders that took it."""
    lot = wh.put(wh.sku, 5)
    post_moves([Move(wh.sku.pk, lot.pk, 2, from_bin=wh.a1, to_bin=None)], doc=DocRef(DocKind.ORDER, "55", "SO-55"),
               user=wh.keeper)
    found = trace.lot_trace(lot)
    assert [d.number for d in found.documents] == ["TEST", "SO-55"] and found.on_hand == 3
    assert found.orders == [{"doc_id": "55", "number": "SO-55", "quantity": 2, "customer": "", "url": ""}]
    trace.register_order_resolver(lambda ids: {i: {"customer": "张三", "url": "/orders/55/"} for i in ids})
    try:
        assert trace.orders_that_took(lot)[0]["customer"] == "张三"
    finally:
        trace.register_order_resolver(None)


def test_cat05_sku_back_to_lot_receipt_and_supplier(wh):
    lot = wh.put(wh.sku, 1)
    assert list(trace.lots_of_sku([wh.sku.pk])) == [lot]
    assert list(trace.lots_of_sku([wh.sku2.pk])) == []


def test_demo_opening_stock_posts_one_opening_document_per_client(org, django_user_model, stock):
    """WMS-07/WMS-13: opening stock goes in through the core's opening document (期初), one per client."""
    admin = django_user_model.objects.create_superuser("demo_admin", password=None)
    built = demo.build(admin=admin)  # HZ and SH exist already (stock fixture): left as they are
    assert built["HZ"] == stock.wh
    documents = demo.put_opening_stock(admin=admin, warehouse=built["HZ"], lines=[(stock.sku, 4), (stock.sku_b, 2)],
                                       bin_code="A-01-01")
    assert len(documents) == 2 and all(d.is_posted and d.kind == DocKind.OPENING for d in documents)
    assert sum(StockBalance.objects.filter(sku=stock.sku).values_list("on_hand", flat=True)) == 4
    assert {d.client_id for d in documents} == {org.client_a.pk, org.client_b.pk}


def test_demo_layout_on_an_empty_database(org, django_user_model):
    admin = django_user_model.objects.create_superuser("demo_admin", password=None)
    built = demo.build(admin=admin)
    assert [w.name for w in built.values()] == ["杭州主仓", "上海分仓"]
    for warehouse in built.values():
        kinds = set(Bin.objects.filter(warehouse=warehouse).values_list("kind", flat=True))
        assert kinds == set(BinKind.values)
    assert demo.build(admin=admin)["HZ"] == built["HZ"]

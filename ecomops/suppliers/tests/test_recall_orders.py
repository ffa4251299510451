"""CAT-06: a recall case lists the orders (and buyers) that received the affected lots."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from ecomops.inventory import actions as stock_actions
from ecomops.inventory import reservations
from ecomops.inventory.enums import DocKind
from ecomops.inventory.ledger import DocRef, Move, post_moves
from ecomops.orders import recalls as recall_orders
from ecomops.orders.actions import LineInput
from ecomops.orders.tests.conftest import new_order
from ecomops.suppliers import actions
from ecomops.suppliers.enums import RecallState
from ecomops.suppliers.models import Supplier

from .test_recall import _sample


@pytest.fixture
def sold(sup, org):
    """Two lots of TEA-001 in one bin: one from the failing supplier, one from another; three orders:
    one shipped from the bad lot, one shipped from the good lot, one still holding the bad lot reserved."""
    w = type("W", (), {})()
    w.wh = stock_actions.create_warehouse(user=org.admin, code="HZ", name="杭州仓")
    w.bin = stock_actions.create_bin(w.wh, user=org.admin, code="A-01-01")
    other = Supplier.objects.create(code="SUP-O", name="另一茶厂", client=org.client_a, created_by=org.admin)
    opening = DocRef(kind=DocKind.OPENING, id="R1", number="R1")
    w.bad_lot = stock_actions.open_lot(client=org.client_a, source=opening, supplier=sup.supplier_a,
                                       received_on=timezone.localdate().replace(day=1))
    w.good_lot = stock_actions.open_lot(client=org.client_a, source=opening, supplier=other)
    post_moves([Move(sku_id=sup.sku_a.pk, lot_id=w.bad_lot.pk, quantity=5, to_bin=w.bin),
                Move(sku_id=sup.sku_a.pk, lot_id=w.good_lot.pk, quantity=5, to_bin=w.bin)], doc=opening, user=org.admin)
    line = [LineInput(quantity=2, unit_price=Decimal("198.00"), platform_sku_code="TEA-001-250", title="龙井")]
    w.shipped_bad = new_order(org.admin, org.store_a1, "TB-BAD", lines=line, buyer_nick="喝茶的人")
    w.shipped_good = new_order(org.admin, org.store_a1, "TB-GOOD", lines=line)
    w.reserved = new_order(org.admin, org.store_a1, "TB-WAIT", lines=line)
    for order, lot in ((w.shipped_bad, w.bad_lot), (w.shipped_good, w.good_lot)):
        post_moves([Move(sku_id=sup.sku_a.pk, lot_id=lot.pk, quantity=2, from_bin=w.bin)],
                   doc=DocRef(kind=DocKind.ORDER, id=str(order.pk), number=order.platform_order_no), user=org.admin)
    # FIFO: the bad lot (received first) still has 3 units, so the reservation takes them.
    reservations.reserve(doc=DocRef(kind=DocKind.ORDER, id=str(w.reserved.pk), number="TB-WAIT"),
                         lines=[(sup.sku_a.pk, 2)], warehouse=w.wh, user=org.admin)
    return w


def test_cat06_delisting_registers_the_orders_that_shipped_the_bad_lot(sup, sold):
    case = _sample(sup).recall_case
    actions.move_recall(case, user=sup.handler, to_state=RecallState.DELISTED)
    rows = list(case.affected_orders.all())
    assert [(r.order_ref, r.sku_id, r.quantity, r.store_id) for r in rows] == [
        ("TB-BAD", sup.sku_a.pk, 2, sold.shipped_bad.store_id)]
    assert rows[0].order == sold.shipped_bad
    assert "登记涉及订单 1 笔" in case.events.order_by("-pk").first().note
    assert recall_orders.reserved_order_ids(case) == [sold.reserved.pk]
    # Sold goods must be recalled before the case closes.
    from ecomops.core.errors import Conflict

    with pytest.raises(Conflict):
        actions.move_recall(case, user=sup.handler, to_state=RecallState.CLOSED, note="结案")


def test_cat06_registering_again_adds_nothing_and_returned_goods_do_not_count(sup, sold, org):
    case = _sample(sup).recall_case
    assert recall_orders.register_affected_orders(case, user=sup.handler) == 1
    assert recall_orders.register_affected_orders(case, user=sup.handler) == 0
    # The buyer sent both units back against the same order: net nothing left with the buyer.
    post_moves([Move(sku_id=sup.sku_a.pk, lot_id=sold.bad_lot.pk, quantity=2, to_bin=sold.bin)],
               doc=DocRef(kind=DocKind.ORDER, id=str(sold.shipped_bad.pk), number="TB-BAD"), user=org.admin)
    assert recall_orders.shipped_lines(case) == []


def test_cat06_recall_page_lists_buyers_masked_and_unshipped_orders(sup, sold, org):
    case = _sample(sup).recall_case
    recall_orders.register_affected_orders(case, user=sup.handler)
    from ecomops.inventory.tests.conftest import give

    give(sup.handler, "orders.view_order", "orders.view_buyer_personal")
    http = HttpClient()
    http.force_login(sup.handler)
    page = http.get(reverse("suppliers:recall_detail", args=[case.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "TB-BAD" in html and "喝茶的人" in html and "TB-GOOD" not in html
    assert "13812345678" not in html and "138****" in html  # LAW-04: masked here, logged reveal elsewhere
    assert 'data-testid="unshipped-orders"' in html and "TB-WAIT" in html
    # The button looks again and says how many are new.
    found = http.post(reverse("suppliers:recall_find_orders", args=[case.pk]), follow=True)
    assert "新登记涉及订单 0 笔" in found.content.decode()


def test_cat06_recall_page_hides_orders_of_stores_out_of_scope(sup, sold, org):
    case = _sample(sup).recall_case
    recall_orders.register_affected_orders(case, user=sup.handler)
    buyers, unshipped = recall_orders.buyers(case, org.user_b)
    assert [b.order for b in buyers] == [None] and unshipped == []

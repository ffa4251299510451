"""ORD-09 late confirmations (flag, due items, command), ORD-08 merge rule and invoice requests, ORD-06
confirmation content."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from ecomops.audit.models import DueItem
from ecomops.core.errors import BusinessError
from ecomops.orders import actions
from ecomops.orders.enums import OrderEventKind
from ecomops.orders.models import Order
from ecomops.orders.queries import estimated_ship_date, late_unconfirmed

from .conftest import at, new_order, pay


def test_ord09_order_unconfirmed_24h_after_payment_is_flagged_late_with_a_due_item(od):
    pay(od.clerk, od.a1)  # paid 2 March 10:05 → confirm by 3 March 10:05
    assert not late_unconfirmed(at(3, 10, 5)).exists()  # exactly at the deadline: not late
    assert list(late_unconfirmed(at(3, 10, 6))) == [Order.objects.get(pk=od.a1.pk)]
    out = StringIO()
    call_command("orders-late", "--at", "2026-03-03T10:06", stdout=out)
    assert "1 newly flagged" in out.getvalue()
    order = Order.objects.get(pk=od.a1.pk)
    assert order.confirm_late and order.confirm_is_late()
    item = DueItem.objects.get(kind=actions.CONFIRM_DUE_KIND)
    assert item.owner == od.cs and item.clause == "ORD-09" and item.due_at == at(3, 10, 5)  # sales_cs of A
    call_command("orders-late", "--at", "2026-03-03T12:00", stdout=StringIO())  # idempotent
    assert DueItem.objects.filter(kind=actions.CONFIRM_DUE_KIND).count() == 1
    assert order.events.filter(kind=OrderEventKind.CONFIRM_LATE).count() == 1
    # Confirming now keeps the flag and completes the due item.
    actions.confirm(order, user=od.cs, at=at(3, 12))
    order.refresh_from_db()
    assert order.confirm_late and order.confirmed_at == at(3, 12)
    assert not DueItem.objects.open().filter(kind=actions.CONFIRM_DUE_KIND).exists()


def test_ord09_confirmed_in_time_is_not_late_and_unpaid_cannot_be_confirmed(od):
    with pytest.raises(BusinessError) as refused:
        actions.confirm(od.a1, user=od.cs)
    assert refused.value.code == "unpaid"
    pay(od.clerk, od.a1)
    order = actions.confirm(Order.objects.get(pk=od.a1.pk), user=od.cs, at=at(3, 10, 5))
    assert not order.confirm_late and not order.confirm_is_late(at(9))
    with pytest.raises(BusinessError):
        actions.confirm(order, user=od.cs)  # once


def test_ord09_confirm_deadline_follows_the_policy_value(od, org):
    from ecomops.policy.models import PolicyParameter

    parameter = PolicyParameter.objects.get(key=actions.CONFIRM_WITHIN_KEY)
    assert parameter.clause == "ORD-09"
    pay(od.clerk, od.a2, paid_at=at(2, 23))
    assert Order.objects.get(pk=od.a2.pk).confirm_due_at == at(2, 23) + timedelta(hours=24)


def _pair(od, org, *, gap_hours, **second):
    first = new_order(od.clerk, org.store_a1, "M1", placed_at=at(4, 8))
    store = second.pop("store", org.store_a1)
    other = new_order(od.clerk, store, "M2", placed_at=at(4, 8) + timedelta(hours=gap_hours), **second)
    for order in (first, other):
        if not order.is_cod:
            pay(od.clerk, order, paid_at=order.placed_at)
    return Order.objects.get(pk=first.pk), Order.objects.get(pk=other.pk)


def test_ord08_merge_allowed_up_to_the_policy_gap_and_refused_beyond(od, org):
    """ORD-08: same store, buyer and address within ORD-08.merge_max_gap_hours (24 h) may merge."""
    a, b = _pair(od, org, gap_hours=24)
    assert actions.can_merge(a, b)
    Order.objects.filter(pk=b.pk).update(placed_at=at(4, 8) + timedelta(hours=24, seconds=1))
    b.refresh_from_db()
    check = actions.can_merge(a, b)
    assert not check and "24" in check.reason


def test_ord08_cash_on_delivery_is_never_merged(od, org):
    a, b = _pair(od, org, gap_hours=1, payment_method="cod")
    check = actions.can_merge(a, b)
    assert not check and "货到付款" in check.reason
    assert not actions.can_merge(b, a)


@pytest.mark.parametrize(("second", "reason"), [
    ({"buyer_nick": "someone_else"}, "买家"),
    ({"receiver_address": "文三路 100 号 3 单元 503 室"}, "地址"),
    ({"receiver_phone": "13800000000"}, "地址"),
])
def test_ord08_merge_needs_same_buyer_and_receiver(od, org, second, reason):
    a, b = _pair(od, org, gap_hours=1, **second)
    check = actions.can_merge(a, b)
    assert not check and reason in check.reason


def test_ord08_merge_needs_same_store(od, org):
    a, b = _pair(od, org, gap_hours=1, store=org.store_a2)
    assert "店铺" in actions.can_merge(a, b).reason


def test_ord08_courier_change_before_shipping_only(od):
    order = actions.change_courier(od.a1, user=od.clerk, courier="sf_express", reason="买家要顺丰")
    event = order.events.get(kind=OrderEventKind.COURIER_CHANGED)
    assert event.data == {"before": "", "after": "sf_express"}
    with pytest.raises(BusinessError) as refused:
        actions.change_courier(order, user=od.clerk, courier="nope")
    assert refused.value.field == "courier"
    actions.cancel(order, user=od.clerk, reason="x")
    with pytest.raises(BusinessError):
        actions.change_courier(order, user=od.clerk, courier="zto")


def test_law03_invoice_request_validates_title_and_tax_number(od):
    with pytest.raises(BusinessError) as refused:
        actions.request_invoice(od.a1, user=od.clerk, kind="electronic", title_kind="company", title="杭州茶叶有限公司")
    assert refused.value.field == "tax_number"
    with pytest.raises(BusinessError) as refused:
        actions.request_invoice(od.a1, user=od.clerk, kind="electronic", title_kind="company", title="杭州茶叶有限公司",
                                tax_number="91330106MA2CFX1A0B")  # wrong check character
    assert refused.value.field == "tax_number"
    with pytest.raises(BusinessError) as refused:
        actions.request_invoice(od.a1, user=od.clerk, kind="special_vat", title_kind="personal", title="张三")
    assert refused.value.field == "title_kind"
    with pytest.raises(BusinessError) as refused:
        actions.request_invoice(od.a1, user=od.clerk, kind="paper", title_kind="personal", title="")
    assert refused.value.field == "title"
    invoice = actions.request_invoice(od.a1, user=od.clerk, kind="special_vat", title_kind="company",
                                      title="杭州茶叶有限公司", tax_number="91330106ma2cfx1a04")
    assert invoice.tax_number == "91330106MA2CFX1A04"
    assert actions.valid_tax_number("914403001922038216")  # a real code (GB 32100-2015 check)
    assert actions.request_invoice(od.a1, user=od.clerk, kind="electronic", title_kind="personal", title="张三")


def test_ord06_estimated_ship_date_follows_the_same_day_cutoff(od):
    pay(od.clerk, od.a1, paid_at=at(2, 16, 59))
    assert estimated_ship_date(Order.objects.get(pk=od.a1.pk)) == at(2).date()
    pay(od.clerk, od.a2, paid_at=at(2, 17, 0))
    assert estimated_ship_date(Order.objects.get(pk=od.a2.pk)) == at(3).date()
    assert estimated_ship_date(Order.objects.get(pk=od.b1.pk)) is None

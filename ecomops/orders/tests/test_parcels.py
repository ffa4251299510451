"""ORD-08: split shipments (each unit in exactly one parcel, a parcel may go to another address, never
cash on delivery) and merged orders (same store, buyer and receiver within the policy's gap, never cash
on delivery, one warehouse), undoing, and shipping parcel by parcel."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from ecomops.core.errors import BusinessError
from ecomops.orders import actions, parcels
from ecomops.orders.actions import LineInput
from ecomops.orders.enums import OrderEventKind, OrderState, ParcelState
from ecomops.orders.models import Order, OrderEvent, Parcel

from .conftest import Api, at, new_order

S = OrderState


def two_lines(od, org, number, **fields):
    order = new_order(od.clerk, org.store_a1, number, lines=[
        LineInput(quantity=3, unit_price=Decimal("10.00"), platform_sku_code="P-1"),
        LineInput(quantity=1, unit_price=Decimal("20.00"), platform_sku_code="P-1")], **fields)
    actions.mark_paid(order, user=od.clerk, paid_at=at(2, 10))
    return Order.objects.get(pk=order.pk)


def ids(order):
    return [line.pk for line in order.lines.order_by("line_no")]


def test_ord08_split_puts_every_unit_in_exactly_one_parcel_and_may_use_another_address(od, org):
    order = two_lines(od, org, "S1")
    a, b = ids(order)
    gift = {"receiver_name": "李四", "receiver_phone": "13900001111", "receiver_address": "南京路 1 号",
            "province": "上海市", "city": "上海市"}
    made = parcels.split_order(order, user=od.clerk, parts=[
        {"lines": {a: 2}}, {"lines": {a: 1, b: 1}, "receiver": gift}], reason="一半送朋友")
    assert [p.kind for p in made] == ["split", "split"]
    assert made[0].receiver_name == "张三丰" and made[1].receiver_name == "李四"
    assert made[0].receiver_hash != made[1].receiver_hash
    event = OrderEvent.objects.get(order=order, kind=OrderEventKind.SPLIT)
    assert event.data["parcels"] == [p.number for p in made] and event.data["other_address"] == [made[1].number]
    assert "李四" not in str(event.data) and "13900001111" not in str(event.data)  # CRM-03: no plain personal data
    assert Parcel.history.filter(number=made[1].number).exists()  # audited
    with pytest.raises(BusinessError) as again:
        parcels.split_order(order, user=od.clerk, parts=[{"lines": {a: 3}}, {"lines": {b: 1}}])
    assert again.value.code == "has_parcels"


@pytest.mark.parametrize(("parts", "field", "text"), [
    ([{"lines": {"A": 3, "B": 1}}], "parts", "2 到"),  # one part only
    ([{"lines": {"A": 2}}, {"lines": {"A": 1}}], "parts", "第 2 行共 1 件，包裹里合计 0 件"),  # a unit left out
    ([{"lines": {"A": 3, "B": 1}}, {"lines": {"A": 1}}], "parts", "第 1 行共 3 件，包裹里合计 4 件"),  # twice
    ([{"lines": {"A": 3, "B": 1}}, {"lines": {}}], "parts.1.lines", "第 2 个包裹没有商品"),
    ([{"lines": {"A": 3}}, {"lines": {"B": "x"}}], "parts.1.lines.B", "整数"),
    ([{"lines": {"A": 3}}, {"lines": {"B": -1}}], "parts.1.lines.B", "负"),
    ([{"lines": {"A": 3}}, {"lines": {"999999": 1}}], "parts.1.lines", "不属于此订单"),
])
def test_ord08_bad_splits_are_refused_by_field_and_write_nothing(od, org, parts, field, text):
    order = two_lines(od, org, "S2")
    a, b = ids(order)
    names = {"A": str(a), "B": str(b)}
    concrete = [{"lines": {names.get(k, k): v for k, v in part["lines"].items()}} for part in parts]
    field = field.replace("lines.B", f"lines.{b}")
    with pytest.raises(BusinessError) as refused:
        parcels.split_order(order, user=od.clerk, parts=concrete)
    assert refused.value.field == field and text in refused.value.message
    assert not Parcel.objects.exists() and not OrderEvent.objects.filter(kind=OrderEventKind.SPLIT).exists()


def test_ord08_cash_on_delivery_is_never_split_nor_merged(od, org):
    cod = new_order(od.clerk, org.store_a1, "C1", payment_method="cod")
    other = two_lines(od, org, "C2")
    with pytest.raises(BusinessError, match="货到付款"):
        parcels.split_order(cod, user=od.clerk, parts=[{"lines": {ids(cod)[0]: 1}}, {"lines": {ids(cod)[0]: 0}}])
    with pytest.raises(BusinessError, match="货到付款"):
        parcels.merge_orders([other, cod], user=od.clerk)


def test_ord08_merge_same_buyer_and_address_within_the_gap_ships_as_one(od, org):
    first = two_lines(od, org, "M1")
    second = new_order(od.clerk, org.store_a1, "M2", placed_at=at(2) + timedelta(hours=3))
    actions.mark_paid(second, user=od.clerk, paid_at=at(2, 14))
    parcel = parcels.merge_orders([second, first], user=od.clerk)
    assert parcel.kind == "merged" and parcel.receiver_hash == first.receiver_hash
    assert sorted(parcel.lines.values_list("order__platform_order_no", "quantity")) == [("M1", 1), ("M1", 3),
                                                                                         ("M2", 1)]
    assert {e.order.platform_order_no for e in OrderEvent.objects.filter(kind=OrderEventKind.MERGED)} == {"M1", "M2"}
    # A third order cannot join a parcel already made, nor be merged twice.
    with pytest.raises(BusinessError):
        parcels.merge_orders([first, second], user=od.clerk)


@pytest.mark.parametrize(("change", "text"), [
    ({"buyer_nick": "someone_else"}, "不是同一买家"),
    ({"receiver_address": "另一条路 9 号"}, "收货人或收货地址不同"),
    ({"placed_at": at(5)}, "小时"),  # beyond ORD-08.merge_max_gap_hours
])
def test_ord08_merge_refuses_other_buyer_other_address_and_the_gap(od, org, change, text):
    first = two_lines(od, org, "N1")
    other = new_order(od.clerk, org.store_a1, "N2", **change)
    actions.mark_paid(other, user=od.clerk, paid_at=at(5, 12))
    with pytest.raises(BusinessError, match=text):
        parcels.merge_orders([first, other], user=od.clerk)
    assert not Parcel.objects.exists()


def test_ord08_undo_then_ship_parcel_by_parcel(od, org, wh):
    from ecomops.orders import review

    wh.put(wh.hz_bin, 4)
    order = two_lines(od, org, "U1")
    a, b = ids(order)
    made = parcels.split_order(order, user=od.clerk, parts=[{"lines": {a: 3}}, {"lines": {b: 1}}])
    undone = parcels.undo_parcels(order, user=od.clerk, reason="买家改主意")
    assert {p.state for p in undone} == {ParcelState.CANCELLED}
    made = parcels.split_order(order, user=od.clerk, parts=[{"lines": {a: 3}}, {"lines": {b: 1}}])
    with pytest.raises(BusinessError, match="待发货"):
        parcels.ship_parcel(made[0], user=od.clerk, courier="sf_express", tracking_no="SF1")
    review.auto_review([order.pk], user=od.clerk)  # its stock reserved (ORD-04), then printed
    order = actions.release_to_shipping(Order.objects.get(pk=order.pk), user=od.clerk)
    with pytest.raises(BusinessError, match="按包裹发货"):
        actions.mark_shipped(order, user=od.clerk, courier="sf_express", tracking_no="SF0")
    parcels.ship_parcel(made[0], user=od.clerk, courier="sf_express", tracking_no="SF1")
    assert Order.objects.get(pk=order.pk).state == S.AWAITING_SHIPMENT  # one of two parcels left
    with pytest.raises(BusinessError, match="已有包裹发出"):
        parcels.undo_parcels(order, user=od.clerk, reason="晚了")
    with pytest.raises(BusinessError, match="tracking_no|运单号"):
        parcels.ship_parcel(made[1], user=od.clerk, courier="yto", tracking_no="")
    parcels.ship_parcel(made[1], user=od.clerk, courier="yto", tracking_no="YT2")
    order.refresh_from_db()
    assert order.state == S.SHIPPED and order.tracking_no == "YT2"
    assert OrderEvent.objects.filter(order=order, kind=OrderEventKind.PARCEL_SHIPPED).count() == 1


def test_ord08_parcel_api_and_page_are_scoped(od, org):
    from .test_review import _http

    order = two_lines(od, org, "P1")
    a, b = ids(order)
    api = Api(od.clerk)
    response = api.post(f"orders/{order.pk}/split", {"parts": [{"lines": {str(a): 3}}, {"lines": {str(b): 1}}]})
    assert response.status_code == 201, response.content
    assert len(response.json()) == 2 and "receiver_phone" not in response.content.decode()
    listed = api.get(f"orders/{order.pk}/parcels").json()
    assert [p["state"] for p in listed] == ["open", "open"]
    bad = api.post(f"orders/{order.pk}/parcels/undo", {"reason": ""})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "reason"
    assert api.post(f"orders/{order.pk}/parcels/undo", {"reason": "重新拆"}).status_code == 200
    assert Api(od.clerk_b).get(f"orders/{order.pk}/parcels").status_code == 404
    page = _http(od.clerk).get(f"/orders/{order.pk}/").content.decode()
    assert "拆分发货" in page and 'data-testid="parcels"' in page
    second = new_order(od.clerk, org.store_a1, "P2")
    actions.mark_paid(second, user=od.clerk, paid_at=at(2, 11))
    merged = api.post("order-merges", {"order_ids": [order.pk, second.pk]})
    assert merged.status_code == 201, merged.content
    assert merged.json()["kind"] == "merged"
    refused = Api(od.clerk_b).post("order-merges", {"order_ids": [order.pk, second.pk]})
    assert refused.status_code in (403, 404)


def test_ord08_order_page_splits_to_a_second_address_merges_and_reports_bad_input(od, org):
    from django.urls import reverse

    from .test_review import _http

    order = two_lines(od, org, "Q1")
    a, b = ids(order)
    http = _http(od.clerk)
    url = reverse("orders:order_parcels", args=[order.pk])
    # Bad: a unit in no parcel — the page says which line, nothing is written.
    answer = http.post(url, {"do": "split", f"q-1-{a}": "2", f"q-2-{a}": "1"}, follow=True).content.decode()
    assert "第 2 行共 1 件" in answer and not Parcel.objects.exists()
    http.post(url, {"do": "split", f"q-1-{a}": "3", f"q-2-{b}": "1", "alt_receiver_name": "王五",
                    "alt_receiver_phone": "13700002222", "alt_receiver_address": "中山路 8 号", "alt_city": "宁波市"})
    made = list(Parcel.objects.order_by("pk"))
    assert len(made) == 2 and made[1].receiver_name == "王五" and made[0].receiver_name == "张三丰"
    page = http.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    assert "王五" not in page and "13700002222" not in page  # masked on the page (LAW-04)
    http.post(url, {"do": "undo", "reason": "不拆了"})
    second = new_order(od.clerk, org.store_a1, "Q2")
    actions.mark_paid(second, user=od.clerk, paid_at=at(2, 11))
    page = http.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    assert 'data-testid="merge-form"' in page and ">Q2<" in page
    http.post(url, {"do": "merge", "with": [str(second.pk)]})
    merged = Parcel.objects.get(state=ParcelState.OPEN)
    assert merged.kind == "merged" and set(merged.lines.values_list("order_id", flat=True)) == {order.pk, second.pk}


def test_ord08_demo_splits_one_order_and_merges_a_buyers_second_order(od, org):
    from ecomops.demo.orders import demo_parcels

    two_lines(od, org, "D1")
    for number, buyer, address in (("D2", "buyer_two", "湖滨路 5 号"), ("D3", "buyer_three", "延安路 9 号")):
        order = new_order(od.clerk, org.store_a1, number, buyer_nick=buyer, receiver_address=address)
        actions.mark_paid(order, user=od.clerk, paid_at=at(2, 9))
    assert demo_parcels(admin=org.admin) == 3
    split = Parcel.objects.filter(kind="split").order_by("pk")
    assert split.count() == 2 and split[1].receiver_name == "周晓雯"
    merged = Parcel.objects.get(kind="merged")
    pair = sorted(set(merged.lines.values_list("order__platform_order_no", flat=True)))
    assert len(pair) == 2 and pair[1] == pair[0] + "-2"
    left = "D3" if pair[0] == "D2" else "D2"
    base = Order.objects.get(platform_order_no=left)
    assert [o.platform_order_no for o in parcels.merge_candidates(base, od.clerk)] == [f"{left}-2"]


@pytest.mark.django_db(transaction=True)
def test_ord08_clerks_merging_overlapping_orders_at_once_never_share_an_order(od, org):
    """Six workers at once, each merging a different pair out of three orders of one buyer: orders are
    locked in key order, so nobody deadlocks; exactly one merge wins and every other is refused by name."""
    import threading

    from django.db import connections

    orders = []
    for n in range(3):
        order = new_order(od.clerk, org.store_a1, f"R{n}", placed_at=at(2) + timedelta(minutes=n))
        actions.mark_paid(order, user=od.clerk, paid_at=at(2, 11))
        orders.append(Order.objects.get(pk=order.pk))
    pairs = [(0, 1), (1, 2), (2, 0), (1, 0), (2, 1), (0, 2)]
    barrier = threading.Barrier(len(pairs))
    done, refused, errors = [], [], []

    def worker(a, b):
        try:
            barrier.wait()
            done.append(parcels.merge_orders([orders[a], orders[b]], user=od.clerk).pk)
        except BusinessError as error:
            refused.append(error.code)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(done) == 1 and sorted(refused) == ["has_parcels"] * 5
    parcel = Parcel.objects.get()
    assert len(set(parcel.lines.values_list("order_id", flat=True))) == 2

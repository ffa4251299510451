"""ORD-01 / WMS-10 / WMS-14: one path to "shipped", and it takes the goods out of the ledger.

Every way an order becomes shipped (``set_state``, the API's transitions, the new whole-order ship
operation and page form, parcels) goes through ``actions.ship_order``, which consumes the order's
reservation into ledger moves against the order (the WMS-14 plan counts them as sales). An order whose
stock is not reserved is refused by name. Shipping twice, or two clerks at once, posts once. The
reconciliation (``ecomops orders-stock-verify``) proves every shipped unit left the ledger exactly once.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.inventory import reservations
from ecomops.inventory.enums import DocKind, ReservationState
from ecomops.inventory.models import Reservation, StockBalance, StockMove
from ecomops.inventory.verify import differences
from ecomops.orders import actions, parcels, review
from ecomops.orders.actions import LineInput
from ecomops.orders.enums import AllocationState, OrderEventKind, OrderState
from ecomops.orders.models import Order, OrderEvent
from ecomops.orders.shipments import shipment_differences
from ecomops.supply.sales import units_sold

from .conftest import Api, at, make_user, new_order

S = OrderState


def reviewed(od, org, number, *, qty=1, lines=None, **fields):
    """A paid order of store A1 reviewed by the automatic review: its stock is reserved (ORD-04)."""
    lines = lines or [LineInput(quantity=qty, unit_price=Decimal("10.00"), platform_sku_code="P-1")]
    order = new_order(od.clerk, org.store_a1, number, lines=lines, **fields)
    if not order.is_cod:
        actions.mark_paid(order, user=od.clerk, paid_at=at(2, 10))
    review.auto_review([order.pk], user=od.clerk)
    order = Order.objects.get(pk=order.pk)
    assert order.state == S.REVIEWED and order.allocation_state == AllocationState.ALLOCATED
    return order


def printed(od, org, number, **kwargs):
    """Reviewed and released to shipping (what printing the ship batch does, ORD-04/05)."""
    return actions.release_to_shipping(reviewed(od, org, number, **kwargs), user=od.clerk)


def order_moves(order):
    return list(StockMove.objects.filter(doc_kind=DocKind.ORDER, doc_id=str(order.pk)).order_by("pk"))


def on_hand(wh):
    return StockBalance.objects.get(bin=wh.hz_bin, sku=wh.sku).on_hand


@pytest.fixture
def stock(wh, od):
    wh.put(wh.hz_bin, 10)
    wh.sku = od.sku
    return wh


def test_wms10_the_transition_to_shipped_posts_the_moves_from_the_reservation(od, org, stock):
    """The defect: POST transitions {"to": "shipped"} answered 200 but wrote no ledger move."""
    order = printed(od, org, "T1", qty=3)
    assert on_hand(stock) == 10 and reservations.available(od.sku.pk, stock.hz.pk) == 7
    answer = Api(od.clerk).post(f"orders/{order.pk}/transitions", {"to": "shipped", "reason": "已交快递"})
    assert answer.status_code == 200, answer.content
    assert answer.json()["state"] == "shipped"
    order.refresh_from_db()
    assert order.allocation_state == AllocationState.CONSUMED and order.shipped_at
    moves = order_moves(order)
    assert [(m.quantity, m.from_reserved, m.from_bin_id, m.to_bin_id) for m in moves] == [(3, 3, stock.hz_bin.pk,
                                                                                          None)]
    assert on_hand(stock) == 7 and reservations.available(od.sku.pk, stock.hz.pk) == 7
    assert not Reservation.objects.filter(doc_id=str(order.pk), state=ReservationState.ACTIVE).exists()
    # WMS-14: the plan's sales are the ledger's sale moves; the shipment is one of them now.
    assert units_sold([od.sku.pk], stock.hz, timezone.localdate(), timezone.localdate()) == {od.sku.pk: 3}
    event = order.events.get(kind=OrderEventKind.SHIPPED)
    assert event.note == "已交快递" and event.actor == od.clerk
    assert not differences() and not shipment_differences()


def test_ord01_every_door_to_shipped_is_the_ship_action(od, org, stock):
    """set_state, mark_shipped and ship_order all consume the reservation, once."""
    for number, ship in (("D1", lambda o: actions.set_state(o, S.SHIPPED, user=od.clerk)),
                         ("D2", lambda o: actions.mark_shipped(o, user=od.clerk, courier="yto", tracking_no="YT1")),
                         ("D3", lambda o: actions.ship_order(o, user=od.clerk, courier="zto", tracking_no="ZT1"))):
        order = ship(printed(od, org, number, qty=2))
        assert order.state == S.SHIPPED and sum(m.quantity for m in order_moves(order)) == 2
    assert on_hand(stock) == 4 and not differences() and not shipment_differences()


@pytest.mark.parametrize("allocation", [AllocationState.NONE, AllocationState.WAITING_STOCK])
def test_wms10_an_order_without_reserved_stock_is_refused_by_name(od, org, stock, allocation):
    """An order that reached "awaiting shipment" without its stock reserved (an old bad path, or data
    fixed by hand) cannot be shipped: nothing would leave the ledger. It says which order and what to do."""
    order = printed(od, org, "N1")
    review.release(order, user=od.clerk, reason="测试")  # give the reservation back behind the order's back
    Order.objects.filter(pk=order.pk).update(allocation_state=allocation, warehouse=None)
    for attempt in (lambda: actions.set_state(Order.objects.get(pk=order.pk), S.SHIPPED, user=od.clerk),
                    lambda: actions.ship_order(Order.objects.get(pk=order.pk), user=od.clerk, courier="sf_express",
                                               tracking_no="SF1")):
        with pytest.raises(BusinessError) as refused:
            attempt()
        assert refused.value.code == "not_allocated" and "N1" in refused.value.message
        assert "审单" in refused.value.message
    answer = Api(od.clerk).post(f"orders/{order.pk}/ship", {"courier": "sf_express", "tracking_no": "SF1"})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "not_allocated"
    assert "N1" in answer.json()["error"]["message"]
    assert Order.objects.get(pk=order.pk).state == S.AWAITING_SHIPMENT and not order_moves(order)
    # The way out: back to review, where the automatic review reserves it again.
    actions.set_state(Order.objects.get(pk=order.pk), S.AWAITING_REVIEW, user=od.clerk)
    review.auto_review([order.pk], user=od.clerk)  # (the out-of-stock queue is retried by its own run)
    review.retry_waiting(user=od.clerk)
    order = actions.release_to_shipping(Order.objects.get(pk=order.pk), user=od.clerk)
    actions.ship_order(order, user=od.clerk, courier="sf_express", tracking_no="SF1")
    assert sum(m.quantity for m in order_moves(order)) == 1 and not shipment_differences()


def test_wms10_a_reservation_that_does_not_match_the_lines_is_refused(od, org, stock):
    order = printed(od, org, "X1", qty=2)
    Reservation.objects.filter(doc_id=str(order.pk)).update(quantity=1)  # tampered with
    with pytest.raises(BusinessError) as refused:
        actions.ship_order(order, user=od.clerk, courier="sf_express", tracking_no="SF1")
    assert refused.value.code == "not_allocated" and "X1" in refused.value.message and not order_moves(order)


def test_ord01_wms10_going_back_to_review_gives_the_stock_back(od, org, stock):
    """Printed or reviewed orders sent back to review give their units back (they are allocated again by
    the review), instead of keeping them reserved where nothing would ever ship or release them."""
    a, b = printed(od, org, "B1", qty=2), reviewed(od, org, "B2", qty=3)
    assert reservations.available(od.sku.pk, stock.hz.pk) == 5
    for order in (a, b):
        order = actions.set_state(order, S.AWAITING_REVIEW, user=od.clerk, reason="地址要核实")
        assert order.allocation_state == AllocationState.NONE and order.warehouse is None
    assert reservations.available(od.sku.pk, stock.hz.pk) == 10 and not differences()
    run = review.auto_review([a.pk, b.pk], user=od.clerk)
    assert run.reviewed == 2 and reservations.available(od.sku.pk, stock.hz.pk) == 5


def test_ord04_reviewing_by_hand_reserves_the_stock_or_is_refused(od, org, stock):
    """"Reviewed" means the stock is reserved (ORD-04): set_state to reviewed allocates like approving
    in a batch; without enough stock it is refused with the shortage and nothing changes."""
    order = new_order(od.clerk, org.store_a1, "H1", lines=[LineInput(quantity=4, unit_price=Decimal("1.00"),
                                                                          platform_sku_code="P-1")],
                      merchant_note="送礼盒")
    actions.mark_paid(order, user=od.clerk, paid_at=at(2, 10))
    actions.submit_for_review(Order.objects.get(pk=order.pk), user=od.clerk)
    order = actions.set_state(Order.objects.get(pk=order.pk), S.REVIEWED, user=od.clerk, reason="备注已看")
    assert order.allocation_state == AllocationState.ALLOCATED and order.warehouse == stock.hz
    assert reservations.available(od.sku.pk, stock.hz.pk) == 6
    big = new_order(od.clerk, org.store_a1, "H2", lines=[LineInput(quantity=40, unit_price=Decimal("1.00"),
                                                                        platform_sku_code="P-1")])
    actions.mark_paid(big, user=od.clerk, paid_at=at(2, 10))
    actions.submit_for_review(Order.objects.get(pk=big.pk), user=od.clerk)
    with pytest.raises(BusinessError) as refused:
        actions.mark_reviewed(Order.objects.get(pk=big.pk), user=od.clerk)
    assert refused.value.code == "insufficient_stock" and "库存不足" in refused.value.message
    big.refresh_from_db()
    assert big.state == S.AWAITING_REVIEW and big.allocation_state == AllocationState.NONE


def test_ord01_ship_api_ships_the_whole_order_once_and_checks_input_scope_and_right(od, org, stock):
    order = printed(od, org, "A1", qty=2)
    url = f"orders/{order.pk}/ship"
    clerk = Api(od.clerk)
    for body, field in (({"courier": "pigeon", "tracking_no": "SF1"}, "courier"),
                        ({"courier": "sf_express", "tracking_no": ""}, "tracking_no"),
                        ({"courier": "sf_express", "tracking_no": "x" * 41}, "tracking_no"),
                        ({"courier": "sf_express"}, "tracking_no")):
        bad = clerk.post(url, body)
        assert bad.status_code in (400, 422) and bad.json()["error"]["field"] == field, bad.content
    assert Api(od.clerk_b).post(url, {"courier": "sf_express", "tracking_no": "SF1"}).status_code == 404
    viewer = make_user("viewer", "orders.view_order", client=org.client_a)
    assert Api(viewer).post(url, {"courier": "sf_express", "tracking_no": "SF1"}).status_code == 403
    assert Api(od.clerk).post("orders/999999/ship", {"courier": "sf_express", "tracking_no": "SF1"}).status_code \
        == 404
    assert not order_moves(order)
    done = clerk.post(url, {"courier": "sf_express", "tracking_no": "SF778899"})
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["state"] == "shipped" and body["courier"] == "sf_express" and body["tracking_no"] == "SF778899"
    again = clerk.post(url, {"courier": "sf_express", "tracking_no": "SF778899"})
    assert again.status_code == 409 and "A1" in again.json()["error"]["message"]
    assert sum(m.quantity for m in order_moves(order)) == 2 and on_hand(stock) == 8
    assert OrderEvent.objects.filter(order=order, kind=OrderEventKind.SHIPPED).count() == 1


def test_ord01_ship_refuses_orders_not_printed_and_split_orders(od, org, stock):
    order = reviewed(od, org, "W1")
    with pytest.raises(BusinessError) as refused:
        actions.ship_order(order, user=od.clerk, courier="sf_express", tracking_no="SF1")
    assert refused.value.code == "wrong_state" and "W1" in refused.value.message
    order = actions.release_to_shipping(order, user=od.clerk)
    with pytest.raises(NotAllowed):
        actions.ship_order(order, user=make_user("no_ship", "orders.view_order", client=org.client_a),
                           courier="sf_express", tracking_no="SF1")
    with pytest.raises(BusinessError) as hidden:
        actions.ship_order(order, user=od.clerk_b, courier="sf_express", tracking_no="SF1")
    assert hidden.value.code == "not_found"  # another client's order is not there (DAT-02)
    assert not order_moves(order)


def test_ord01_api_order_lines_carry_their_ids_for_the_split(od, org, stock):
    """The split API takes order-line ids: the order API shows them."""
    order = new_order(od.clerk, org.store_a1, "L1", lines=[
        LineInput(quantity=2, unit_price=Decimal("10.00"), platform_sku_code="P-1"),
        LineInput(quantity=1, unit_price=Decimal("10.00"), platform_sku_code="P-1")])
    actions.mark_paid(order, user=od.clerk, paid_at=at(2, 10))
    detail = Api(od.clerk).get(f"orders/{order.pk}").json()
    ids = [line["id"] for line in detail["lines"]]
    assert ids == list(order.lines.order_by("line_no").values_list("pk", flat=True))
    split = Api(od.clerk).post(f"orders/{order.pk}/split", {"parts": [{"lines": {str(ids[0]): 2}},
                                                                      {"lines": {str(ids[1]): 1}}]})
    assert split.status_code == 201, split.content


def test_ord01_order_page_ships_the_whole_order_once(od, org, stock):
    from .test_review import _http

    order = printed(od, org, "G1", qty=2)
    http = _http(od.clerk)
    page = http.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    assert 'data-testid="ship-order-form"' in page and "整单发出" in page
    url = reverse("orders:order_parcels", args=[order.pk])
    bad = http.post(url, {"do": "ship_order", "courier": "sf_express", "tracking_no": ""}, follow=True)
    assert "运单号" in bad.content.decode() and Order.objects.get(pk=order.pk).state == S.AWAITING_SHIPMENT
    http.post(url, {"do": "ship_order", "courier": "sf_express", "tracking_no": "SF55"})
    second = http.post(url, {"do": "ship_order", "courier": "sf_express", "tracking_no": "SF55"}, follow=True)
    assert "已发货" in second.content.decode()  # the double click is told, not posted again
    order.refresh_from_db()
    assert order.state == S.SHIPPED and order.tracking_no == "SF55" and sum(m.quantity for m in order_moves(order)) \
        == 2
    page = http.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    assert 'data-testid="ship-order-form"' not in page
    # Someone without the right to ship, or of another client, cannot.
    other = printed(od, org, "G2")
    assert _http(od.clerk_b).post(reverse("orders:order_parcels", args=[other.pk]),
                                  {"do": "ship_order", "courier": "sf_express", "tracking_no": "SF1"}).status_code \
        == 404
    viewer = make_user("viewer", "orders.view_order", client=org.client_a)
    assert 'data-testid="ship-order-form"' not in _http(viewer).get(
        reverse("orders:order_detail", args=[other.pk])).content.decode()
    assert _http(viewer).post(reverse("orders:order_parcels", args=[other.pk]),
                              {"do": "ship_order", "courier": "sf_express", "tracking_no": "SF1"}).status_code == 403
    assert not order_moves(other)


def test_ord01_cash_on_delivery_ships_unpaid_with_its_stock(od, org, stock):
    order = printed(od, org, "C1", qty=2, payment_method="cod")
    order = actions.ship_order(order, user=od.clerk, courier="ems", tracking_no="EMS1")
    assert order.paid_at is None and order.state == S.SHIPPED and sum(m.quantity for m in order_moves(order)) == 2
    assert not shipment_differences()


def two_lines(od, org, number):
    return reviewed(od, org, number, lines=[LineInput(quantity=3, unit_price=Decimal("10.00"), platform_sku_code="P-1"),
                                            LineInput(quantity=1, unit_price=Decimal("20.00"),
                                                      platform_sku_code="P-1")])


def test_ord08_wms10_each_parcel_takes_its_own_units_out_when_it_leaves(od, org, stock):
    """A split order's first parcel leaves: its units leave the ledger then, not when the last one does;
    the order ships (with no second posting) when every unit has left."""
    order = two_lines(od, org, "P1")
    a, b = order.lines.order_by("line_no").values_list("pk", flat=True)
    first, second = parcels.split_order(order, user=od.clerk, parts=[{"lines": {a: 2}}, {"lines": {a: 1, b: 1}}])
    order = actions.release_to_shipping(Order.objects.get(pk=order.pk), user=od.clerk)
    with pytest.raises(BusinessError) as whole:
        actions.ship_order(order, user=od.clerk, courier="sf_express", tracking_no="SF0")
    assert whole.value.code == "has_parcels"
    parcels.ship_parcel(first, user=od.clerk, courier="sf_express", tracking_no="SF1")
    order.refresh_from_db()
    assert order.state == S.AWAITING_SHIPMENT and order.allocation_state == AllocationState.ALLOCATED
    assert [(m.quantity, m.note) for m in order_moves(order)] == [(2, f"订单发货 包裹 {first.number}")]
    assert on_hand(stock) == 8 and reservations.available(od.sku.pk, stock.hz.pk) == 6
    assert not differences() and not shipment_differences()
    with pytest.raises(BusinessError):
        parcels.ship_parcel(first, user=od.clerk, courier="sf_express", tracking_no="SF1")  # twice: refused
    parcels.ship_parcel(second, user=od.clerk, courier="yto", tracking_no="YT2")
    order.refresh_from_db()
    assert order.state == S.SHIPPED and order.allocation_state == AllocationState.CONSUMED
    assert sum(m.quantity for m in order_moves(order)) == 4 and on_hand(stock) == 6
    assert reservations.available(od.sku.pk, stock.hz.pk) == 6 and not Reservation.objects.filter(
        doc_id=str(order.pk), state=ReservationState.ACTIVE).exists()
    assert not differences() and not shipment_differences()


def test_ord08_a_merged_parcel_takes_every_order_out(od, org, stock):
    first = new_order(od.clerk, org.store_a1, "M1", lines=[LineInput(quantity=2, unit_price=Decimal("10.00"),
                                                                       platform_sku_code="P-1")])
    second = new_order(od.clerk, org.store_a1, "M2", placed_at=at(2) + timedelta(hours=1))
    for order in (first, second):
        actions.mark_paid(order, user=od.clerk, paid_at=at(2, 12))
    parcel = parcels.merge_orders([Order.objects.get(pk=first.pk), Order.objects.get(pk=second.pk)], user=od.clerk)
    review.auto_review([first.pk, second.pk], user=od.clerk)
    for order in (first, second):
        actions.release_to_shipping(Order.objects.get(pk=order.pk), user=od.clerk)
    parcels.ship_parcel(parcel, user=od.clerk, courier="sf_express", tracking_no="SF9")
    assert [Order.objects.get(pk=o.pk).state for o in (first, second)] == [S.SHIPPED, S.SHIPPED]
    assert [sum(m.quantity for m in order_moves(o)) for o in (first, second)] == [2, 1]
    assert on_hand(stock) == 7 and not shipment_differences() and not differences()


def test_ord01_a_cancel_after_a_parcel_left_is_refused_and_open_parcels_go_with_the_order(od, org, stock):
    order = two_lines(od, org, "K1")
    a, b = order.lines.order_by("line_no").values_list("pk", flat=True)
    first, second = parcels.split_order(order, user=od.clerk, parts=[{"lines": {a: 3}}, {"lines": {b: 1}}])
    other = two_lines(od, org, "K2")
    c, d = other.lines.order_by("line_no").values_list("pk", flat=True)
    open_ones = parcels.split_order(other, user=od.clerk, parts=[{"lines": {c: 3}}, {"lines": {d: 1}}])
    order = actions.release_to_shipping(Order.objects.get(pk=order.pk), user=od.clerk)
    parcels.ship_parcel(first, user=od.clerk, courier="sf_express", tracking_no="SF1")
    with pytest.raises(BusinessError) as refused:
        actions.cancel(Order.objects.get(pk=order.pk), user=od.clerk, reason="买家不要了")
    assert "K1" in refused.value.message and "包裹" in refused.value.message
    actions.cancel(Order.objects.get(pk=other.pk), user=od.clerk, reason="买家不要了")
    assert {p.state for p in type(first).objects.filter(pk__in=[p.pk for p in open_ones])} == {"cancelled"}
    assert not shipment_differences() and not differences()


@pytest.mark.django_db(transaction=True)
def test_ord01_clerks_shipping_the_same_order_at_once_post_it_once(od, org, wh):
    """Six workers at once: two through the ship action, two through set_state, two clicking the API's
    ship operation: one ships, the others are told it already left (409); one set of moves; both
    reconciliations clean (both databases)."""
    wh.put(wh.hz_bin, 10)
    order = printed(od, org, "R1", qty=3)
    barrier = threading.Barrier(6)
    done, refused, errors = [], [], []

    def worker(n):
        try:
            api = Api(od.clerk) if n >= 4 else None
            barrier.wait()
            if api is not None:
                answer = api.post(f"orders/{order.pk}/ship", {"courier": "sf_express", "tracking_no": f"SF{n}"})
                if answer.status_code == 200:
                    done.append(n)
                else:
                    refused.append(answer.json()["error"]["code"])
                return
            fresh = Order.objects.get(pk=order.pk)
            if n % 2:
                actions.ship_order(fresh, user=od.clerk, courier="sf_express", tracking_no=f"SF{n}")
            else:
                actions.set_state(fresh, S.SHIPPED, user=od.clerk)
            done.append(n)
        except BusinessError as error:
            refused.append(error.code)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(done) == 1 and sorted(refused) == [Conflict.code] * 5
    assert sum(m.quantity for m in order_moves(order)) == 3
    assert StockBalance.objects.get(bin=wh.hz_bin).on_hand == 7
    assert OrderEvent.objects.filter(order=order, kind=OrderEventKind.SHIPPED).count() == 1
    assert not differences() and not shipment_differences()


@pytest.mark.django_db(transaction=True)
def test_ord08_packers_shipping_the_parcels_of_a_split_order_at_once_post_each_once(od, org, wh):
    """Six workers at once over the two parcels of one split order (three on each) while a seventh
    cancels it: locks are taken orders first, then the parcel, so nobody deadlocks; each parcel leaves
    once (or the order is cancelled first and nothing leaves), and the ledger agrees (both databases)."""
    wh.put(wh.hz_bin, 10)
    order = two_lines(od, org, "RP1")
    a, b = order.lines.order_by("line_no").values_list("pk", flat=True)
    made = parcels.split_order(order, user=od.clerk, parts=[{"lines": {a: 2}}, {"lines": {a: 1, b: 1}}])
    actions.release_to_shipping(Order.objects.get(pk=order.pk), user=od.clerk)
    barrier = threading.Barrier(7)
    done, refused, errors = [], [], []

    def worker(n):
        try:
            barrier.wait()
            if n == 6:
                actions.cancel(Order.objects.get(pk=order.pk), user=od.clerk, reason="买家取消")
            else:
                parcels.ship_parcel(made[n % 2], user=od.clerk, courier="sf_express", tracking_no=f"SF{n}")
            done.append(n)
        except BusinessError as error:
            refused.append((n, error.code))
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    order.refresh_from_db()
    shipped = sorted({n % 2 for n in done if n != 6})
    if 6 in done:  # the cancel came first: nothing left, everything given back
        assert order.state == S.CANCELLED and shipped == [] and not order_moves(order)
    else:
        assert shipped == [0, 1] and order.state == S.SHIPPED and sum(m.quantity for m in order_moves(order)) == 4
    assert len(done) == len(shipped) + (6 in done)
    assert not differences() and not shipment_differences()


# --- the reconciliation: every shipped unit left the ledger exactly once ------------------------------


def run_verify():
    out = StringIO()
    call_command("orders-stock-verify", stdout=out)
    return out.getvalue()


def test_wms10_verify_is_clean_and_says_so(od, org, stock):
    assert "exactly once: 0 order(s), 0 unit(s)" in run_verify()
    actions.ship_order(printed(od, org, "V1", qty=2), user=od.clerk, courier="sf_express", tracking_no="SF1")
    assert "exactly once: 1 order(s), 2 unit(s)" in run_verify()


def test_wms10_verify_lists_a_shipped_order_without_its_moves(od, org, stock):
    """What the old transitions path left behind: shipped (with its event) but nothing posted, units
    still reserved."""
    order = printed(od, org, "V2", qty=2)
    actions._move(Order.objects.get(pk=order.pk), S.SHIPPED, user=od.clerk)  # the old path, by hand
    with pytest.raises(CommandError):
        run_verify()
    found = shipment_differences()
    assert {d.problem for d in found} == {"missing", "still_reserved"}
    text = "\n".join(str(d) for d in found)
    assert "V2" in text and "TEA-001-250" in text and "应出库 2" in text and "已出库 0" in text


def test_wms10_verify_lists_a_double_posting_and_moves_of_an_order_not_shipped(od, org, stock):
    from ecomops.inventory.ledger import DocRef, Move, post_moves
    from ecomops.orders.review import doc_of

    shipped = actions.ship_order(printed(od, org, "V3", qty=1), user=od.clerk, courier="sf_express",
                                 tracking_no="SF1")
    lot = StockBalance.objects.filter(bin=stock.hz_bin).first().lot_id
    post_moves([Move(sku_id=od.sku.pk, lot_id=lot, quantity=1, from_bin=stock.hz_bin)], doc=doc_of(shipped),
               user=org.admin)
    waiting = reviewed(od, org, "V4")
    post_moves([Move(sku_id=od.sku.pk, lot_id=lot, quantity=1, from_bin=stock.hz_bin)],
               doc=DocRef(DocKind.ORDER, str(waiting.pk), waiting.platform_order_no), user=org.admin)
    found = {(d.order_no, d.problem, d.expected, d.posted) for d in shipment_differences()}
    assert found == {("V3", "double", 1, 2), ("V4", "not_shipped", 0, 1)}
    with pytest.raises(CommandError) as failed:
        run_verify()
    assert "2" in str(failed.value)


def test_wms10_verify_lists_a_cancelled_order_still_holding_stock(od, org, stock):
    order = reviewed(od, org, "V5", qty=2)
    actions._move(Order.objects.get(pk=order.pk), S.CANCELLED, user=od.clerk, reason="旧导入")  # the item-10 path
    found = shipment_differences()
    assert [(d.order_no, d.problem, d.reserved) for d in found] == [("V5", "still_reserved", 2)]
    assert "V5" in str(found[0]) and "仍占用 2 件" in str(found[0])


def test_wms10_orders_that_came_in_shipped_from_the_platform_are_not_differences(od, org, stock):
    """History imported as shipped or completed left before EcomOps knew it: no reservation, no move,
    nothing to prove. A reversal of a shipment's move is counted back (WMS-13 corrections)."""
    order = new_order(od.clerk, org.store_a1, "OLD1")
    Order.objects.filter(pk=order.pk).update(state=S.COMPLETED, paid_at=at(1))
    assert shipment_differences() == []
    shipped = actions.ship_order(printed(od, org, "V6", qty=2), user=od.clerk, courier="sf_express",
                                 tracking_no="SF1")
    from ecomops.inventory import actions as stock_actions
    from ecomops.orders.review import doc_of

    stock_actions.reverse_document(user=org.admin, doc=doc_of(shipped), reason="误出库")
    assert [(d.order_no, d.problem, d.posted) for d in shipment_differences()] == [("V6", "missing", 0)]

"""FUL-02 verification, FUL-03 packing, FUL-04 weighing and ORD-01 leaving on a carrier's manifest,
through the actions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ecomops.core.errors import BusinessError, Conflict
from ecomops.fulfilment import actions
from ecomops.fulfilment.enums import CheckState, HandoverState
from ecomops.fulfilment.models import HandoverParcel, PackCheck
from ecomops.inventory.enums import DocKind
from ecomops.inventory.models import StockBalance, StockMove
from ecomops.inventory.verify import differences
from ecomops.orders import actions as order_actions
from ecomops.orders.actions import LineInput
from ecomops.orders.enums import OrderEventKind, OrderState
from ecomops.orders.models import Order
from ecomops.orders.shipments import shipment_differences
from ecomops.policy import registry
from ecomops.supply.models import PackagingBalance

from .conftest import make_user

C = CheckState


def verified(st, number, **kwargs):
    order = st.ready(number, **kwargs)
    check = actions.start_check(order.tracking_no, user=st.packer)
    for _n in range(sum(line.expected for line in check.lines.all())):
        actions.scan_item(check, st.od.sku.barcode, user=st.packer)
    check.refresh_from_db()
    assert check.state == C.VERIFIED
    return order, check


def weighed(st, number, **kwargs):
    order, check = verified(st, number, **kwargs)
    actions.pack(check, user=st.packer, material=st.carton, quantity=1)
    expected = actions.expected_weight(PackCheck.objects.get(pk=check.pk)).grams
    actions.weigh(check, user=st.packer, weight_g=expected)
    check.refresh_from_db()
    assert check.state == C.WEIGHED
    return order, check


def moves_of(order):
    return list(StockMove.objects.filter(doc_kind=DocKind.ORDER, doc_id=str(order.pk)))


def refused(call, *args, **kwargs) -> BusinessError:
    with pytest.raises(BusinessError) as error:
        call(*args, **kwargs)
    return error.value


# --- FUL-02 ---------------------------------------------------------------------------------------------


def test_ful02_wrong_extra_and_missing_items_are_refused(st):
    order = st.ready("V1", qty=2)
    check = actions.start_check(order.tracking_no, user=st.packer)
    assert check.state == C.VERIFYING and [(x.expected, x.scanned) for x in check.lines.all()] == [(2, 0)]
    wrong = refused(actions.scan_item, check, "6900000000000", user=st.packer)
    assert wrong.code == "wrong_item" and "错货" in wrong.message and "V1" in wrong.message
    first = actions.scan_item(check, st.od.sku.barcode, user=st.packer)  # by barcode
    assert first.remaining == {"TEA-001-250": 1} and not first.complete
    missing = refused(actions.finish_check, check, user=st.packer)
    assert missing.code == "missing_item" and missing.message == "少货：TEA-001-250 × 1"
    last = actions.scan_item(check, "TEA-001-250", user=st.packer)  # by SKU code
    assert last.complete and PackCheck.objects.get(pk=check.pk).state == C.VERIFIED
    extra = refused(actions.scan_item, check, st.od.sku.barcode, user=st.packer)
    assert isinstance(extra, Conflict)  # verified: the station says it is done
    assert [(x.expected, x.scanned) for x in check.lines.all()] == [(2, 2)]


def test_ful02_more_than_ordered_is_refused_as_extra(st):
    other = st.od.sku.style.skus.create(client=st.org.client_a, sku_code="TEA-001-500", size="500g",
                                        barcode="2000000000022", barcode_source="external", weight_g=500)
    st.wh.put(st.wh.hz_bin, 5, sku=other)
    order = st.ready("V2", lines=[LineInput(quantity=1, unit_price=Decimal("10"), platform_sku_code="P-1"),
                                  LineInput(quantity=1, unit_price=Decimal("10"), sku=other)])
    check = actions.start_check("V2", user=st.packer)  # by the platform order number
    actions.scan_item(check, st.od.sku.barcode, user=st.packer)
    extra = refused(actions.scan_item, check, st.od.sku.barcode, user=st.packer)
    assert extra.code == "extra_item" and "多货" in extra.message
    assert PackCheck.objects.get(pk=check.pk).state == C.VERIFYING
    assert order.pk == check.order_id


def test_ful02_start_refuses_unknown_not_waiting_held_and_packed_orders(st):
    unknown = refused(actions.start_check, "NOPE-1", user=st.packer)
    assert unknown.code == "not_found" and unknown.message == "找不到运单号或订单号“NOPE-1”"
    order = st.ready("S1")
    # Not awaiting shipment: back to review (its reservation is given back).
    order_actions.submit_for_review(order, user=st.od.clerk)
    waiting = refused(actions.start_check, "S1", user=st.packer)
    assert waiting.code == "wrong_state" and "待发货" in waiting.message and "S1" in waiting.message
    held = st.ready("S2")
    order_actions.hold(held, user=st.od.clerk, reason="买家改地址")
    on_hold = refused(actions.start_check, "SFS2", user=st.packer)
    assert on_hold.code == "on_hold" and "挂起" in on_hold.message and "买家改地址" in on_hold.message
    # Resumed while verifying; refused once packed.
    _order, check = verified(st, "S3")
    assert actions.start_check("SFS3", user=st.packer).pk == check.pk
    actions.pack(check, user=st.packer, material=st.carton, quantity=1)
    again = refused(actions.start_check, "SFS3", user=st.packer)
    assert isinstance(again, Conflict) and "已打包" in again.message


def test_dat02_another_clients_order_is_unknown_by_its_tracking_number(st):
    """A user of client A cannot find client B's order: the same words as an unknown code."""
    Order.objects.filter(pk=st.od.b1.pk).update(tracking_no="SFB1", state=OrderState.AWAITING_SHIPMENT,
                                                paid_at=st.od.b1.placed_at)
    hidden = refused(actions.start_check, "SFB1", user=st.packer)
    assert hidden.code == "not_found" and hidden.message == "找不到运单号或订单号“SFB1”"
    assert refused(actions.start_check, "TB9001", user=st.packer).message == "找不到运单号或订单号“TB9001”"
    _order, check = verified(st, "D1")
    assert refused(actions.scan_item, check, st.od.sku.barcode, user=st.packer_b).code == "not_found"


# --- FUL-03 ---------------------------------------------------------------------------------------------


def balance(st):
    return PackagingBalance.objects.get(material=st.carton, warehouse=st.wh.hz).on_hand


def test_ful03_pack_only_when_verified_and_the_packaging_leaves_its_stock(st):
    order = st.ready("P1", qty=2)
    check = actions.start_check(order.tracking_no, user=st.packer)
    actions.scan_item(check, st.od.sku.barcode, user=st.packer)
    early = refused(actions.pack, check, user=st.packer, material=st.carton, quantity=1)
    assert early.code == "not_verified" and balance(st) == 20
    actions.scan_item(check, st.od.sku.barcode, user=st.packer)
    too_many = refused(actions.pack, check, user=st.packer, material=st.carton, quantity=21)
    assert "不足" in too_many.message and balance(st) == 20
    actions.pack(check, user=st.packer, material=st.carton, quantity=2)
    check.refresh_from_db()
    assert check.state == C.PACKED and check.material == st.carton and check.material_quantity == 2
    assert check.packed_by == st.packer and balance(st) == 18
    again = refused(actions.pack, check, user=st.packer, material=st.carton, quantity=1)
    assert isinstance(again, Conflict) and balance(st) == 18


# --- FUL-04 ---------------------------------------------------------------------------------------------


def test_ful04_weight_tolerance_at_its_exact_boundary(st):
    """Expected 2 × 250 g + 100 g carton = 600 g; tolerance max(600 × 10 %, 50 g) = 60 g (the policy's)."""
    percent = registry.value(actions.TOLERANCE_PERCENT)
    minimum = registry.value(actions.TOLERANCE_MIN)
    assert (percent, minimum) == (Decimal("0.10"), 50)
    _order, check = verified(st, "W1", qty=2)
    actions.pack(check, user=st.packer, material=st.carton, quantity=1)
    expected = actions.expected_weight(PackCheck.objects.get(pk=check.pk))
    assert (expected.grams, expected.tolerance) == (600, 60) and "FUL-04" in expected.citation
    for far in (661, 539):
        error = refused(actions.weigh, check, user=st.packer, weight_g=far)
        assert error.code == "recheck" and "复核" in error.message and "600" in error.message
    assert PackCheck.objects.get(pk=check.pk).state == C.PACKED
    for near in (660, 540):
        actions.weigh(check, user=st.packer, weight_g=near)  # weighing again replaces the weight
        check.refresh_from_db()
        assert check.state == C.WEIGHED and check.weight_g == near and not check.recheck
    # A light parcel: 250 + 100 = 350 g; 10 % is 35 g, the minimum of 50 g applies.
    _order, light = verified(st, "W2", qty=1)
    actions.pack(light, user=st.packer, material=st.carton, quantity=1)
    assert actions.expected_weight(PackCheck.objects.get(pk=light.pk)).tolerance == 50
    actions.weigh(light, user=st.packer, weight_g=400)
    assert refused(actions.weigh, light, user=st.packer, weight_g=401).code == "recheck"


def test_ful04_a_confirmed_recheck_with_its_reason_is_recorded(st):
    order, check = verified(st, "R1", qty=2)
    actions.pack(check, user=st.packer, material=st.carton, quantity=1)
    actions.weigh(check, user=st.packer, weight_g=900, recheck_reason="买家要求加赠品包装，已复秤")
    check.refresh_from_db()
    assert check.state == C.WEIGHED and check.recheck and check.recheck_reason == "买家要求加赠品包装，已复秤"
    assert (check.weight_g, check.expected_weight_g, check.tolerance_g) == (900, 600, 60)
    event = order.events.get(kind=OrderEventKind.WEIGHED)
    assert "复核确认" in event.note and event.data["recheck"] is True and event.data["weight_g"] == 900


def test_ful04_without_sku_weights_the_weight_is_accepted_with_a_note(st):
    st.od.sku.weight_g = None
    st.od.sku.save(update_fields=["weight_g"])
    order, check = verified(st, "U1")
    actions.pack(check, user=st.packer, material=st.carton, quantity=1)
    actions.weigh(check, user=st.packer, weight_g=12345)
    check.refresh_from_db()
    assert check.state == C.WEIGHED and check.expected_weight_g is None and not check.recheck
    assert "未填重量" in order.events.get(kind=OrderEventKind.WEIGHED).note


def test_ful04_weighing_needs_a_packed_parcel_and_a_whole_number_of_grams(st):
    _order, check = verified(st, "N1")
    assert refused(actions.weigh, check, user=st.packer, weight_g=500).code == "not_packed"
    actions.pack(check, user=st.packer, material=st.carton, quantity=1)
    for bad in ("", "abc", 0, -5, 1.5, 10**7):
        assert refused(actions.weigh, check, user=st.packer, weight_g=bad).field == "weight_g"


# --- ORD-01: leaving on the carrier's manifest ------------------------------------------------------------


def test_ord01_scan_out_ships_once_posts_the_ledger_once_and_keeps_every_step_on_the_order(st):
    order, check = weighed(st, "H1", qty=2)
    on_hand = StockBalance.objects.get(bin=st.wh.hz_bin, sku=st.od.sku).on_hand
    handover = actions.open_handover("sf_express", st.wh.hz, user=st.packer)
    assert handover.number.startswith("JJ") and handover.state == HandoverState.OPEN
    parcel = actions.scan_out(handover, "SFH1", user=st.packer)
    order.refresh_from_db()
    assert order.state == OrderState.SHIPPED and parcel.tracking_no == "SFH1" and parcel.weight_g == check.weight_g
    assert sum(m.quantity for m in moves_of(order)) == 2
    assert StockBalance.objects.get(bin=st.wh.hz_bin, sku=st.od.sku).on_hand == on_hand - 2
    assert PackCheck.objects.get(pk=check.pk).state == C.HANDED_OVER
    twice = refused(actions.scan_out, handover, "SFH1", user=st.packer)
    assert isinstance(twice, Conflict) and "已在本交接单上" in twice.message
    other = actions.open_handover("sf_express", st.wh.hz, user=st.packer)
    elsewhere = refused(actions.scan_out, other, "H1", user=st.packer)
    assert isinstance(elsewhere, Conflict) and handover.number in elsewhere.message
    assert sum(m.quantity for m in moves_of(order)) == 2 and HandoverParcel.objects.count() == 1
    assert not shipment_differences() and not differences()
    # LOG-02/LOG-03: the parcel is recorded once for tracking, the bill and the scorecard, with our weight.
    from ecomops.logistics.models import Shipment

    shipment = Shipment.objects.get(order=order)
    assert (shipment.tracking_no, shipment.weight_g, shipment.courier) == ("SFH1", check.weight_g, "sf_express")
    assert shipment.due_on is not None
    kinds = list(order.events.order_by("at", "pk").values_list("kind", flat=True))
    steps = [OrderEventKind.CHECK_STARTED, OrderEventKind.VERIFIED, OrderEventKind.PACKED, OrderEventKind.WEIGHED,
             OrderEventKind.SHIPPED]
    assert [k for k in kinds if k in steps] == steps
    shipped = order.events.get(kind=OrderEventKind.SHIPPED)
    assert handover.number in shipped.note and shipped.actor == st.packer
    assert shipped.data == {"courier": "sf_express", "tracking_no": "SFH1"}


def test_ord01_scan_out_refuses_other_carriers_and_parcels_not_weighed(st):
    handover = actions.open_handover("sf_express", st.wh.hz, user=st.packer)
    order, _check = weighed(st, "K1", courier="zto", tracking="ZT1")
    wrong = refused(actions.scan_out, handover, "ZT1", user=st.packer)
    assert wrong.code == "wrong_carrier" and "中通快递" in wrong.message and "顺丰速运" in wrong.message
    _order, packed = verified(st, "K2")
    actions.pack(packed, user=st.packer, material=st.carton, quantity=1)
    not_weighed = refused(actions.scan_out, handover, "SFK2", user=st.packer)
    assert not_weighed.code == "not_weighed" and "称重" in not_weighed.message
    never = st.ready("K3")
    assert refused(actions.scan_out, handover, "SFK3", user=st.packer).code == "not_weighed"
    for o in (order, never):
        o.refresh_from_db()
        assert o.state == OrderState.AWAITING_SHIPMENT and not moves_of(o)
    viewer = make_user("viewer_a", "fulfilment.view_handover", "orders.view_order", client=st.org.client_a)
    with pytest.raises(BusinessError) as no_right:
        actions.scan_out(handover, "SFK2", user=viewer)
    assert no_right.value.code == "forbidden"


def test_ord01_a_manifest_closes_with_the_carriers_receiver_and_then_takes_no_more(st):
    weighed(st, "C1")
    weighed(st, "C2")
    handover = actions.open_handover("sf_express", st.wh.hz, user=st.packer)
    assert refused(actions.close_handover, handover, user=st.packer, receiver_name="王师傅").code == "empty"
    actions.scan_out(handover, "SFC1", user=st.packer)
    assert refused(actions.close_handover, handover, user=st.packer, receiver_name=" ").field == "receiver_name"
    actions.close_handover(handover, user=st.packer, receiver_name="王师傅")
    handover.refresh_from_db()
    assert handover.state == HandoverState.CLOSED and handover.receiver_name == "王师傅"
    assert handover.closed_by == st.packer and handover.closed_at
    assert isinstance(refused(actions.scan_out, handover, "SFC2", user=st.packer), Conflict)
    assert Order.objects.get(platform_order_no="C2").state == OrderState.AWAITING_SHIPMENT

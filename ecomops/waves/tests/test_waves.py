"""FUL-01 wave picking: a printed ship batch becomes a wave whose pick lines are what the ledger
reserved, in walking order; scans confirm bin then item; a short pick holds the order and opens a
count; pick-then-sort tells the slot of each unit; every step is on the order's history."""

from __future__ import annotations

import pytest

from ecomops.core.errors import BusinessError
from ecomops.orders.enums import OrderState
from ecomops.orders.models import Order, OrderEvent
from ecomops.policy.models import PolicyParameter
from ecomops.stockops.models import CountSheet
from ecomops.waves import actions
from ecomops.waves.models import PickLine, PickState, WaveMode, WaveOrder, WaveState

from .conftest import printed_batch, reviewed

S = OrderState


def _orders(od, org, n, items=None, prefix="W"):
    return [reviewed(od, org, f"{prefix}{i}", items or {"P-1": 1, "P-2": 2, "P-3": 1}) for i in range(n)]


@pytest.fixture
def big(od, org, floor):
    """Six orders (above the policy's 5): a pick-then-sort wave."""
    orders = _orders(od, org, 6)
    batch = printed_batch(orders, printer=floor.printer)
    return batch, orders


def test_ful01_wave_lines_are_the_reserved_allocations_in_walking_order(od, org, floor, big):
    batch, orders = big
    result = actions.create_wave(batch, user=floor.picker)
    wave = result.wave
    assert wave.mode == WaveMode.PICK_THEN_SORT and wave.warehouse == floor.wh.hz and not result.skipped
    assert wave.number.startswith("WV")
    lines = list(PickLine.objects.filter(wave=wave))
    # zone A aisle 1 (pot), zone A aisle 2 (tea), zone B (cup)
    assert [(line.bin_code, line.sku.sku_code, line.quantity) for line in lines] == [
        ("A-01-05", "POT-01", 6), ("A-02-01", "TEA-001-250", 6), ("B-01-01", "CUP-01", 12)]
    assert [e.slot for e in WaveOrder.objects.filter(wave=wave)] == [1, 2, 3, 4, 5, 6]
    for order in orders:
        assert OrderEvent.objects.filter(order=order, note__contains=wave.number).exists()
    # an order is in one live wave: a second wave of the batch is refused
    with pytest.raises(BusinessError) as refused:
        actions.create_wave(batch, user=floor.picker)
    assert "已在拣货波次" in refused.value.message


@pytest.mark.parametrize(("n", "mode"), [(5, WaveMode.ORDER_BY_ORDER), (6, WaveMode.PICK_THEN_SORT)])
def test_ful01_mode_by_policy_boundary(od, org, floor, n, mode):
    assert PolicyParameter.objects.filter(key=actions.ORDER_BY_ORDER_MAX).exists()
    batch = printed_batch(_orders(od, org, n, {"P-1": 1}), printer=floor.printer)
    wave = actions.create_wave(batch, user=floor.picker).wave
    assert wave.mode == mode and "FUL-01" in wave.mode_citation
    lines = PickLine.objects.filter(wave=wave)
    if mode == WaveMode.ORDER_BY_ORDER:
        assert lines.count() == n and all(line.order_id for line in lines)
    else:
        assert lines.count() == 1 and lines.get().quantity == n and lines.get().order_id is None


def test_ful01_a_batch_not_printed_is_refused(od, org, floor):
    from ecomops.dispatch import actions as dispatch

    order = reviewed(od, org, "N1", {"P-1": 1})
    entry = dispatch.assign(order)
    with pytest.raises(BusinessError) as refused:
        actions.create_wave(entry.batch, user=floor.picker)
    assert "尚未打印" in refused.value.message


def test_ful01_orders_not_awaiting_shipment_are_left_out_with_the_reason(od, org, floor):
    from ecomops.orders import actions as order_actions

    orders = _orders(od, org, 3, {"P-1": 1})
    batch = printed_batch(orders, printer=floor.printer)
    order_actions.hold(Order.objects.get(pk=orders[0].pk), user=od.clerk, reason="买家要求暂缓")
    result = actions.create_wave(batch, user=floor.picker)
    assert [o.pk for o, _ in result.skipped] == [orders[0].pk] and "待发货" in result.skipped[0][1]
    assert result.wave.orders.count() == 2


def test_ful01_wrong_bin_wrong_sku_and_over_pick_are_refused(od, org, floor, big):
    batch, _ = big
    wave = actions.create_wave(batch, user=floor.picker).wave
    with pytest.raises(BusinessError) as refused:
        actions.scan_pick(wave, user=floor.picker, bin_code="X-99", sku_code="POT-01")
    assert refused.value.field == "bin" and "不在本波次" in refused.value.message
    with pytest.raises(BusinessError) as refused:
        actions.scan_pick(wave, user=floor.picker, bin_code="A-01-05", sku_code="CUP-01")
    assert refused.value.field == "sku" and "A-01-05" in refused.value.message
    done = actions.scan_pick(wave, user=floor.picker, bin_code="A-01-05", sku_code="2000000000039", quantity=5)
    assert done.lines[0].picked == 5 and done.lines[0].state == PickState.PENDING
    with pytest.raises(BusinessError) as refused:
        actions.scan_pick(wave, user=floor.picker, bin_code="A-01-05", sku_code="POT-01", quantity=2)
    assert refused.value.field == "quantity" and "超拣" in refused.value.message
    done = actions.scan_pick(wave, user=floor.picker, bin_code="A-01-05", sku_code="POT-01")
    assert done.lines[0].state == PickState.PICKED and done.bin_done
    wave.refresh_from_db()
    assert wave.state == WaveState.PICKING and wave.picker == floor.picker and wave.started_at
    with pytest.raises(BusinessError) as refused:
        actions.finish_picking(wave, user=floor.picker)
    assert "未拣" in refused.value.message


def _pick_all(wave, user):
    for line in PickLine.objects.filter(wave=wave, state=PickState.PENDING):
        line.refresh_from_db()
        if line.state == PickState.PENDING:
            actions.scan_pick(wave, user=user, bin_code=line.bin_code, sku_code=line.sku.sku_code,
                              quantity=line.quantity - line.picked)


def test_ful01_short_pick_holds_the_uncovered_orders_and_opens_a_count(od, org, floor, big):
    batch, orders = big
    wave = actions.create_wave(batch, user=floor.picker).wave
    cups = PickLine.objects.get(wave=wave, bin_code="B-01-01")
    result = actions.report_short(cups, user=floor.picker, found=9, reason="库位只有 9 件")
    # slots 1-4 need 8 cups: covered; slot 5 needs 2 and only 1 is left, slot 6 none: both held
    assert [o.pk for o in result.held] == [orders[4].pk, orders[5].pk]
    for order in orders[4:]:
        order.refresh_from_db()
        assert order.state == S.ON_HOLD and "B-01-01" in order.exception_reason and "CUP-01" in order.exception_reason
        assert OrderEvent.objects.filter(order=order, kind="held", note__contains="B-01-01").exists()
        assert not WaveOrder.objects.get(wave=wave, order=order).live
    cups.refresh_from_db()
    assert cups.state == PickState.SHORT and cups.picked == 9
    # the held orders' other units are no longer to be picked
    assert PickLine.objects.get(wave=wave, bin_code="A-01-05").quantity == 4
    sheet = CountSheet.objects.get()
    assert sheet.warehouse == floor.wh.hz and list(sheet.bins.all()) == [floor.b_b]
    assert list(sheet.skus.all()) == [floor.cup] and sheet.client == org.client_a
    _pick_all(wave, floor.picker)
    actions.finish_picking(wave, user=floor.picker)
    for order in orders[:4]:
        assert OrderEvent.objects.filter(order=order, note__contains="已拣货").exists()
    assert not OrderEvent.objects.filter(order=orders[5], note__contains="已拣货").exists()


def test_ful01_sort_tells_the_slot_of_each_unit_and_notes_the_order(od, org, floor):
    orders = [reviewed(od, org, f"S{i}", items) for i, items in enumerate(
        [{"P-1": 1}, {"P-2": 1}, {"P-1": 2, "P-2": 1}, {"P-3": 1}, {"P-1": 1}, {"P-3": 1}])]
    batch = printed_batch(orders, printer=floor.printer)
    wave = actions.create_wave(batch, user=floor.picker).wave
    with pytest.raises(BusinessError):
        actions.sort_scan(wave, user=floor.picker, sku_code="TEA-001-250")  # not picked yet
    _pick_all(wave, floor.picker)
    actions.finish(wave, user=floor.picker)
    slots = [actions.sort_scan(wave, user=floor.picker, sku_code="TEA-001-250").slot for _ in range(4)]
    assert slots == [1, 3, 3, 5]
    with pytest.raises(BusinessError) as refused:
        actions.sort_scan(wave, user=floor.picker, sku_code="TEA-001-250")
    assert "放回" in refused.value.message
    assert OrderEvent.objects.filter(order=orders[0], note__contains="已分拣").exists()
    assert not OrderEvent.objects.filter(order=orders[2], note__contains="已分拣").exists()
    with pytest.raises(BusinessError):
        actions.finish(wave, user=floor.picker)
    for code in ("CUP-01", "2000000000022", "POT-01", "POT-01"):
        actions.sort_scan(wave, user=floor.picker, sku_code=code)
    last = actions.finish(wave, user=floor.picker)
    assert last.state == WaveState.SORTED and last.sorted_at
    assert OrderEvent.objects.filter(order=orders[2], note__contains="已分拣").exists()


def test_ful01_order_by_order_wave_ends_picked(od, org, floor):
    orders = _orders(od, org, 2)
    batch = printed_batch(orders, printer=floor.printer)
    wave = actions.create_wave(batch, user=floor.picker).wave
    assert wave.mode == WaveMode.ORDER_BY_ORDER
    lines = list(PickLine.objects.filter(wave=wave).order_by("pk"))
    assert [(line.order_id, line.bin_code) for line in lines] == [
        (orders[0].pk, "A-01-05"), (orders[0].pk, "A-02-01"), (orders[0].pk, "B-01-01"),
        (orders[1].pk, "A-01-05"), (orders[1].pk, "A-02-01"), (orders[1].pk, "B-01-01")]
    first = actions.scan_pick(wave, user=floor.picker, bin_code="B-01-01", sku_code="CUP-01", quantity=2)
    assert first.lines[0].order_id == orders[0].pk  # slot 1 first
    short = actions.report_short(PickLine.objects.get(wave=wave, order=orders[1], bin_code="B-01-01"),
                                 user=floor.picker, found=1, reason="破损")
    assert [o.pk for o in short.held] == [orders[1].pk]
    assert not PickLine.objects.filter(wave=wave, order=orders[1], state=PickState.PENDING).exists()
    _pick_all(wave, floor.picker)
    wave = actions.finish(wave, user=floor.picker)
    assert wave.state == WaveState.PICKED
    with pytest.raises(BusinessError):
        actions.sort_scan(wave, user=floor.picker, sku_code="CUP-01")


def test_ful01_cancel_frees_the_orders_for_another_wave(od, org, floor, big):
    batch, orders = big
    wave = actions.create_wave(batch, user=floor.picker).wave
    actions.cancel_wave(wave, user=floor.picker, reason="重新组波")
    assert OrderEvent.objects.filter(order=orders[0], note__contains="已取消").exists()
    again = actions.create_wave(batch, user=floor.picker).wave
    assert again.orders.count() == 6 and again.pk != wave.pk

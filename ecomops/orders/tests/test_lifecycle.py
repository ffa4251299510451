"""ORD-01 lifecycle: the transition map is the only way between states, every step is an event, no
unpaid order reaches awaiting shipment (ORD-04), hold/release/cancel with reasons; ORD-02 line matching."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.orders import actions
from ecomops.orders.enums import ORDER_FLOW, OrderEventKind, OrderState
from ecomops.orders.models import Order, OrderEvent

from .conftest import at, new_order, pay

S = OrderState


def test_ord01_new_order_is_placed_with_a_created_event_and_matched_lines(od):
    order = od.a1
    assert order.state == S.PLACED
    assert list(order.events.values_list("kind", flat=True)) == [OrderEventKind.CREATED]
    line = order.lines.get()
    assert line.sku == od.sku and line.amount == order.goods_amount == order.paid_amount


def test_ord02_unmatched_line_puts_the_order_on_hold_with_the_reason(od):
    """ORD-02: nothing is dropped; the order waits in the exception queue with the reason."""
    assert od.b1.state == S.ON_HOLD and od.b1.held_from == S.PLACED
    assert "第 1 行" in od.b1.exception_reason and od.b1.lines.get().sku is None


def test_ord02_platform_order_number_is_unique_per_store(od, org):
    with pytest.raises(Conflict) as refused:
        new_order(od.clerk, org.store_a1, "TB1001")
    assert refused.value.field == "platform_order_no"
    new_order(od.clerk, org.store_a2, "TB1001")  # another store may use the same number
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.create(store=org.store_a1, platform_order_no="TB1001", placed_at=at(2))


def test_ord01_full_happy_path_records_every_transition_with_who_and_when(od, wh):
    wh.put(wh.hz_bin, 1)  # reviewing reserves the stock (ORD-04), shipping takes it out (WMS-10)
    order = od.a1
    pay(od.clerk, order)
    order.refresh_from_db()
    assert order.state == S.PAID
    order = actions.submit_for_review(order, user=od.clerk)
    order = actions.mark_reviewed(order, user=od.clerk)
    order = actions.release_to_shipping(order, user=od.clerk)
    order = actions.mark_shipped(order, user=od.clerk, courier="sf_express", tracking_no="SF123")
    order = actions.mark_received(order, user=od.clerk)
    order = actions.mark_buyer_reviewed(order, user=od.clerk)
    order = actions.mark_completed(order, user=od.clerk)
    steps = list(order.events.exclude(kind=OrderEventKind.CREATED).values_list("from_state", "to_state"))
    assert steps == [(S.PLACED, S.PAID), (S.PAID, S.AWAITING_REVIEW), (S.AWAITING_REVIEW, S.REVIEWED),
                     (S.REVIEWED, S.AWAITING_SHIPMENT), (S.AWAITING_SHIPMENT, S.SHIPPED), (S.SHIPPED, S.RECEIVED),
                     (S.RECEIVED, S.BUYER_REVIEWED), (S.BUYER_REVIEWED, S.COMPLETED)]
    assert all(e.actor_id == od.clerk.pk and e.at for e in order.events.exclude(kind=OrderEventKind.CREATED))
    assert order.shipped_at and order.received_at and order.buyer_reviewed_at and order.completed_at


@pytest.mark.parametrize("source", list(S.values))
def test_ord01_set_state_refuses_every_step_outside_the_map(od, source, admin_user_factory=None):
    """ORD-01: from each state, every target not in ORDER_FLOW is refused and leaves no event."""
    order = od.a1
    Order.objects.filter(pk=order.pk).update(state=source, paid_at=at(2, 11), held_from=S.PAID)
    order.refresh_from_db()
    events = order.events.count()
    for target in S.values:
        if target in ORDER_FLOW[source]:
            continue
        with pytest.raises(BusinessError) as refused:
            actions.set_state(order, target, user=od.clerk, reason="测试")
        assert refused.value.field == "state"
        order.refresh_from_db()
        assert order.state == source
    assert order.events.count() == events


def test_ord01_unpaid_order_can_never_reach_awaiting_shipment(od):
    """ORD-01 / ORD-04: not through the actions, not through set_state, not in the database."""
    order = od.a1
    with pytest.raises(BusinessError) as refused:
        actions.submit_for_review(order, user=od.clerk)
    assert refused.value.code == "unpaid"
    # Even an order that reached review by a bad path cannot go on unpaid.
    Order.objects.filter(pk=order.pk).update(state=S.REVIEWED)
    order.refresh_from_db()
    for attempt in (lambda: actions.release_to_shipping(order, user=od.clerk),
                    lambda: actions.set_state(order, S.AWAITING_SHIPMENT, user=od.clerk)):
        with pytest.raises(BusinessError) as refused:
            attempt()
        assert refused.value.code == "unpaid"
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=order.pk).update(state=S.AWAITING_SHIPMENT)


def test_ord01_cash_on_delivery_goes_to_review_and_shipping_without_payment(od, org, wh):
    wh.put(wh.hz_bin, 1)
    order = new_order(od.clerk, org.store_a1, "COD1", payment_method="cod")
    assert order.confirm_due_at is not None  # ORD-09 clock from placing
    order = actions.submit_for_review(order, user=od.clerk)
    order = actions.mark_reviewed(order, user=od.clerk)
    order = actions.release_to_shipping(order, user=od.clerk)
    assert order.state == S.AWAITING_SHIPMENT and order.paid_at is None


def test_ord08_hold_and_release_return_to_the_state_held_from(od):
    pay(od.clerk, od.a1)
    with pytest.raises(BusinessError) as refused:
        actions.hold(od.a1, user=od.clerk, reason="  ")
    assert refused.value.field == "reason"
    order = actions.hold(od.a1, user=od.clerk, reason="买家要求改地址")
    assert order.state == S.ON_HOLD and order.held_from == S.PAID and order.exception_reason == "买家要求改地址"
    with pytest.raises(BusinessError):
        actions.set_state(order, S.REVIEWED, user=od.clerk, reason="跳过")  # only back where it came from
    order = actions.release_hold(order, user=od.clerk, reason="已改好")
    assert order.state == S.PAID and order.held_from == "" and order.exception_reason == ""
    kinds = list(order.events.values_list("kind", flat=True))
    assert kinds[-2:] == [OrderEventKind.HELD, OrderEventKind.RELEASED]


def test_ord01_cancel_needs_a_reason_and_is_refused_after_shipping(od, wh):
    wh.put(wh.hz_bin, 1)
    with pytest.raises(BusinessError) as refused:
        actions.cancel(od.a1, user=od.clerk, reason="")
    assert refused.value.field == "reason"
    pay(od.clerk, od.a2)
    order = od.a2
    for step in (actions.submit_for_review, actions.mark_reviewed, actions.release_to_shipping,
                 actions.mark_shipped):
        order = step(order, user=od.clerk)
    with pytest.raises(BusinessError) as refused:
        actions.cancel(order, user=od.clerk, reason="买家不要了")
    assert "已发货" in refused.value.message
    cancelled = actions.cancel(od.a1, user=od.clerk, reason="买家不要了")
    assert cancelled.state == S.CANCELLED and cancelled.cancelled_at and cancelled.cancel_reason == "买家不要了"


def test_ord01_actions_need_their_permission(od, org):
    from .conftest import make_user

    viewer = make_user("viewer_a", "orders.view_order", client=org.client_a)
    for attempt in (lambda: actions.hold(od.a1, user=viewer, reason="x"),
                    lambda: actions.cancel(od.a1, user=viewer, reason="x"),
                    lambda: actions.set_state(od.a1, S.PAID, user=viewer),
                    lambda: pay(viewer, od.a1)):
        with pytest.raises(NotAllowed):
            attempt()


def test_ord01_order_events_are_append_only(od):
    event = OrderEvent.objects.filter(order=od.a1).first()
    event.note = "改写"
    with pytest.raises(BusinessError):
        event.save()
    with pytest.raises(BusinessError):
        event.delete()


def test_ord01_payment_arriving_while_held_releases_to_paid(od):
    """ORD-02 exception queue: an unmatched order held before its payment goes back as paid."""
    order = actions.hold(od.a1, user=od.clerk, reason="待核实")
    pay(od.clerk, order)
    order.refresh_from_db()
    assert order.state == S.ON_HOLD and order.paid_at is not None
    order = actions.release_hold(order, user=od.clerk, reason="已核实")
    assert order.state == S.PAID

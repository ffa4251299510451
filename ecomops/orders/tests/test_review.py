"""ORD-03 / ORD-04: automatic review rules as data, allocation through the warehouse reservations with
routing, the out-of-stock queue, manual review batches of at most the policy's size, and stock given
back or taken out as the order moves on."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connections

from ecomops.core.errors import BusinessError, Conflict
from ecomops.inventory import reservations
from ecomops.inventory.enums import DocKind
from ecomops.inventory.models import Reservation, StockBalance, StockMove
from ecomops.inventory.verify import differences
from ecomops.orders import actions, review
from ecomops.orders.actions import LineInput
from ecomops.orders.enums import AllocationState, OrderState, ReviewRuleCode
from ecomops.orders.models import Order, ReviewRule
from ecomops.policy.models import PolicyParameter

from .conftest import at, new_order

S = OrderState


def paid(od, org, number, *, qty=1, amount="100.00", **fields):
    order = new_order(od.clerk, org.store_a1, number, amount=amount,
                      lines=[LineInput(quantity=qty, unit_price=Decimal(amount), platform_sku_code="P-1")], **fields)
    actions.mark_paid(order, user=od.clerk, paid_at=at(2, 10))
    return Order.objects.get(pk=order.pk)


def test_ord03_a_clean_paid_order_is_reviewed_and_its_stock_reserved(od, org, wh):
    wh.put(wh.hz_bin, 5)
    order = paid(od, org, "R1", qty=2)
    run = review.auto_review(user=od.clerk)
    order.refresh_from_db()
    assert (run.reviewed, run.manual, run.waiting) == (1, 0, 0)
    assert order.state == S.REVIEWED and order.warehouse == wh.hz and order.allocation_state == "allocated"
    assert reservations.available(od.sku.pk, wh.hz.pk) == 3
    assert [e.to_state for e in order.events.order_by("pk")][-2:] == [S.AWAITING_REVIEW, S.REVIEWED]


@pytest.mark.parametrize(("fields", "rule", "text"), [
    ({"merchant_note": "老客户送小样"}, ReviewRuleCode.NO_NOTES, "备注"),
    ({"buyer_message": "请周末送"}, ReviewRuleCode.NO_NOTES, "留言"),
    ({"receiver_phone": ""}, ReviewRuleCode.ADDRESS, "手机"),
    ({"province": ""}, ReviewRuleCode.ADDRESS, "省份"),
])
def test_ord03_rules_send_orders_to_a_person_with_the_reason(od, org, wh, fields, rule, text):
    wh.put(wh.hz_bin, 5)
    order = paid(od, org, "M1", **fields)
    review.auto_review(user=od.clerk)
    order.refresh_from_db()
    assert order.state == S.AWAITING_REVIEW and order.allocation_state == ""
    assert [r["rule"] for r in order.review_reasons] == [rule] and text in order.review_reasons[0]["message"]
    # The rule switched off (as data): the same order goes through automatically.
    ReviewRule.objects.filter(code=rule).update(enabled=False)
    Order.objects.filter(pk=order.pk).update(review_reasons=[])
    review.auto_review(user=od.clerk)
    order.refresh_from_db()
    assert order.state == S.REVIEWED


def test_ord03_amount_limit_is_the_policy_value_and_its_boundary(od, org, wh):
    wh.put(wh.hz_bin, 10)
    assert PolicyParameter.objects.filter(key=review.AMOUNT_KEY).exists()
    below = paid(od, org, "A1", amount="1999.99")
    at_limit = paid(od, org, "A2", amount="2000.00")
    review.auto_review(user=od.clerk)
    below.refresh_from_db()
    at_limit.refresh_from_db()
    assert below.state == S.REVIEWED
    assert at_limit.state == S.AWAITING_REVIEW and at_limit.review_reasons[0]["rule"] == ReviewRuleCode.AMOUNT
    # A rule parameter overrides the policy value.
    ReviewRule.objects.filter(code=ReviewRuleCode.AMOUNT).update(params={"limit": "5000"})
    Order.objects.filter(pk=at_limit.pk).update(review_reasons=[])
    review.auto_review(user=od.clerk)
    at_limit.refresh_from_db()
    assert at_limit.state == S.REVIEWED


def test_ord03_unpaid_orders_are_not_reviewed_and_never_reach_awaiting_shipment(od, org, wh):
    wh.put(wh.hz_bin, 5)
    unpaid = new_order(od.clerk, org.store_a1, "U1")
    review.auto_review(user=od.clerk)
    unpaid.refresh_from_db()
    assert unpaid.state == S.PLACED
    Order.objects.filter(pk=unpaid.pk).update(state=S.REVIEWED)
    with pytest.raises(BusinessError) as refused:
        actions.release_to_shipping(Order.objects.get(pk=unpaid.pk), user=od.clerk)
    assert refused.value.code == "unpaid"


def test_ord04_routing_uses_the_store_warehouse_then_any_with_enough_stock(od, org, wh):
    wh.put(wh.hz_bin, 1)
    wh.put(wh.sh_bin, 10)
    first = paid(od, org, "W1", qty=1)
    second = paid(od, org, "W2", qty=3)
    review.auto_review(user=od.clerk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.warehouse == wh.hz  # the store's own warehouse first
    assert second.warehouse == wh.sh  # HZ is empty now: the one with enough stock


def test_ord04_out_of_stock_orders_wait_and_are_retried_in_payment_order(od, org, wh):
    wh.put(wh.hz_bin, 1)
    early = paid(od, org, "Q1", qty=2)
    late = paid(od, org, "Q2", qty=2)
    Order.objects.filter(pk=late.pk).update(paid_at=at(3, 10))
    run = review.auto_review(user=od.clerk)
    assert run.waiting == 2
    early.refresh_from_db()
    assert early.allocation_state == AllocationState.WAITING_STOCK and "库存不足" in early.allocation_note
    wh.put(wh.hz_bin, 2)  # three in stock now: enough for the earlier payment only
    run = review.retry_waiting(user=od.clerk)
    early.refresh_from_db()
    late.refresh_from_db()
    assert (run.reviewed, run.waiting) == (1, 1)
    assert early.state == S.REVIEWED and late.allocation_state == AllocationState.WAITING_STOCK


def test_ord04_stock_rule_off_sends_out_of_stock_orders_to_a_person(od, org, wh):
    ReviewRule.objects.filter(code=ReviewRuleCode.STOCK).update(enabled=False)
    order = paid(od, org, "N1")
    review.auto_review(user=od.clerk)
    order.refresh_from_db()
    assert order.allocation_state == "" and order.review_reasons[0]["rule"] == ReviewRuleCode.STOCK


def test_ord04_cancel_and_hold_give_the_stock_back_and_shipping_takes_it_out(od, org, wh):
    wh.put(wh.hz_bin, 6)
    a, b, c = (paid(od, org, n, qty=2) for n in ("S1", "S2", "S3"))
    review.auto_review(user=od.clerk)
    assert reservations.available(od.sku.pk, wh.hz.pk) == 0
    actions.cancel(Order.objects.get(pk=a.pk), user=od.clerk, reason="买家取消")
    assert reservations.available(od.sku.pk, wh.hz.pk) == 2
    held = actions.hold(Order.objects.get(pk=b.pk), user=od.clerk, reason="核实地址")
    assert reservations.available(od.sku.pk, wh.hz.pk) == 4 and held.held_from == S.AWAITING_REVIEW
    actions.release_hold(Order.objects.get(pk=b.pk), user=od.clerk, reason="已核实")
    review.auto_review(user=od.clerk)
    assert Order.objects.get(pk=b.pk).state == S.REVIEWED
    order = actions.release_to_shipping(Order.objects.get(pk=c.pk), user=od.clerk)
    actions.mark_shipped(order, user=od.clerk, courier="sf_express", tracking_no="SF1")
    moves = StockMove.objects.filter(doc_kind=DocKind.ORDER, doc_id=str(c.pk))
    assert [(m.quantity, m.to_bin_id) for m in moves] == [(2, None)]
    assert StockBalance.objects.get(bin=wh.hz_bin).on_hand == 4 and not differences()


def test_ord03_batches_hold_at_most_the_policy_size_notes_first(od, org, wh, monkeypatch):
    from ecomops.policy import registry

    real = registry.resolve

    def small(key, on=None):
        resolved = real(key, on)
        if key == review.BATCH_KEY:
            resolved = type(resolved)(resolved.parameter, resolved.version, 3)
        return resolved

    monkeypatch.setattr(registry, "resolve", small)
    wh.put(wh.hz_bin, 20)
    for n in range(4):
        paid(od, org, f"B{n}", amount="3000.00")
    noted = paid(od, org, "B9", amount="3000.00", buyer_message="请开发票")
    review.auto_review(user=od.clerk)
    batch = review.take_batch(user=od.clerk)
    orders = list(batch.orders.order_by("pk"))
    assert batch.size == 3 == len(orders) and batch.limit == 3 and "ORD-03" in batch.limit_citation
    assert noted in orders  # notes and messages first
    with pytest.raises(Conflict):
        review.take_batch(user=od.clerk)  # one open batch per clerk
    other = review.take_batch(user=od.cs)
    assert other.size == 2 and not set(other.orders.all()) & set(orders)
    review.approve(batch, orders[0], user=od.clerk)
    review.hold_in_batch(batch, orders[1], user=od.clerk, reason="联系买家")
    review.close_batch(batch, user=od.clerk)
    assert Order.objects.get(pk=orders[0].pk).state == S.REVIEWED
    assert Order.objects.get(pk=orders[1].pk).state == S.ON_HOLD
    assert Order.objects.get(pk=orders[2].pk).review_batch is None  # back to the pool
    assert Order.objects.get(pk=orders[0].pk).review_batch == batch  # the approved one stays listed
    with pytest.raises(BusinessError):
        review.approve(other, orders[2], user=od.clerk)  # not the clerk's batch


def test_ord03_the_batch_size_default_is_200(od):
    from ecomops.policy import registry

    assert registry.value(review.BATCH_KEY) == 200


WORKERS = 8


@pytest.mark.django_db(transaction=True)
def test_ord04_parallel_allocation_never_oversells(od, org, wh):
    """8 workers review 40 orders of 1–3 units competing for 30 units at once: the sum reserved never
    exceeds stock, every order ends allocated or waiting, nothing deadlocks or errors."""
    wh.put(wh.hz_bin, 20)
    wh.put(wh.sh_bin, 10)
    orders = [paid(od, org, f"P{n:02d}", qty=1 + n % 3).pk for n in range(40)]
    barrier = threading.Barrier(WORKERS)
    errors = []

    def worker(n):
        try:
            barrier.wait()
            review.auto_review(orders[n::WORKERS], user=od.clerk)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    states = set(Order.objects.filter(pk__in=orders).values_list("state", "allocation_state"))
    assert states <= {(S.REVIEWED, "allocated"), (S.AWAITING_REVIEW, "waiting_stock")}
    reserved = sum(r.quantity for r in Reservation.objects.filter(state="active"))
    allocated = sum(o.lines.first().quantity for o in Order.objects.filter(pk__in=orders, state=S.REVIEWED))
    assert reserved == allocated <= 30
    assert all(b.reserved <= b.on_hand for b in StockBalance.objects.all()) and not differences()
    assert reserved >= 28  # scarce stock is used up, not left idle by lost races


def test_ord03_imported_paid_orders_are_reviewed_when_the_chunk_commits(od, org, wh,
                                                                        django_capture_on_commit_callbacks):
    from ecomops.orders.hooks import review_imported

    wh.put(wh.hz_bin, 5)
    order = paid(od, org, "I1")
    with django_capture_on_commit_callbacks(execute=True):
        review_imported(store=org.store_a1, order_ids=[order.pk])
    order.refresh_from_db()
    assert order.state == S.REVIEWED and order.events.filter(actor__isnull=True, to_state=S.REVIEWED).exists()


def test_ord04_stock_arriving_retries_the_waiting_orders(od, org, wh, django_capture_on_commit_callbacks):
    order = paid(od, org, "Z1", qty=2)
    review.auto_review(user=od.clerk)
    assert Order.objects.get(pk=order.pk).allocation_state == AllocationState.WAITING_STOCK
    with django_capture_on_commit_callbacks(execute=True):
        wh.put(wh.sh_bin, 2)  # goods put away into a sellable bin of any warehouse
    order.refresh_from_db()
    assert order.state == S.REVIEWED and order.warehouse == wh.sh


def _http(user):
    from django.test import Client as HttpClient

    http = HttpClient()
    http.force_login(user)
    return http


def test_ord03_workbench_pages_take_a_batch_and_work_it(od, org, wh):
    from django.urls import reverse

    wh.put(wh.hz_bin, 5)
    noted = paid(od, org, "K1", buyer_message="周末送货")
    clean = paid(od, org, "K2")
    http = _http(od.clerk)
    assert http.get(reverse("orders:review")).status_code == 200
    http.post(reverse("orders:review_auto"))
    assert Order.objects.get(pk=clean.pk).state == S.REVIEWED
    taken = http.post(reverse("orders:review_take"))
    batch_url = taken.url
    page = http.get(batch_url).content.decode()
    assert "K1" in page and "周末送货" in page and "table-warning" in page and "13812345678" not in page
    batch = noted.__class__.objects.get(pk=noted.pk).review_batch
    done = http.post(reverse("orders:review_batch_act", args=[batch.pk]), {"do": "approve", "order": noted.pk},
                     follow=True)
    assert "已审单" in done.content.decode() and Order.objects.get(pk=noted.pk).state == S.REVIEWED
    assert _http(od.clerk_b).get(batch_url).status_code == 404  # another clerk's batch
    waiting = http.get(reverse("orders:review_waiting"))
    assert waiting.status_code == 200


def test_ord03_review_api_and_scoping(od, org, wh):
    import json

    wh.put(wh.hz_bin, 5)
    paid(od, org, "J1", merchant_note="赠品")
    http = _http(od.clerk)
    run = http.post("/api/v1/orders/review/auto").json()
    assert run == {"reviewed": 0, "manual": 1, "waiting": 0}
    taken = http.post("/api/v1/orders/review/batches")
    assert taken.status_code == 201 and taken.json()["limit"] == 200
    batch = taken.json()
    order_id = batch["orders"][0]["id"]
    assert _http(od.clerk_b).get(f"/api/v1/orders/review/batches/{batch['id']}").status_code == 404
    held = http.post(f"/api/v1/orders/review/batches/{batch['id']}/orders/{order_id}/hold",
                     json.dumps({"reason": ""}), content_type="application/json")
    assert held.status_code in (400, 422) and held.json()["error"]["field"] == "reason"
    approved = http.post(f"/api/v1/orders/review/batches/{batch['id']}/orders/{order_id}/approve")
    assert approved.status_code == 200 and approved.json()["state"] == "reviewed"
    rules = {r["code"]: r for r in http.get("/api/v1/orders/review/rules").json()}
    assert set(rules) == {c.value for c in ReviewRuleCode}
    patched = http.patch(f"/api/v1/orders/review/rules/{rules['amount_limit']['id']}", json.dumps({"limit": "1.5x"}),
                         content_type="application/json")
    assert patched.status_code in (400, 403, 422)

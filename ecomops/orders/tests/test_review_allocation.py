"""ORD-03 / ORD-04, the clauses not covered in test_review.py: every rule on its own (and switched off),
the no-exception and city checks, cash on delivery, the 200-order batch from the policy value, two clerks
taking batches at the same moment, the database refusing an unpaid order awaiting shipment, retry by
SKU, the parallel allocation with every worker over the same orders followed by arriving stock, and
scoping of pages and API."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connections, transaction

from ecomops.inventory.models import Reservation, StockBalance
from ecomops.inventory.verify import differences
from ecomops.orders import actions, review
from ecomops.orders.actions import LineInput
from ecomops.orders.enums import AllocationState, OrderState, ReviewRuleCode
from ecomops.orders.models import Order, OrderLine, ReviewBatch, ReviewRule
from ecomops.policy import registry

from .conftest import at, new_order
from .test_review import _http, paid

S = OrderState


def test_ord03_every_rule_is_seeded_once_and_in_order(db):
    review.seed_review_rules()
    review.seed_review_rules()
    assert list(ReviewRule.objects.values_list("code", flat=True)) == list(review.RULE_ORDER)


def test_ord03_paid_rule_refuses_an_unpaid_order_and_passes_cash_on_delivery(od, org):
    rules = review.enabled_rules()
    unpaid = new_order(od.clerk, org.store_a1, "PD1")
    assert [r["rule"] for r in review.check(unpaid, rules).reasons] == [ReviewRuleCode.PAID]
    cod = new_order(od.clerk, org.store_a1, "PD2", payment_method="cod")
    assert review.check(cod, rules).passed
    rules.pop(ReviewRuleCode.PAID)
    assert review.check(unpaid, rules).passed  # switched off


def test_ord03_cash_on_delivery_orders_are_reviewed_without_payment(od, org, wh):
    wh.put(wh.hz_bin, 3)
    cod = new_order(od.clerk, org.store_a1, "COD1", payment_method="cod")
    review.auto_review(user=od.clerk)
    cod.refresh_from_db()
    assert cod.state == S.REVIEWED and cod.paid_at is None and cod.allocation_state == AllocationState.ALLOCATED


@pytest.mark.parametrize(("fields", "rule", "text"), [
    ({"city": ""}, ReviewRuleCode.ADDRESS, "城市"),
    ({"receiver_name": ""}, ReviewRuleCode.ADDRESS, "收货人"),
    ({"receiver_address": ""}, ReviewRuleCode.ADDRESS, "地址"),
])
def test_ord03_address_complete_rule_names_what_is_missing(od, org, wh, fields, rule, text):
    wh.put(wh.hz_bin, 2)
    order = paid(od, org, "AD1", **fields)
    review.auto_review(user=od.clerk)
    order.refresh_from_db()
    assert order.state == S.AWAITING_REVIEW and [r["rule"] for r in order.review_reasons] == [rule]
    assert text in order.review_reasons[0]["message"]
    assert order.events.filter(data__review_reasons__isnull=False).exists()  # the reasons are an event too


def test_ord03_an_order_with_an_exception_waits_for_a_person_unless_the_rule_is_off(od, org, wh):
    wh.put(wh.hz_bin, 2)
    order = paid(od, org, "EX1")
    Order.objects.filter(pk=order.pk).update(exception_reason="平台标记风险订单")
    review.auto_review(user=od.clerk)
    order.refresh_from_db()
    assert [r["rule"] for r in order.review_reasons] == [ReviewRuleCode.NO_EXCEPTION]
    assert "风险" in order.review_reasons[0]["message"]
    ReviewRule.objects.filter(code=ReviewRuleCode.NO_EXCEPTION).update(enabled=False)
    Order.objects.filter(pk=order.pk).update(review_reasons=[])
    review.auto_review(user=od.clerk)
    assert Order.objects.get(pk=order.pk).state == S.REVIEWED


def test_ord03_unmatched_lines_wait_for_a_person_unless_the_rule_is_off(od, org, wh):
    wh.put(wh.hz_bin, 2)
    order = new_order(od.clerk, org.store_a1, "UM1", lines=[
        LineInput(quantity=1, unit_price=Decimal("100.00"), platform_sku_code="P-1"),
        LineInput(quantity=1, unit_price=Decimal("5.00"), platform_sku_code="NOPE")])
    Order.objects.filter(pk=order.pk).update(state=S.PAID, paid_at=at(2, 11), exception_reason="")
    review.auto_review(user=od.clerk)
    order.refresh_from_db()
    assert [r["rule"] for r in order.review_reasons] == [ReviewRuleCode.MATCHED]
    ReviewRule.objects.filter(code=ReviewRuleCode.MATCHED).update(enabled=False)
    Order.objects.filter(pk=order.pk).update(review_reasons=[])
    review.auto_review(user=od.clerk)
    order.refresh_from_db()  # the matched line is reserved; the unmatched one is left to a person later
    assert order.state == S.REVIEWED and Reservation.objects.filter(doc_id=str(order.pk)).count() == 1


def test_ord03_amount_limit_off_lets_big_orders_through(od, org, wh):
    wh.put(wh.hz_bin, 2)
    big = paid(od, org, "BIG", amount="99999.00")
    ReviewRule.objects.filter(code=ReviewRuleCode.AMOUNT).update(enabled=False)
    review.auto_review(user=od.clerk)
    assert Order.objects.get(pk=big.pk).state == S.REVIEWED


def test_ord03_a_person_waiting_order_is_not_reviewed_again_by_the_next_run(od, org, wh):
    wh.put(wh.hz_bin, 2)
    noted = paid(od, org, "NX", merchant_note="送小样")
    review.auto_review(user=od.clerk)
    events = noted.events.count()
    run = review.auto_review(user=od.clerk)
    assert (run.reviewed, run.manual) == (0, 0) and noted.events.count() == events


def test_ord04_unpaid_orders_cannot_be_awaiting_shipment_even_in_the_database(od, org):
    """ORD-04: the CHECK constraint refuses what the actions refuse."""
    unpaid = new_order(od.clerk, org.store_a1, "DB1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=unpaid.pk).update(state=S.AWAITING_SHIPMENT)
    cod = new_order(od.clerk, org.store_a1, "DB2", payment_method="cod")
    Order.objects.filter(pk=cod.pk).update(state=S.AWAITING_SHIPMENT)  # cash on delivery is allowed


def test_ord03_a_batch_takes_the_policy_number_of_orders_and_not_one_more(od, org, wh):
    """ORD-03: with the policy's 200, the 201st order waiting for a person is left for the next clerk."""
    limit = registry.value(review.BATCH_KEY)
    wanted = limit + 1
    base = new_order(od.clerk, org.store_a1, "BB-0")
    line = base.lines.get()
    clones = []
    for n in range(1, wanted):
        clones.append(Order(store=org.store_a1, platform_order_no=f"BB-{n}", state=S.AWAITING_REVIEW,
                            placed_at=at(2), paid_at=at(2, 10) + timedelta(seconds=n), paid_amount=Decimal("3000"),
                            review_reasons=[{"rule": "amount_limit", "message": "金额"}], province="浙江省",
                            city="杭州市"))
    Order.objects.bulk_create(clones)
    OrderLine.objects.bulk_create([OrderLine(order=o, line_no=1, sku_id=line.sku_id, quantity=1,
                                             unit_price=Decimal("3000"), amount=Decimal("3000")) for o in
                                   Order.objects.filter(platform_order_no__startswith="BB-").exclude(pk=base.pk)])
    Order.objects.filter(pk=base.pk).update(state=S.AWAITING_REVIEW, paid_at=at(3), buyer_message="要发票",
                                            review_reasons=[{"rule": "no_notes", "message": "留言"}])
    batch = review.take_batch(user=od.clerk)
    assert batch.size == limit == batch.orders.count() and batch.limit == limit
    assert batch.orders.filter(pk=base.pk).exists()  # the latest paid, but it has a message: first in
    rest = review.take_batch(user=od.cs)
    assert rest.size == 1 and rest.orders.get().platform_order_no == f"BB-{wanted - 1}"  # the last by payment


@pytest.mark.django_db(transaction=True)
def test_ord03_two_clerks_taking_batches_at_once_never_share_an_order(od, org):
    """ORD-03: claims are conditional on the order row; 8 clerks at once, 30 orders, batches of 10."""
    for n in range(30):
        order = new_order(od.clerk, org.store_a1, f"TB-{n}")
        Order.objects.filter(pk=order.pk).update(state=S.AWAITING_REVIEW, paid_at=at(2, 10),
                                                 review_reasons=[{"rule": "no_notes", "message": "留言"}])
    from .conftest import CLERK, make_user

    clerks = [make_user(f"rc{n}", *CLERK, client=org.client_a) for n in range(8)]
    real = registry.resolve

    def ten(key, on=None):
        resolved = real(key, on)
        return type(resolved)(resolved.parameter, resolved.version, 10) if key == review.BATCH_KEY else resolved

    barrier = threading.Barrier(len(clerks))
    taken, errors = {}, []

    def clerk(user):
        try:
            barrier.wait()
            batch = review.take_batch(user=user)
            taken[user.pk] = list(Order.objects.filter(review_batch=batch).values_list("pk", flat=True))
        except Exception as error:  # noqa: BLE001 - a lost race is a Conflict; anything else fails below
            errors.append(type(error).__name__)
        finally:
            connections.close_all()

    import unittest.mock

    with unittest.mock.patch.object(registry, "resolve", ten):
        threads = [threading.Thread(target=clerk, args=(user,)) for user in clerks]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert set(errors) <= {"Conflict", "BusinessError"}
    claimed = [pk for pks in taken.values() for pk in pks]
    assert len(claimed) == len(set(claimed))  # nobody got an order twice
    assert all(len(pks) <= 10 for pks in taken.values()) and len(claimed) >= 10
    assert sum(b.size for b in ReviewBatch.objects.all()) == len(claimed)


def test_ord04_retry_by_sku_leaves_other_waiting_orders_alone(od, org, wh):
    from ecomops.catalog.models import SKU, PlatformSKU

    other = SKU.objects.create(client=org.client_a, style=od.style, sku_code="TEA-001-500", size="500g",
                               barcode="2000000000022", barcode_source="external")
    PlatformSKU.objects.create(store=org.store_a1, sku=other, platform_sku_code="P-2")
    first = paid(od, org, "RS1")
    second = new_order(od.clerk, org.store_a1, "RS2",
                       lines=[LineInput(quantity=1, unit_price=Decimal("10.00"), platform_sku_code="P-2")])
    actions.mark_paid(second, user=od.clerk, paid_at=at(2, 9))
    review.auto_review(user=od.clerk)
    wh.put(wh.hz_bin, 5)
    wh.put(wh.hz_bin, 5, sku=other)
    run = review.retry_waiting(sku_ids=[other.pk], user=od.clerk)
    assert (run.reviewed, run.waiting) == (1, 0)
    assert Order.objects.get(pk=second.pk).state == S.REVIEWED
    assert Order.objects.get(pk=first.pk).allocation_state == AllocationState.WAITING_STOCK


def test_ord04_the_allocate_command_reviews_and_retries(od, org, wh):
    from io import StringIO

    from django.core.management import call_command

    order = paid(od, org, "CLI1")
    out = StringIO()
    call_command("orders-allocate", stdout=out)
    assert "ORD-03" in out.getvalue() and Order.objects.get(pk=order.pk).allocation_state == "waiting_stock"
    wh.put(wh.hz_bin, 1)
    call_command("orders-allocate", "--retry-only", stdout=out)
    assert Order.objects.get(pk=order.pk).state == S.REVIEWED


def test_ord04_hold_of_a_reviewed_order_returns_to_review_and_is_allocated_again(od, org, wh):
    wh.put(wh.hz_bin, 1)
    order = paid(od, org, "HR1")
    review.auto_review(user=od.clerk)
    held = actions.hold(Order.objects.get(pk=order.pk), user=od.clerk, reason="买家改地址")
    assert held.allocation_state == "" and held.warehouse is None
    assert not Reservation.objects.filter(doc_id=str(order.pk), state="active").exists()
    actions.release_hold(held, user=od.clerk, reason="已改")
    review.auto_review(user=od.clerk)
    assert Order.objects.get(pk=order.pk).state == S.REVIEWED


WORKERS = 8


@pytest.mark.django_db(transaction=True)
def test_ord04_parallel_review_of_the_same_orders_never_oversells_then_stock_arrives(od, org, wh):
    """ORD-04: 8 workers each run automatic review over all 40 orders (1–3 units) at once, for 30 units
    in two warehouses: no oversell, the ledger verifies, every order ends allocated or waiting with no
    error; then stock arrives and the retry allocates the waiting ones oldest payment first."""
    wh.put(wh.hz_bin, 20)
    wh.put(wh.sh_bin, 10)
    ids = []
    for n in range(40):
        order = paid(od, org, f"PP{n:02d}", qty=1 + n % 3)
        Order.objects.filter(pk=order.pk).update(paid_at=at(2, 8) + timedelta(minutes=(n * 7) % 40))
        ids.append(order.pk)
    barrier = threading.Barrier(WORKERS)
    errors = []

    def worker():
        try:
            barrier.wait()
            review.auto_review(user=od.clerk)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    states = set(Order.objects.filter(pk__in=ids).values_list("state", "allocation_state"))
    assert states <= {(S.REVIEWED, "allocated"), (S.AWAITING_REVIEW, "waiting_stock")}
    reserved = sum(r.quantity for r in Reservation.objects.filter(state="active"))
    allocated = sum(o.lines.get().quantity for o in Order.objects.filter(pk__in=ids, state=S.REVIEWED))
    assert reserved == allocated <= 30 and reserved >= 28
    assert Reservation.objects.filter(state="active").values("doc_id").distinct().count() == \
        Order.objects.filter(pk__in=ids, state=S.REVIEWED).count()  # one order, one reservation set
    assert all(b.reserved <= b.on_hand for b in StockBalance.objects.all()) and not differences()

    waiting = list(Order.objects.filter(pk__in=ids, allocation_state="waiting_stock").order_by("paid_at", "pk"))
    need = [o.lines.get().quantity for o in waiting]
    assert waiting
    # Just enough for the earliest-paid waiting orders up to the half of them.
    half = max(1, len(waiting) // 2)
    wh.put(wh.hz_bin, sum(need[:half]))  # committed: the stock_arrived hook retries the queue at once
    now_reviewed = [o.pk for o in waiting if Order.objects.get(pk=o.pk).state == S.REVIEWED]
    assert now_reviewed[:half] == [o.pk for o in waiting[:half]]  # payment order first
    run = review.retry_waiting(user=od.clerk)  # the cron safety net finds nothing more to do
    assert run.reviewed == 0 and run.waiting == len(waiting) - len(now_reviewed)
    assert all(b.reserved <= b.on_hand for b in StockBalance.objects.all()) and not differences()


def test_ord03_batch_page_and_api_are_scoped(od, org, wh):
    import json

    wh.put(wh.hz_bin, 2)
    noted = paid(od, org, "SC1", merchant_note="加急")
    # Long enough never to turn up by chance inside a page's random CSRF token.
    other_no = "SCOPE-CLIENT-B-ORDER-0001"
    other = new_order(od.clerk_b, org.store_b1, other_no, lines=[LineInput(quantity=1, unit_price=Decimal("5.00"))])
    Order.objects.filter(pk=other.pk).update(state=S.AWAITING_REVIEW, paid_at=at(2), allocation_state="waiting_stock")
    review.auto_review(user=od.clerk)
    batch = review.take_batch(user=od.clerk)
    http = _http(od.clerk)
    # An order of another client is not there, in the batch page's actions and in the API.
    from django.urls import reverse

    assert http.post(reverse("orders:review_batch_act", args=[batch.pk]),
                     {"do": "approve", "order": other.pk}).status_code == 404
    assert http.post(f"/api/v1/orders/review/batches/{batch.pk}/orders/{other.pk}/approve").status_code == 404
    assert http.post(f"/api/v1/orders/review/batches/{batch.pk}/orders/{other.pk}/hold",
                     json.dumps({"reason": "x"}), content_type="application/json").status_code == 404
    assert other_no not in http.get(reverse("orders:review_waiting")).content.decode()
    assert [o["platform_order_no"] for o in http.get("/api/v1/orders/review/waiting").json()] == []
    assert [o["platform_order_no"] for o in _http(od.clerk_b).get("/api/v1/orders/review/waiting").json()] == [other_no]
    # Another client's clerk sees neither the batch page nor the batch in the API.
    assert _http(od.clerk_b).get(reverse("orders:review_batch", args=[batch.pk])).status_code == 404
    assert _http(od.clerk_b).post(f"/api/v1/orders/review/batches/{batch.pk}/orders/{noted.pk}/approve"
                                  ).status_code == 404
    assert Order.objects.get(pk=noted.pk).state == S.AWAITING_REVIEW


def test_ord03_rule_page_switches_and_edits_the_limit_with_history(od, org, wh):
    from django.urls import reverse

    from ecomops.org.models import Position  # noqa: F401 - positions are seeded with the rule rights

    from .conftest import CLERK, make_user

    boss = make_user("boss_a", *CLERK, "orders.change_reviewrule", "orders.view_reviewrule", client=org.client_a)
    rule = ReviewRule.objects.get(code=ReviewRuleCode.AMOUNT)
    url = reverse("orders:review_rule", args=[rule.pk])
    assert _http(od.clerk).get(url).status_code == 403  # no right to change the rules
    http = _http(boss)
    page = http.get(url).content.decode()
    assert "2000" in page and "ORD-03" in page
    bad = http.post(url, {"enabled": "on", "limit": "12.345"})
    assert bad.status_code == 200 and "两位小数" in bad.content.decode()
    assert http.post(url, {"enabled": "on", "limit": "500"}).status_code == 302
    rule.refresh_from_db()
    assert rule.params == {"limit": "500.00"} and rule.history.first().history_user == boss
    order = paid(od, org, "RL1", amount="600.00")
    wh.put(wh.hz_bin, 1)
    review.auto_review(user=od.clerk)
    assert Order.objects.get(pk=order.pk).review_reasons[0]["rule"] == ReviewRuleCode.AMOUNT
    http.post(url, {"limit": ""})  # switched off, back to the policy value
    rule.refresh_from_db()
    assert rule.enabled is False and rule.params == {} and rule.history.count() == 2
    other = ReviewRule.objects.get(code=ReviewRuleCode.NO_NOTES)
    with pytest.raises(Exception) as refused:
        review.update_rule(other, user=boss, limit="10")
    assert getattr(refused.value, "field", None) == "limit"


def test_ord03_batch_rows_cancel_and_change_address_through_htmx(od, org, wh):
    from urllib.parse import quote

    from django.urls import reverse

    wh.put(wh.hz_bin, 3)
    no_city = paid(od, org, "HX1", city="", buyer_message="改到公司")
    noted = paid(od, org, "HX2", merchant_note="赠品")
    review.auto_review(user=od.clerk)
    batch = review.take_batch(user=od.cs)
    http = _http(od.cs)
    act = reverse("orders:review_batch_act", args=[batch.pk])
    hx = {"HTTP_HX_REQUEST": "true"}
    page = http.get(reverse("orders:review_batch", args=[batch.pk])).content.decode()
    assert "<mark>" in page and "改到公司" in page  # notes and messages shown highlighted
    assert "13812345678" not in page and "hx-prompt" in page
    row = http.post(act, {"do": "address", "order": no_city.pk, "receiver_name": "李四",
                          "receiver_phone": "13900000000", "receiver_address": "解放路 8 号", "province": "浙江省",
                          "city": "杭州市"}, **hx)
    text = row.content.decode()
    assert row.status_code == 200 and text.startswith("<tr") and "收货地址已修改" in text and "13900000000" not in text
    changed = Order.objects.get(pk=no_city.pk)
    assert changed.city == "杭州市" and not any(r["rule"] == "address_complete" for r in changed.review_reasons)
    refused = http.post(act, {"do": "cancel", "order": noted.pk}, **hx).content.decode()
    assert "请填写取消原因" in refused and Order.objects.get(pk=noted.pk).state == S.AWAITING_REVIEW
    done = http.post(act, {"do": "cancel", "order": noted.pk}, HTTP_HX_PROMPT=quote("买家不要了"),
                     **hx).content.decode()
    cancelled = Order.objects.get(pk=noted.pk)  # htmx sends the prompt's answer percent-encoded
    assert "已取消" in done and cancelled.state == S.CANCELLED and cancelled.cancel_reason == "买家不要了"
    approved = http.post(act, {"do": "approve", "order": no_city.pk}, **hx).content.decode()
    assert "已审单" in approved and Order.objects.get(pk=no_city.pk).state == S.REVIEWED


def test_ord03_api_lists_batches_and_patches_the_limit(od, org, wh):
    import json

    from .conftest import CLERK, make_user

    paid(od, org, "AL1", merchant_note="x")
    review.auto_review(user=od.clerk)
    http = _http(od.clerk)
    taken = http.post("/api/v1/orders/review/batches").json()
    listed = http.get("/api/v1/orders/review/batches").json()
    assert [b["id"] for b in listed] == [taken["id"]] and listed[0]["size"] == 1
    assert _http(od.clerk_b).get("/api/v1/orders/review/batches").json() == []
    boss = make_user("boss_api", *CLERK, "orders.change_reviewrule", client=org.client_a)
    rule = ReviewRule.objects.get(code=ReviewRuleCode.AMOUNT)
    url = f"/api/v1/orders/review/rules/{rule.pk}"
    assert http.patch(url, json.dumps({"enabled": False}), content_type="application/json").status_code == 403
    ok = _http(boss).patch(url, json.dumps({"limit": "800.5"}), content_type="application/json")
    assert ok.status_code == 200 and ok.json()["params"] == {"limit": "800.50"} and ok.json()["enabled"] is True
    wrong = ReviewRule.objects.get(code=ReviewRuleCode.NO_NOTES)
    bad = _http(boss).patch(f"/api/v1/orders/review/rules/{wrong.pk}", json.dumps({"limit": "5"}),
                            content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "limit"

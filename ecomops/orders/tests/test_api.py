"""Orders API: scoped (404 out of scope), masked receiver with a logged reveal, transitions by the map,
payments with duplicates, refunds, reconciliation."""

from __future__ import annotations

from ecomops.audit.models import DueItem, PersonalDataAccess
from ecomops.orders import actions
from ecomops.orders.models import Order

from .conftest import pay


def test_dat02_api_lists_only_orders_in_scope(od, api):
    body = api(od.clerk).get("orders").json()
    assert sorted(row["platform_order_no"] for row in body["items"]) == ["JD2001", "TB1001"]
    body = api(od.store_clerk).get("orders").json()
    assert [row["platform_order_no"] for row in body["items"]] == ["TB1001"]
    row = body["items"][0]
    assert row["receiver"]["masked"] and row["receiver"]["phone"] == "138******78"
    assert row["paid_amount"] == "100.00"


def test_dat02_api_another_stores_order_is_404(od, api):
    for path in (f"orders/{od.a2.pk}", f"orders/{od.a2.pk}/events", f"orders/{od.a2.pk}/payments"):
        response = api(od.store_clerk).get(path)
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    response = api(od.store_clerk).post(f"orders/{od.a2.pk}/transitions", {"to": "on_hold", "reason": "x"})
    assert response.status_code == 404
    response = api(od.store_clerk).post("payments", {"store_id": od.a2.store_id, "platform_order_no": "JD2001",
                                                     "amount": "100.00", "method": "alipay",
                                                     "paid_at": "2026-03-02T10:00:00+08:00"})
    assert response.status_code in (400, 404) and response.json()["error"]["field"] == "store_id"


def test_crm03_api_reveal_needs_the_right_and_is_logged(od, api):
    assert api(od.clerk).get(f"orders/{od.a1.pk}", {"reveal": "true"}).status_code == 403
    detail = api(od.cs).get(f"orders/{od.a1.pk}").json()
    assert detail["receiver"]["masked"] and detail["lines"][0]["sku_code"] == "TEA-001-250"
    assert not PersonalDataAccess.objects.exists()
    plain = api(od.cs).get(f"orders/{od.a1.pk}", {"reveal": "true"}).json()
    assert plain["receiver"]["phone"] == "13812345678" and not plain["receiver"]["masked"]
    assert PersonalDataAccess.objects.count() == 1


def test_ord01_api_transitions_follow_the_map(od, api):
    client = api(od.clerk)
    refused = client.post(f"orders/{od.a1.pk}/transitions", {"to": "shipped"})
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "state"
    held = client.post(f"orders/{od.a1.pk}/transitions", {"to": "on_hold", "reason": "缺货"})
    assert held.status_code == 200 and held.json()["state"] == "on_hold"
    released = client.post(f"orders/{od.a1.pk}/transitions", {"to": "placed", "reason": "到货"})
    assert released.status_code == 200 and released.json()["state"] == "placed"
    events = client.get(f"orders/{od.a1.pk}/events").json()
    assert [e["kind"] for e in events] == ["created", "held", "released"]


def test_ord07_api_duplicate_payment_and_refund(od, api):
    client = api(od.clerk)
    body = {"store_id": od.a1.store_id, "platform_order_no": "TB1001", "amount": "100.00", "method": "alipay",
            "paid_at": "2026-03-02T10:05:00+08:00", "transaction_no": "T1"}
    first = client.post("payments", body)
    assert first.status_code == 201 and not first.json()["is_duplicate"]
    second = client.post("payments", {**body, "transaction_no": "T2"})
    assert second.status_code == 201 and second.json()["is_duplicate"]
    assert DueItem.objects.filter(kind=actions.REFUND_DUE_KIND).exists()
    again = client.post("payments", body)
    assert again.status_code == 409 and again.json()["error"]["field"] == "transaction_no"
    rec = client.get("payments/reconciliation").json()
    assert rec["unrefunded_duplicates"] == [second.json()["id"]]
    refund = client.post(f"orders/{od.a1.pk}/refunds", {"amount": "100.00", "source": "duplicate_payment",
                                                        "reason": "退重复付款", "payment_id": second.json()["id"]})
    assert refund.status_code == 201, refund.content
    assert client.get("payments/reconciliation").json()["unrefunded_duplicates"] == []
    too_much = client.post(f"orders/{od.a1.pk}/refunds", {"amount": "100.01", "source": "other", "reason": "x"})
    assert too_much.status_code == 400 and too_much.json()["error"]["field"] == "amount"


def test_ord09_api_confirm_and_late_filter(od, api):
    pay(od.clerk, od.a1)
    Order.objects.filter(pk=od.a1.pk).update(confirm_late=True)
    rows = api(od.cs).get("orders", {"late": "true"}).json()["items"]
    assert [r["platform_order_no"] for r in rows] == ["TB1001"] and rows[0]["confirm_late"]
    confirmed = api(od.cs).post(f"orders/{od.a1.pk}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["confirmed_at"]

"""LOG-04 / LAW-06: cross-border declarations with the three matched documents and the customs receipts."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from ecomops.audit.models import DueItem
from ecomops.core.errors import BusinessError, NotAllowed
from ecomops.logistics import customs
from ecomops.logistics.models import CustomsReceipt, CustomsStatus
from ecomops.orders import actions as order_actions
from ecomops.orders.models import Order, OrderEvent
from ecomops.orders.tests.conftest import make_user

SH = ZoneInfo("Asia/Shanghai")
LINE = customs.LineIn(hs_code="0902109000", name="绿茶", quantity=1, unit_price=Decimal("100.00"), origin="中国")


@pytest.fixture
def cb(od, org):
    d = type("CB", (), {})()
    d.od = od
    d.user = make_user("customs_a", "logistics.declare_customs", "orders.view_order", client=org.client_a)
    d.user_b = make_user("customs_b", "logistics.declare_customs", "orders.view_order", client=org.client_b)
    order_actions.record_payment(user=od.clerk, store=org.store_a1, platform_order_no="TB1001", amount="100.00",
                                 method="alipay", paid_at=datetime(2026, 11, 2, 10, tzinfo=SH), transaction_no="PAY-1")
    Order.objects.filter(pk=od.a1.pk).update(courier="sf_express", tracking_no="SF100")
    d.order = Order.objects.get(pk=od.a1.pk)
    return d


def test_a_declaration_needs_the_three_matched_documents(cb, org, od):
    """LAW-06: order, payment and waybill; without the payment or the waybill it is refused, naming it."""
    Order.objects.filter(pk=od.a2.pk).update(courier="", tracking_no="")
    with pytest.raises(BusinessError) as refused:
        customs.declare(Order.objects.get(pk=od.a2.pk), user=cb.user, mode="9610", destination="美国", lines=[LINE])
    assert "支付单" in refused.value.message and "运单" in refused.value.message
    declaration = customs.declare(cb.order, user=cb.user, mode="9610", destination="美国", lines=[LINE])
    assert (declaration.payment_no, declaration.tracking_no, declaration.status) == ("PAY-1", "SF100", "declared")
    assert declaration.total == Decimal("100.00") and declaration.lines.count() == 1
    assert OrderEvent.objects.filter(order=cb.order, note__contains=declaration.number).exists()


@pytest.mark.parametrize(("change", "words"), [
    ({"hs_code": "09021"}, "10 位数字"), ({"quantity": 0}, "数量"), ({"unit_price": Decimal("-1")}, "单价"),
    ({"origin": " "}, "原产国"), ({"unit_price": Decimal("99.99")}, "不一致"),
])
def test_a_bad_declaration_list_is_refused_naming_the_line(cb, change, words):
    line = customs.LineIn(**{**LINE.__dict__, **change})
    with pytest.raises(BusinessError, match=words):
        customs.declare(cb.order, user=cb.user, mode="9610", destination="美国", lines=[line])
    with pytest.raises(BusinessError, match="监管方式"):
        customs.declare(cb.order, user=cb.user, mode="0110", destination="美国", lines=[LINE])


def test_receipts_move_the_status_once_each_and_detention_raises_a_due_item(cb):
    """LAW-06 codes: 120 → 500 → 501 (detained: due item to the owner) → 800 released (due item done);
    the same receipt twice is kept once; an older receipt is history only."""
    declaration = customs.declare(cb.order, user=cb.user, mode="9610", destination="美国", lines=[LINE])
    t0 = datetime(2026, 11, 3, 9, tzinfo=SH)
    for n, status in enumerate(("120", "500", "501")):
        customs.record_receipt(declaration, user=cb.user, status=status, at=t0 + timedelta(hours=n), note="x")
    assert not customs.record_receipt(declaration, user=cb.user, status="501", at=t0 + timedelta(hours=2),
                                      note="x").recorded
    declaration.refresh_from_db()
    assert declaration.status == CustomsStatus.DETAINED_CLEARANCE
    due = DueItem.objects.get(kind=customs.DUE_KIND, source_id=declaration.pk)
    assert due.owner == cb.user and due.done_at is None and "扣留" in due.title
    customs.record_receipt(declaration, user=cb.user, status="300", at=t0 - timedelta(hours=1))
    declaration.refresh_from_db()
    assert declaration.status == CustomsStatus.DETAINED_CLEARANCE  # older: history only
    customs.record_receipt(declaration, user=cb.user, status="800", at=t0 + timedelta(days=1))
    declaration.refresh_from_db()
    due.refresh_from_db()
    assert declaration.status == CustomsStatus.RELEASED and due.done_at is not None
    assert CustomsReceipt.objects.filter(declaration=declaration).count() == 5


def test_a_returned_parcel_raises_a_due_item_and_bad_codes_are_refused(cb):
    declaration = customs.declare(cb.order, user=cb.user, mode="1210", destination="日本", lines=[LINE])
    with pytest.raises(BusinessError, match="回执状态无效"):
        customs.record_receipt(declaration, user=cb.user, status="123")
    customs.record_receipt(declaration, user=cb.user, status="700", note="收件人拒收")
    assert "退运" in DueItem.objects.get(kind=customs.DUE_KIND, source_id=declaration.pk).title


def test_another_clients_order_and_declaration_are_out_of_reach(cb):
    with pytest.raises(NotAllowed):
        customs.declare(cb.order, user=cb.user_b, mode="9610", destination="美国", lines=[LINE])
    declaration = customs.declare(cb.order, user=cb.user, mode="9610", destination="美国", lines=[LINE])
    with pytest.raises(NotAllowed):
        customs.record_receipt(declaration, user=cb.user_b, status="800")


def test_customs_pages_and_api_in_scope(cb, org):
    import json

    from django.test import Client as HttpClient

    from ecomops.apiutil.tokens import issue_token
    from ecomops.inventory.tests.conftest import give

    give(cb.user, "logistics.view_customsdeclaration")
    give(cb.user_b, "logistics.view_customsdeclaration")
    api = HttpClient(HTTP_AUTHORIZATION=f"Bearer {issue_token(user=cb.user, name='t').plain}")
    line = {"hs_code": "0902109000", "name": "绿茶", "quantity": 1, "unit_price": "100.00", "origin": "中国"}
    made = api.post("/api/v1/logistics/customs", json.dumps({"order_id": cb.order.pk, "mode": "9610",
                                                             "destination": "美国", "lines": [line]}),
                    content_type="application/json")
    assert made.status_code == 201, made.content
    declaration_id = made.json()["id"]
    bad = api.post(f"/api/v1/logistics/customs/{declaration_id}/receipts", json.dumps({"status": "123"}),
                   content_type="application/json")
    assert bad.status_code == 422
    done = api.post(f"/api/v1/logistics/customs/{declaration_id}/receipts", json.dumps({"status": "800"}),
                    content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "800"
    theirs = HttpClient(HTTP_AUTHORIZATION=f"Bearer {issue_token(user=cb.user_b, name='t').plain}")
    assert theirs.get(f"/api/v1/logistics/customs/{declaration_id}").status_code == 404
    browser = HttpClient()
    browser.force_login(cb.user)
    assert "美国" in browser.get("/logistics/customs/").content.decode()
    assert browser.get(f"/logistics/customs/{declaration_id}/").status_code == 200
    browser.force_login(cb.user_b)
    assert browser.get(f"/logistics/customs/{declaration_id}/").status_code == 404

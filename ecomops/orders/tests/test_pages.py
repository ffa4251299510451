"""Order pages: scoped list and detail (DAT-02: out of scope is 404, a store-only grantee sees that
store's orders only), masked receiver with a logged reveal (LAW-04, CRM-03), ORD-09 flag, ORD-06
content, lifecycle buttons, PAY-01 reconciliation."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from ecomops.audit.models import PersonalDataAccess
from ecomops.orders.enums import OrderState
from ecomops.orders.models import Order

from .conftest import make_user, pay


def http(user):
    client = HttpClient()
    client.force_login(user)
    return client


def test_dat02_order_list_shows_only_orders_in_scope(od):
    body = http(od.clerk).get(reverse("orders:orders")).content.decode()
    assert "TB1001" in body and "JD2001" in body and "TB9001" not in body
    body = http(od.store_clerk).get(reverse("orders:orders")).content.decode()
    assert "TB1001" in body and "JD2001" not in body and "TB9001" not in body


def test_order_list_filters_by_store_state_and_exception(od, org):
    client = http(od.clerk)
    body = client.get(reverse("orders:orders"), {"store": org.store_a2.pk}).content.decode()
    assert "JD2001" in body and "TB1001" not in body
    pay(od.clerk, od.a1)
    body = client.get(reverse("orders:orders"), {"state": "paid"}).content.decode()
    assert "TB1001" in body and "JD2001" not in body
    body = http(od.clerk_b).get(reverse("orders:orders"), {"exception": "1"}).content.decode()
    assert "TB9001" in body  # unmatched line: on hold
    assert client.get(reverse("orders:orders"), {"from": "bad", "store": "x"}).status_code == 200


@pytest.mark.parametrize("name", ["orders:order_detail", "orders:order_reveal", "orders:order_act"])
def test_dat02_another_stores_order_is_404(od, name):
    url = reverse(name, args=[od.a2.pk])
    client = http(od.store_clerk)
    response = client.get(url) if name == "orders:order_detail" else client.post(url, {"act": "hold", "reason": "x"})
    assert response.status_code == 404
    assert http(od.clerk_b).get(reverse("orders:order_detail", args=[od.a1.pk])).status_code == 404
    assert Order.objects.get(pk=od.a2.pk).state == OrderState.PLACED


def test_pages_need_the_view_permission(od, org):
    nobody = make_user("no_perm", client=org.client_a)
    assert http(nobody).get(reverse("orders:orders")).status_code == 403
    assert http(nobody).get(reverse("orders:reconciliation")).status_code == 403


def test_law04_detail_masks_the_receiver_and_reveal_is_logged(od):
    url = reverse("orders:order_detail", args=[od.a1.pk])
    for user in (od.clerk, od.cs):
        body = http(user).get(url).content.decode()
        assert "13812345678" not in body and "138******78" in body and "502 室" not in body
        assert ('data-testid="reveal"' in body) == (user == od.cs)
    assert not PersonalDataAccess.objects.exists()
    refused = http(od.clerk).post(reverse("orders:order_reveal", args=[od.a1.pk]))
    assert refused.status_code == 403 and not PersonalDataAccess.objects.exists()
    shown = http(od.cs).post(reverse("orders:order_reveal", args=[od.a1.pk]), HTTP_HX_REQUEST="true")
    body = shown.content.decode()
    assert shown.status_code == 200 and "13812345678" in body and "502 室" in body
    assert PersonalDataAccess.objects.filter(user=od.cs, object_id=str(od.a1.pk)).count() == 1


def test_ord06_detail_shows_the_confirmation_content_and_ord09_flag(od):
    pay(od.clerk, od.a1)
    Order.objects.filter(pk=od.a1.pk).update(confirm_late=True)
    body = http(od.cs).get(reverse("orders:order_detail", args=[od.a1.pk])).content.decode()
    assert 'data-testid="confirmation"' in body and "绿茶" in body and "2026-03-02" in body
    assert 'data-testid="late-flag"' in body and "13812345678" not in body
    listing = http(od.cs).get(reverse("orders:orders"), {"late": "1"}).content.decode()
    assert "TB1001" in listing and "JD2001" not in listing


def test_detail_buttons_confirm_hold_and_refuse_with_a_message(od):
    pay(od.clerk, od.a1)
    client = http(od.cs)
    url = reverse("orders:order_act", args=[od.a1.pk])
    client.post(url, {"act": "confirm"})
    assert Order.objects.get(pk=od.a1.pk).confirmed_at is not None
    response = client.post(url, {"act": "hold", "reason": ""}, follow=True)
    assert "请填写挂起原因" in response.content.decode()
    client.post(url, {"act": "hold", "reason": "地址不全"})
    assert Order.objects.get(pk=od.a1.pk).state == OrderState.ON_HOLD
    viewer = make_user("viewer", "orders.view_order", client=od.a1.store.client)
    assert http(viewer).post(url, {"act": "cancel", "reason": "x"}).status_code == 403


def test_pay01_reconciliation_page_lists_the_three_kinds_in_scope(od, org):
    pay(od.clerk, od.a1, amount="80.00", txn="T1")
    from ecomops.orders import actions

    actions.record_payment(user=od.clerk, store=org.store_a1, platform_order_no="NOPE", amount="5.00",
                           method="alipay", paid_at=od.a1.placed_at, transaction_no="T2")
    actions.record_payment(user=od.clerk_b, store=org.store_b1, platform_order_no="NOPE-B", amount="5.00",
                           method="alipay", paid_at=od.a1.placed_at, transaction_no="TB")
    body = http(od.clerk).get(reverse("orders:reconciliation")).content.decode()
    assert "JD2001" in body and "NOPE" in body and "TB1001" in body and "NOPE-B" not in body
    assert "TB9001" not in body


def test_a_shipped_completed_or_cancelled_order_offers_no_confirmation(od):
    """Issue 15: 确认订单 is offered while the order is still open; once it is shipped, completed or
    cancelled the button is gone (the action would refuse a cancelled one anyway)."""
    pay(od.clerk, od.a1)
    url = reverse("orders:order_detail", args=[od.a1.pk])
    assert 'data-testid="act-confirm"' in http(od.cs).get(url).content.decode()
    for state in (OrderState.SHIPPED, OrderState.COMPLETED, OrderState.CANCELLED, OrderState.ON_HOLD):
        Order.objects.filter(pk=od.a1.pk).update(state=state)
        assert 'data-testid="act-confirm"' not in http(od.cs).get(url).content.decode(), state

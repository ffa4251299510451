"""Fixtures of the order tests: an order clerk, a customer-service agent with the personal-data right,
a finance officer and an after-sales agent for client A, a store-only clerk for store A1, orders of
stores A1, A2 and B1."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client as HttpClient

from ecomops.catalog.models import SKU, PlatformSKU, Style
from ecomops.orders import actions
from ecomops.orders.actions import LineInput
from ecomops.org.models import ClientGrant, Department, Position, Staff, StaffPosition, StoreGrant

SH = ZoneInfo("Asia/Shanghai")

VIEW = ("orders.view_order", "orders.view_payment", "orders.view_refund", "orders.view_orderevent")
CLERK = (*VIEW, "orders.add_order", "orders.change_order", "orders.review_order", "orders.hold_order",
         "orders.cancel_order", "orders.ship_order", "orders.confirm_order", "orders.add_payment",
         "orders.add_refund")
PERSONAL = "orders.view_buyer_personal"


def at(day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SH)


def make_user(username: str, *perms: str, client=None, store=None, position: str | None = None):
    user = get_user_model().objects.create_user(username=username, password="x")
    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    if client is not None:
        ClientGrant.objects.create(user=user, client=client)
    if store is not None:
        StoreGrant.objects.create(user=user, store=store)
    if position is not None:
        staff = Staff.objects.create(user=user, employee_no=f"E{user.pk:04d}", name=username,
                                     department=Department.objects.get(code="ecom"), hired_on=at(1).date())
        StaffPosition.objects.create(staff=staff, position=Position.objects.get(code=position), is_primary=True)
    return get_user_model().objects.get(pk=user.pk)


def new_order(user, store, number: str, *, placed_at=None, amount="100.00", lines=None, **fields):
    lines = lines or [LineInput(quantity=1, unit_price=Decimal(amount), platform_sku_code="P-1", title="绿茶")]
    fields.setdefault("receiver_name", "张三丰")
    fields.setdefault("receiver_phone", "13812345678")
    fields.setdefault("receiver_address", "文三路 100 号 3 单元 502 室")
    fields.setdefault("province", "浙江省")
    fields.setdefault("city", "杭州市")
    fields.setdefault("buyer_nick", "tea_lover")
    return actions.create_order(user=user, store=store, platform_order_no=number, placed_at=placed_at or at(2),
                                lines=lines, **fields)


@pytest.fixture
def od(org):
    class Data:
        pass

    d = Data()
    d.clerk = make_user("clerk_a", *CLERK, client=org.client_a)
    d.cs = make_user("cs_a", *CLERK, PERSONAL, client=org.client_a, position="sales_cs")
    d.finance = make_user("fin_a", *VIEW, "orders.add_refund", client=org.client_a, position="finance_officer")
    d.after_sales = make_user("afs_a", *VIEW, "orders.add_refund", client=org.client_a, position="after_sales")
    d.after_sales_b = make_user("afs_b", *VIEW, client=org.client_b, position="after_sales")
    d.store_clerk = make_user("clerk_a1", *CLERK, PERSONAL, store=org.store_a1)
    d.clerk_b = make_user("clerk_b", *CLERK, PERSONAL, client=org.client_b)
    d.style = Style.objects.create(client=org.client_a, style_no="TEA-001", name="西湖龙井 250g",
                                   unit_cost=Decimal("80.00"), price=Decimal("100.00"))
    d.sku = SKU.objects.create(client=org.client_a, style=d.style, sku_code="TEA-001-250", colour="", size="250g",
                               barcode="2000000000015", barcode_source="external")
    PlatformSKU.objects.create(store=org.store_a1, sku=d.sku, platform_sku_code="P-1")
    PlatformSKU.objects.create(store=org.store_a2, sku=d.sku, platform_sku_code="P-1")
    d.a1 = new_order(d.clerk, org.store_a1, "TB1001")
    d.a2 = new_order(d.clerk, org.store_a2, "JD2001")
    d.b1 = new_order(d.clerk_b, org.store_b1, "TB9001", lines=[LineInput(quantity=1, unit_price=Decimal("50.00"),
                                                                         title="T恤")])
    return d


@pytest.fixture
def wh(od, org):
    """Two warehouses (HZ routed as store A1's default, SH not routed) with one sellable bin each, and
    ``put(bin, quantity, sku=None)`` to book stock in (ORD-04)."""
    from ecomops.inventory import actions as stock_actions
    from ecomops.inventory.enums import DocKind
    from ecomops.inventory.ledger import DocRef, Move, post_moves
    from ecomops.orders.models import StoreWarehouse

    w = type("W", (), {})()
    w.hz = stock_actions.create_warehouse(user=org.admin, code="HZ", name="杭州仓")
    w.sh = stock_actions.create_warehouse(user=org.admin, code="SH", name="上海仓")
    w.hz_bin = stock_actions.create_bin(w.hz, user=org.admin, code="A-01")
    w.sh_bin = stock_actions.create_bin(w.sh, user=org.admin, code="B-01")
    StoreWarehouse.objects.create(store=org.store_a1, warehouse=w.hz, priority=1)

    def put(bin_, quantity, sku=None):
        sku = sku or od.sku
        doc = DocRef(kind=DocKind.OPENING, id=f"O{bin_.pk}-{quantity}", number="OPEN")
        lot = stock_actions.open_lot(client=sku.client, source=doc)
        post_moves([Move(sku_id=sku.pk, lot_id=lot.pk, quantity=quantity, to_bin=bin_)], doc=doc, user=org.admin)

    w.put = put
    return w


def pay(user, order, *, amount=None, txn="", paid_at=None, status="success", failure_reason=""):
    return actions.record_payment(user=user, store=order.store, platform_order_no=order.platform_order_no,
                                  amount=order.paid_amount if amount is None else amount, method="alipay",
                                  paid_at=paid_at or at(2, 10, 5), transaction_no=txn, status=status,
                                  failure_reason=failure_reason)


class Api:
    def __init__(self, user):
        self.http = HttpClient()
        if user is not None:
            self.http.force_login(user)

    def _url(self, path: str) -> str:
        return path if path.startswith("/") else f"/api/v1/{path}"

    def get(self, path, params=None):
        return self.http.get(self._url(path), params or {})

    def post(self, path, body=None):
        return self.http.post(self._url(path), json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def api():
    return Api


__all__ = ["at", "make_user", "new_order", "pay", "timedelta"]

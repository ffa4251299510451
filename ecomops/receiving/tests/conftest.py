"""Fixtures of receiving: the warehouse core's ``stock`` world, a supplier of client A, a confirmed
purchase order, and the people of WMS-01…05: a receiver, a warehouse supervisor, a QC inspector and a
keeper who puts away, all granted client A; staff in the GM office and sales for the due items."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.test import Client as HttpClient

from ecomops.inventory.tests.conftest import give, make_sku, stock  # noqa: F401
from ecomops.org.actions import hire_staff
from ecomops.org.models import ClientGrant, Department, Position
from ecomops.receiving import actions
from ecomops.suppliers.models import Supplier
from ecomops.supply.purchasing import POItem, create_purchase_order

VIEW = ("receiving.view_receipt", "supply.view_purchaseorder", "inventory.view_warehouse")
RECEIVER = (*VIEW, "receiving.add_receipt", "receiving.change_receipt", "receiving.sign_receipt")
SUPERVISOR = (*VIEW, "receiving.approve_receipt", "receiving.book_receipt", "receiving.change_receipt")
INSPECTOR = (*VIEW, "receiving.inspect_receipt")
KEEPER = (*VIEW, "receiving.putaway_receipt")


def person(username, *perms, client=None, position=None, department="warehouse", admin=None):
    if position is not None:
        number = username.upper().replace("_", "")[:20]
        staff = hire_staff(user=admin, username=username, name=username, employee_no=number,
                           department=Department.objects.get(code=department), hired_on=date(2024, 1, 1),
                           positions=[Position.objects.get(code=position)], password="Test-Passw0rd!")
        user = staff.user
    else:
        user = get_user_model().objects.create_user(username=username, password="Test-Passw0rd!")
    give(user, *perms)
    if client is not None:
        ClientGrant.objects.create(user=user, client=client)
    return get_user_model().objects.get(pk=user.pk)


class World:
    def po(self, *lines, confirm=True, supplier=None, client=None):
        """A purchase order of (sku, quantity) lines."""
        return create_purchase_order(
            user=self.stock.admin, client=client or self.stock.org.client_a, supplier=supplier or self.supplier,
            warehouse=self.stock.wh, confirm=confirm, lines=[POItem(sku, qty) for sku, qty in lines],
        )

    def receipt(self, order, *lines, note_no="DN-001"):
        """A draft receipt of (sku, noted, counted[, reason]) lines."""
        receipt = actions.create_receipt(user=self.receiver, purchase_order=order, delivery_note_no=note_no)
        for sku, noted, counted, *reason in lines:
            actions.set_line(receipt, user=self.receiver, sku=sku, noted_quantity=noted, counted_quantity=counted,
                             reason=reason[0] if reason else "")
        return receipt

    def booked(self, *lines):
        """A receipt of (sku, quantity) lines against a fresh order, signed and booked."""
        order = self.po(*lines)
        receipt = self.receipt(order, *[(sku, qty, qty) for sku, qty in lines])
        actions.sign_receipt(receipt, user=self.receiver, role="receiver")
        actions.sign_receipt(receipt, user=self.supervisor, role="supervisor")
        return actions.book_receipt(receipt, user=self.supervisor)

    def line(self, receipt, sku):
        return receipt.lines.get(sku=sku)

    def refresh(self, receipt):
        receipt.refresh_from_db()
        return receipt


@pytest.fixture
def rc(stock):  # noqa: F811
    w = World()
    w.stock = stock
    org = stock.org
    w.supplier = Supplier.objects.create(code="SUP1", name="杭州服装厂", client=org.client_a, created_by=stock.admin)
    w.supplier_b = Supplier.objects.create(code="SUPB", name="乙服装厂", client=org.client_b, created_by=stock.admin)
    w.receiver = person("receiver", *RECEIVER, client=org.client_a)
    w.supervisor = person("wh_boss", *SUPERVISOR, client=org.client_a)
    w.inspector = person("inspector", *INSPECTOR, client=org.client_a)
    w.keeper = person("putter", *KEEPER, client=org.client_a)
    w.receiver_b = person("receiver_b", *RECEIVER, *SUPERVISOR, *INSPECTOR, *KEEPER, client=org.client_b)
    w.gm = person("gm", client=None, position="general_manager", department="gm_office", admin=stock.admin)
    w.sales = person("sales_a", client=org.client_a, position="sales_cs", department="ecom", admin=stock.admin)
    w.sales_b = person("sales_b", client=org.client_b, position="sales_cs", department="ecom", admin=stock.admin)
    w.wh_clerk = person("wh_clerk", position="warehouse_clerk", admin=stock.admin)
    w.sku, w.sku2 = stock.sku, stock.sku2
    w.new_sku = make_sku(org.client_a, "COAT9", "红", "S")
    return w


class Api:
    def __init__(self, user):
        self.http = HttpClient()
        if user is not None:
            self.http.force_login(user)

    def _url(self, path):
        return path if path.startswith("/") else f"/api/v1/{path}"

    def get(self, path, params=None):
        return self.http.get(self._url(path), params or {})

    def post(self, path, body=None):
        return self.http.post(self._url(path), json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def api():
    return Api

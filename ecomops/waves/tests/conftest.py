"""Fixtures of the wave tests (FUL-01): warehouse HZ with zones and bins in a known walking order,
three SKUs of client A each in its own bin, and printed ship batches of reviewed orders whose stock the
ledger reserved (ORD-04/05)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ecomops.catalog.models import SKU, PlatformSKU
from ecomops.dispatch import actions as dispatch
from ecomops.inventory import actions as stock_actions
from ecomops.orders import actions as order_actions
from ecomops.orders import review
from ecomops.orders.actions import LineInput
from ecomops.orders.enums import AllocationState, OrderState
from ecomops.orders.models import Order
from ecomops.orders.tests.conftest import CLERK, at, make_user, new_order, od, wh  # noqa: F401

PICKER = ("waves.view_wave", "waves.add_wave", "waves.pick_wave", "waves.change_wave", "orders.view_order",
          "orders.hold_order", "stockops.add_countsheet", "stockops.view_countsheet", "dispatch.view_shipbatch")


@pytest.fixture
def floor(od, org, wh):  # noqa: F811
    """Bins: A-01-05 (zone A, aisle 1), A-02-01 (zone A, aisle 2), B-01-01 (zone B, aisle 1).
    SKUs: tea (P-1) in A-02-01, cup (P-2) in B-01-01, pot (P-3) in A-01-05; 50 units each."""
    f = type("Floor", (), {})()
    zone_a = stock_actions.create_zone(wh.hz, user=org.admin, code="A", name="A区")
    zone_b = stock_actions.create_zone(wh.hz, user=org.admin, code="B", name="B区")
    f.b_b = stock_actions.create_bin(wh.hz, user=org.admin, code="B-01-01", zone=zone_b, pick_order=1)
    f.b_a2 = stock_actions.create_bin(wh.hz, user=org.admin, code="A-02-01", zone=zone_a, pick_order=2)
    f.b_a1 = stock_actions.create_bin(wh.hz, user=org.admin, code="A-01-05", zone=zone_a, pick_order=1)
    f.tea = od.sku
    f.cup = SKU.objects.create(client=org.client_a, style=od.style, sku_code="CUP-01", colour="", size="L",
                               barcode="2000000000022", barcode_source="external")
    f.pot = SKU.objects.create(client=org.client_a, style=od.style, sku_code="POT-01", colour="", size="M",
                               barcode="2000000000039", barcode_source="external")
    for sku, code in ((f.cup, "P-2"), (f.pot, "P-3")):
        PlatformSKU.objects.create(store=org.store_a1, sku=sku, platform_sku_code=code)
    wh.put(f.b_a2, 50, f.tea)
    wh.put(f.b_b, 50, f.cup)
    wh.put(f.b_a1, 50, f.pot)
    f.printer = make_user("printer", *CLERK, "dispatch.view_shipbatch", "dispatch.print_shipbatch",
                          client=org.client_a)
    f.picker = make_user("picker", *PICKER, client=org.client_a)
    f.wh = wh
    return f


def reviewed(od, org, number, items, *, store=None, user=None):  # noqa: F811
    """A paid order reviewed by the automatic review: its stock is reserved (ORD-04). ``items`` is
    {platform SKU code: quantity}."""
    lines = [LineInput(quantity=q, unit_price=Decimal("10.00"), platform_sku_code=code) for code, q in items.items()]
    user = user or od.clerk
    order = new_order(user, store or org.store_a1, number, lines=lines)
    order_actions.mark_paid(order, user=user, paid_at=at(2, 10))
    review.auto_review([order.pk], user=user)
    order = Order.objects.get(pk=order.pk)
    assert order.state == OrderState.REVIEWED and order.allocation_state == AllocationState.ALLOCATED, number
    return order


def printed_batch(orders, *, printer):
    """The orders in one ship batch, printed (awaiting shipment)."""
    for order in orders:
        dispatch.assign(order, at=at(2, 11))
    batch = Order.objects.get(pk=orders[0].pk).ship_entry.batch
    dispatch.print_batch(batch, user=printer)
    return batch

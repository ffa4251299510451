"""Fixtures of the packing station tests: the order tests' clients, stores and warehouses (``od``,
``wh``), a packer of client A holding the station's rights, a carton in stock at HZ, and ``ready(no)``
making an order of store A1 awaiting shipment with its stock reserved, a courier and a tracking number
(what review, the ship batch's print and the waybill give it)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ecomops.orders import actions, review
from ecomops.orders.actions import LineInput
from ecomops.orders.enums import AllocationState, OrderState
from ecomops.orders.models import Order
from ecomops.orders.tests.conftest import at, make_user, new_order, od, wh  # noqa: F401
from ecomops.supply.models import PackagingMaterial
from ecomops.supply.packaging import create_packaging_receipt, post_packaging_receipt

STATION = ("fulfilment.view_packcheck", "fulfilment.verify_order", "fulfilment.pack_order",
           "fulfilment.weigh_parcel", "fulfilment.view_handover", "fulfilment.add_handover",
           "fulfilment.scan_out_handover", "orders.view_order", "orders.ship_order",
           "supply.add_packagingmove", "supply.view_packagingmaterial")


@pytest.fixture
def st(od, org, wh):  # noqa: F811
    """The station's world: 30 units of TEA-001-250 (250 g each) at HZ, a 100 g carton (20 in stock)."""
    s = type("Station", (), {})()
    s.od, s.org, s.wh = od, org, wh
    od.sku.weight_g = 250
    od.sku.save(update_fields=["weight_g"])
    wh.put(wh.hz_bin, 30)
    s.packer = make_user("packer_a", *STATION, client=org.client_a)
    s.packer_b = make_user("packer_b", *STATION, client=org.client_b)
    s.carton = PackagingMaterial.objects.create(code="BOX-1", name="一号纸箱", unit="个", weight_g=100)
    receipt = create_packaging_receipt(user=org.admin, warehouse=wh.hz, lines=[(s.carton, 20)])
    post_packaging_receipt(receipt, user=org.admin)

    def ready(number, *, qty=2, courier="sf_express", tracking=None, lines=None):
        lines = lines or [LineInput(quantity=qty, unit_price=Decimal("10.00"), platform_sku_code="P-1")]
        order = new_order(od.clerk, org.store_a1, number, lines=lines, courier=courier)
        actions.mark_paid(order, user=od.clerk, paid_at=at(2, 10))
        review.auto_review([order.pk], user=od.clerk)
        order = actions.release_to_shipping(Order.objects.get(pk=order.pk), user=od.clerk)
        Order.objects.filter(pk=order.pk).update(tracking_no=tracking if tracking is not None else f"SF{number}")
        order = Order.objects.get(pk=order.pk)
        assert order.state == OrderState.AWAITING_SHIPMENT
        assert order.allocation_state == AllocationState.ALLOCATED
        return order

    s.ready = ready
    return s

"""``ecomops demo --orders N``: synthetic order sets for the benchmarks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from ecomops.catalog.models import SKU, Style
from ecomops.demo.orders import build_bulk_orders
from ecomops.orders.models import Order, OrderLine
from ecomops.org.models import Store


@pytest.fixture
def shop(org):
    Store.objects.filter(pk__in=[org.store_a1.pk, org.store_b1.pk]).update(status="active")
    for client, code in ((org.client_a, "A"), (org.client_b, "B")):
        style = Style.objects.create(client=client, style_no=f"S-{code}", name="演示款", unit_cost=Decimal("10"),
                                     price=Decimal("39.90"))
        for size in ("M", "L"):
            SKU.objects.create(client=client, style=style, sku_code=f"S-{code}-{size}", size=size,
                               barcode=f"69{client.pk:03d}{size}", barcode_source="external")
    return org


def test_bulk_orders_are_whole_orders_in_chunks(shop, monkeypatch):
    monkeypatch.setattr("ecomops.demo.orders.CHUNK", 7)
    seen = []
    made = build_bulk_orders(30, progress=lambda done, total: seen.append((done, total)))
    assert made == 30 and Order.objects.count() == 30
    assert seen == [(7, 30), (14, 30), (21, 30), (28, 30), (30, 30)]
    for order in Order.objects.prefetch_related("lines"):
        lines = list(order.lines.all())
        assert 1 <= len(lines) <= 3
        assert order.goods_amount == sum(line.amount for line in lines) == order.paid_amount
        assert all(line.sku.client_id == order.store.client_id for line in lines)
        assert order.receiver_phone.startswith("1") and order.phone_hash  # decrypted on read
    # Stores of the second client get orders too, and a second run continues the numbering.
    assert Order.objects.filter(store=shop.store_b1).exists()
    build_bulk_orders(5)
    assert Order.objects.count() == 35 and Order.objects.filter(platform_order_no="BULK000000035").exists()
    assert OrderLine.objects.aggregate(n=Sum("quantity"))["n"] >= 35


def test_demo_command_refuses_a_negative_count(db):
    with pytest.raises(CommandError):
        call_command("demo", orders=-1)

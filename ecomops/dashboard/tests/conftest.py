"""A small hand-built set of orders (DAT-01): clients A (stores A1 on Taobao, A2 on JD) and B (store B1
on Taobao), orders paid on both sides of midnight Asia/Shanghai, refunds, shipments and the queues.
Every figure the tests expect is computed by hand in the test's comments."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from ecomops.catalog.models import SKU, Style
from ecomops.orders.enums import AllocationState, OrderState, RefundSource
from ecomops.orders.models import Order, OrderLine, Refund

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 20, 0, tzinfo=SH)


def at(day: int, hour: int = 10, minute: int = 0, second: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=SH)


def order(store, number, *, paid_at=None, amount="0.00", state=OrderState.PAID, lines=(), **fields):
    fields.setdefault("placed_at", paid_at or at(1))
    o = Order.objects.create(store=store, platform_order_no=number, paid_at=paid_at, paid_amount=Decimal(amount),
                             goods_amount=Decimal(amount), state=state, **fields)
    for no, (sku, quantity, line_amount) in enumerate(lines, start=1):
        OrderLine.objects.create(order=o, line_no=no, sku=sku, quantity=quantity,
                                 unit_price=Decimal(line_amount) / quantity, amount=Decimal(line_amount))
    return o


@pytest.fixture
def shop(org):
    d = type("Shop", (), {})()
    style_a = Style.objects.create(client=org.client_a, style_no="TEA", name="龙井", unit_cost=Decimal("40.00"),
                                   price=Decimal("100.00"))
    d.sku_x = SKU.objects.create(client=org.client_a, style=style_a, sku_code="TEA-X", size="250g",
                                 barcode="2000000000015", barcode_source="external")
    d.sku_y = SKU.objects.create(client=org.client_a, style=style_a, sku_code="TEA-Y", size="500g",
                                 barcode="2000000000022", barcode_source="external", unit_cost=Decimal("12.50"))
    style_b = Style.objects.create(client=org.client_b, style_no="TS", name="T恤", unit_cost=Decimal("9.99"),
                                   price=Decimal("50.00"))
    d.sku_b = SKU.objects.create(client=org.client_b, style=style_b, sku_code="TS-1", barcode="2000000000039",
                                 barcode_source="external")
    a1, a2, b1 = org.store_a1, org.store_a2, org.store_b1
    # 10 March (Tuesday) is the day under test; 9 March its previous day.
    d.o1 = order(a1, "A1-1", paid_at=at(10, 0, 0, 0), amount="100.10", state=OrderState.SHIPPED,
                 shipped_at=at(10, 18), lines=[(d.sku_x, 2, "100.10")])                     # first instant of the 10th
    d.o2 = order(a1, "A1-2", paid_at=at(9, 23, 59, 59), amount="50.05", state=OrderState.SHIPPED,
                 shipped_at=at(9, 20), lines=[(d.sku_y, 1, "50.05")])                       # last second of the 9th
    d.o3 = order(a1, "A1-3", paid_at=at(10, 23, 59, 59), amount="20.00", state=OrderState.CANCELLED,
                 cancelled_at=at(10, 23, 59, 59), lines=[(d.sku_y, 1, "20.00")])            # cancelled: still sales
    d.o4 = order(a1, "A1-4", paid_at=at(11, 0, 0, 0), amount="999.00", state=OrderState.AWAITING_REVIEW,
                 allocation_state=AllocationState.WAITING_STOCK, lines=[(d.sku_x, 9, "999.00")])  # the 11th
    d.o5 = order(a2, "A2-1", paid_at=at(10, 12), amount="30.33", lines=[(d.sku_x, 1, "30.33"), (None, 1, "0.00")])
    d.o6 = order(b1, "B1-1", paid_at=at(10, 12), amount="1000.00", state=OrderState.ON_HOLD,
                 held_from=OrderState.PAID, exception_reason="地址异常", lines=[(d.sku_b, 10, "1000.00")])
    d.o7 = order(b1, "B1-2", state=OrderState.PLACED, confirm_due_at=at(10, 12))  # unpaid, late to confirm
    d.o8 = order(a2, "A2-2", paid_at=at(1), amount="7.00", state=OrderState.PAID,
                 confirm_due_at=at(1, 12), confirmed_at=at(1, 11))              # paid on 1 March, confirmed in time
    Refund.objects.create(order=d.o3, amount=Decimal("20.00"), source=RefundSource.PLATFORM, reason="取消",
                          refunded_at=at(10, 23, 59, 59), recorded_by=org.admin)
    Refund.objects.create(order=d.o2, amount=Decimal("10.00"), source=RefundSource.PLATFORM, reason="少发",
                          refunded_at=at(10, 9), recorded_by=org.admin)
    Refund.objects.create(order=d.o6, amount=Decimal("3.00"), source=RefundSource.PLATFORM, reason="差价",
                          refunded_at=at(9, 9), recorded_by=org.admin)
    return d

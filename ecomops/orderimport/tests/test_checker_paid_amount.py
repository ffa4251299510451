"""The order's paid amount, worked out once (``engine.paid_amount_of``) for the order and for the
platform-money checks (ORD-02 / PER-07): the file's 实付 when it states one, else the goods plus
shipping, where a one-line order's goods may be only the platform's 商品总价 (PDD)."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from ecomops.orderimport import engine

HEADER = ["订单号", "商品编码", "数量", "商品总价", "运费", "订单状态", "下单时间", "付款时间", "退款金额"]
COLUMNS = {"order_no": "订单号", "sku_code": "商品编码", "quantity": "数量", "goods_amount": "商品总价",
           "shipping_fee": "运费", "status": "订单状态", "placed_at": "下单时间", "paid_at": "付款时间",
           "refund_amount": "退款金额"}


def checker() -> engine.Checker:
    fmt = SimpleNamespace(statuses={"已付款": "paid"}, datetime_formats=(), aggregate={}, name="test")
    return engine.Checker(fmt, engine.find_columns(HEADER, COLUMNS))


def parse(refund: str):
    row = ["PDD1", "SKU1", "2", "100.00", "8.00", "已付款", "2026-03-01 10:00:00", "2026-03-01 10:05:00", refund]
    return checker().parse(engine.Group("PDD1", [(2, row)]))


def test_a_one_line_order_stating_only_its_goods_total_pays_goods_plus_shipping():
    order, problems = parse("")
    assert problems == []
    assert order.paid_amount == Decimal("108.00")
    assert (order.lines[0].amount, order.lines[0].unit_price) == (Decimal("100.00"), Decimal("50.00"))


def test_its_refund_is_checked_against_the_same_paid_amount():
    order, problems = parse("108.00")  # before: checked against the shipping alone, refused
    assert problems == [] and order.refund_amount == Decimal("108.00")
    order, problems = parse("108.01")
    assert order is None
    assert [(p.column, "超过实付金额" in p.reason) for p in problems] == [("退款金额", True)]


def test_paid_amount_of_prefers_the_stated_amount():
    line = engine.ParsedLine(2, "SKU1", "", 1, Decimal("10.00"), Decimal("10.00"))
    assert engine.paid_amount_of({"paid_amount": Decimal("7.00")}, [line]) == Decimal("7.00")
    assert engine.paid_amount_of({"paid_amount": "", "shipping_fee": Decimal("5.00")}, [line]) == Decimal("15.00")
    assert engine.paid_amount_of({}, [line]) == Decimal("10.00")

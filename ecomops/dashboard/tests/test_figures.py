"""DAT-01: the dashboard's figures, exact to the fen on the hand-built orders of conftest.py, at the
midnight boundaries of Asia/Shanghai, for the previous period and within a scope. Every test runs twice:
with every day computed from the orders, and with the closed days (up to the 9th) read from the summary
tables, which must give the very same figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ecomops.dashboard.figures import build_dashboard, narrow
from ecomops.dashboard.shapes import Period
from ecomops.org.models import Platform
from ecomops.org.scoping import ALL_SCOPE, scope_for
from ecomops.policy import registry

from .conftest import NOW, at

D = Decimal
DAY = Period.of("day", date(2026, 3, 10))


@pytest.fixture(params=["live", "summarised"])
def shop(request, shop):
    """The hand-built orders, with the days before the 10th summarised in the second run."""
    if request.param == "summarised":
        from ecomops.dashboard.summaries import refresh

        assert refresh(now=NOW).days == 9  # 1 March (o8 paid) .. 9 March
    return shop


def values(board):
    return {k.key: k.value for k in board.kpis}


def previous(board):
    return {k.key: k.previous for k in board.kpis}


@pytest.mark.django_db
def test_day_figures_whole_company(shop):
    board = build_dashboard(ALL_SCOPE, DAY, now=NOW)
    v, p = values(board), previous(board)
    # 10 March: o1 100.10 (paid 00:00:00) + o3 20.00 (cancelled later, paid 23:59:59) + o5 30.33 + o6 1000.00;
    # o2 (23:59:59 of the 9th) and o4 (00:00 of the 11th) are outside.
    assert v["sales"] == D("1150.43") and v["orders"] == 4
    assert v["aov"] == D("287.61")  # 1150.43 / 4 = 287.6075
    assert p["sales"] == D("50.05") and p["orders"] == 1 and p["aov"] == D("50.05")
    # Refunds by refunded_at: 20.00 + 10.00 on the 10th (the 10.00 is of o2, paid the 9th); 3.00 on the 9th.
    assert v["refunds"] == D("30.00") and p["refunds"] == D("3.00")
    assert v["refund_rate"] == D("0.0261")  # 30 / 1150.43 = 0.026077
    assert p["refund_rate"] == D("0.0599")  # 3 / 50.05 = 0.059940
    assert v["shipped"] == 1 and p["shipped"] == 1
    # Queues now: paid and unshipped o4 (awaiting review), o5 (paid), o6 (held), o8 (paid);
    # exception o6; out of stock o4; late o7 (due at 12:00, unconfirmed at 20:00).
    assert (v["paid_not_shipped"], v["exceptions"], v["out_of_stock"], v["late_confirmations"]) == (4, 1, 1, 1)
    assert p["paid_not_shipped"] is None
    assert board.kpi("sales").change == D("21.9856")  # (1150.43 - 50.05) / 50.05


@pytest.mark.django_db
def test_day_charts(shop):
    board = build_dashboard(ALL_SCOPE, DAY, now=NOW)
    assert board.chart("sales_by_day").rows == [["2026-03-10", D("1150.43"), D("50.05")]]
    assert board.chart("sales_by_store").rows == [["乙品牌淘宝店", D("1000.00"), 1], ["甲品牌淘宝店", D("120.10"), 2],
                                                  ["甲品牌京东店", D("30.33"), 1]]
    taobao, jd = Platform.objects.get(code="taobao").name, Platform.objects.get(code="jd").name
    assert board.chart("sales_by_platform").rows == [[taobao, D("1120.10"), 3], [jd, D("30.33"), 1]]
    # Lines of the orders paid on the 10th; the unmatched line of o5 is left out.
    assert board.chart("top_skus").rows == [["TS-1 T恤", 10, D("1000.00")], ["TEA-X 龙井", 3, D("130.43")],
                                            ["TEA-Y 龙井", 1, D("20.00")]]
    for chart in board.charts:
        assert len(chart.units) == len(chart.columns) - 1


@pytest.mark.django_db
def test_week_and_month(shop):
    week = build_dashboard(ALL_SCOPE, Period.of("week", date(2026, 3, 10)), now=NOW)
    assert (week.period.start, week.period.end) == (date(2026, 3, 9), date(2026, 3, 15))
    # o1 + o2 + o3 + o4 + o5 + o6; o8 (Sunday 1 March) belongs to the week of 23 February, before the previous.
    assert week.kpi("sales").value == D("2199.48") and week.kpi("orders").value == 6
    assert week.kpi("sales").previous == D("0.00") and week.kpi("aov").previous is None
    assert week.kpi("sales").change is None
    month = build_dashboard(ALL_SCOPE, Period.of("month", date(2026, 3, 10)), now=NOW)
    assert month.previous == Period("month", date(2026, 2, 1), date(2026, 2, 28))
    assert month.kpi("sales").value == D("2206.48") and month.kpi("orders").value == 7  # + o8 7.00
    rows = month.chart("sales_by_day").rows
    assert len(rows) == 31 and rows[9] == ["2026-03-10", D("1150.43"), D("0.00")]
    assert rows[27][2] == D("0.00") and rows[28][2] is None  # February has 28 days
    assert sum(r[1] for r in rows) == D("2206.48")


@pytest.mark.django_db
def test_custom_range_previous(shop):
    board = build_dashboard(ALL_SCOPE, Period("custom", date(2026, 3, 10), date(2026, 3, 11)), now=NOW)
    assert board.previous == Period("custom", date(2026, 3, 8), date(2026, 3, 9))
    assert board.kpi("sales").value == D("2149.43")  # 1150.43 + o4 999.00
    assert board.kpi("sales").previous == D("50.05")


@pytest.mark.django_db
def test_scope_of_a_client_and_a_store(shop, org):
    board = build_dashboard(scope_for(org.member_a), DAY, now=NOW)
    v, p = values(board), previous(board)
    assert v["sales"] == D("150.43") and v["orders"] == 3 and v["aov"] == D("50.14")
    assert v["refunds"] == D("30.00") and v["refund_rate"] == D("0.1994") and p["refunds"] == D("0.00")
    assert (v["paid_not_shipped"], v["exceptions"], v["out_of_stock"], v["late_confirmations"]) == (3, 0, 1, 0)
    names = [r[0] for c in board.charts for r in c.rows]
    assert "乙品牌淘宝店" not in names and "TS-1 T恤" not in names
    assert board.scope_label == "甲品牌"
    one_store = build_dashboard(narrow(ALL_SCOPE, store_id=org.store_a1.pk), DAY, now=NOW)
    assert one_store.kpi("sales").value == D("120.10") and one_store.kpi("orders").value == 2
    assert one_store.kpi("stock_value").value is None  # stock belongs to a client, not to a store
    # Narrowing never widens: client B's store through client A's member is nothing.
    outside = narrow(scope_for(org.member_a), store_id=org.store_b1.pk)
    assert build_dashboard(outside, DAY, now=NOW).kpi("sales").value == D("0.00")
    assert narrow(scope_for(org.member_a), client_id=org.client_b.pk).store_ids == frozenset()


@pytest.mark.django_db
def test_stock_value_and_days_of_cover(shop, org):
    from ecomops.inventory import actions as stock_actions
    from ecomops.inventory.enums import DocKind
    from ecomops.inventory.ledger import DocRef, Move, post_moves

    warehouse = stock_actions.create_warehouse(user=org.admin, code="HZ", name="杭州仓")
    bin_ = stock_actions.create_bin(warehouse, user=org.admin, code="A-01")
    lots = {}
    for sku, quantity in ((shop.sku_x, 10), (shop.sku_y, 4), (shop.sku_b, 3)):
        doc = DocRef(kind=DocKind.OPENING, id=f"O{sku.pk}", number="OPEN")
        lots[sku.pk] = stock_actions.open_lot(client=sku.client, source=doc)
        post_moves([Move(sku_id=sku.pk, lot_id=lots[sku.pk].pk, quantity=quantity, to_bin=bin_)], doc=doc,
                   user=org.admin, at=at(1))
    board = build_dashboard(ALL_SCOPE, DAY, now=NOW)
    # 10 × 40.00 (style cost) + 4 × 12.50 (the SKU's own cost) + 3 × 9.99 = 479.97; nothing sold: no cover.
    assert board.kpi("stock_value").value == D("479.97")
    assert board.kpi("days_of_cover").value is None
    assert build_dashboard(scope_for(org.member_a), DAY, now=NOW).kpi("stock_value").value == D("450.00")
    post_moves([Move(sku_id=shop.sku_x.pk, lot_id=lots[shop.sku_x.pk].pk, quantity=2, from_bin=bin_)],
               doc=DocRef(kind=DocKind.ORDER, id="S1", number="A1-1"), user=org.admin, at=at(9))
    window = int(registry.value("WMS-14.daily_sales_window_days", on=date(2026, 3, 10)))  # WMS-14
    a = build_dashboard(scope_for(org.member_a), DAY, now=NOW)
    # Client A: 8 + 4 available ÷ (2 sold ÷ window days) = 6 × window days.
    assert a.kpi("stock_value").value == D("370.00")
    assert a.kpi("days_of_cover").value == D(6 * window).quantize(D("0.1"))
    # Client B sold nothing.
    b = build_dashboard(narrow(ALL_SCOPE, client_id=org.client_b.pk), DAY, now=NOW)
    assert b.kpi("stock_value").value == D("29.97") and b.kpi("days_of_cover").value is None

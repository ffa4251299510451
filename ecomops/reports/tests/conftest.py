"""A dashboard built by hand (the shapes of ecomops.dashboard), so the reports are tested against known
numbers whatever the demo data; and the files kept under a temporary MEDIA_ROOT."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from ecomops.dashboard.shapes import Chart, Dashboard, Kpi, Period


def make_dashboard(period: Period, *, sales: str = "12345.67") -> Dashboard:
    days = [period.start + timedelta(days=n) for n in range(period.days)]
    return Dashboard(
        period=period, previous=period.previous(), scope_label="全部委托方",
        kpis=[
            Kpi("sales", "销售额", Decimal(sales), Decimal("10000.00"), unit="yuan", clause="DAT-01"),
            Kpi("orders", "订单数", 321, 300, unit="count"),
            Kpi("aov", "客单价", Decimal("38.46"), Decimal("33.33"), unit="yuan"),
            Kpi("refund_rate", "退款率", Decimal("0.0525"), None, unit="rate"),
        ],
        charts=[
            Chart("sales_by_day", "每日销售额", "line", ["日期", "销售额（元）", "订单数"],
                  [[d, Decimal("100.50") + n, 3 + n] for n, d in enumerate(days)], ["yuan", "count"]),
            Chart("sales_by_store", "各店铺销售额", "bar", ["店铺", "销售额（元）"],
                  [["山岚茶业天猫店", Decimal("8000.17")], ["松屿家居京东店", Decimal("4345.50")]], ["yuan"]),
            Chart("orders_by_platform", "各平台订单占比", "pie", ["平台", "订单数"],
                  [["天猫", 200], ["京东", 121]], ["count"]),
            Chart("top_skus", "热销商品", "bar", ["商品", "销量"], [], ["count"]),
        ],
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def fake_figures(monkeypatch, media):
    """build.company_dashboard answers the hand-made dashboard; the calls are recorded."""
    from ecomops.reports import build

    calls = []
    state = {"sales": "12345.67"}

    def company_dashboard(period, *, now=None):
        calls.append(period)
        return make_dashboard(period, sales=state["sales"])

    monkeypatch.setattr(build, "company_dashboard", company_dashboard)
    return type("Figures", (), {"calls": calls, "state": state})


FAR_AFTER = date(2027, 6, 1)

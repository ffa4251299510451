"""DAT-01 in a real browser: the demo's general manager and its client user (kehu, 山岚茶业) open the
dashboard at /; every chart's drawn numbers (read back from ECharts) are the numbers of its table, the
client user's charts hold their own stores only, and the page raises no Content-Security-Policy
violation."""

from decimal import Decimal

import pytest
from django.test import override_settings

from ecomops.demo import org as demo

READ_CHARTS = """() => Array.from(document.querySelectorAll('[data-chart]')).map(el => {
    const option = echarts.getInstanceByDom(el).getOption();
    const series = option.series.map(s => s.data.map(
        d => (typeof d === 'object' && d !== null) ? [d.name, d.value] : d));
    return {key: el.dataset.chart, categories: option.xAxis ? option.xAxis[0].data : null, series: series};
})"""
READ_TABLE = """key => Array.from(document.querySelectorAll('[data-table="' + key + '"] tbody tr')).map(
    tr => Array.from(tr.children).map(c => c.textContent.trim()))"""


def number(text: str):
    return None if text == "—" else Decimal(text.replace("¥", "").replace(",", ""))


@pytest.fixture
def company(transactional_db):
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        return demo.build()


def check_charts_against_tables(page) -> list[list[str]]:
    charts = page.evaluate(READ_CHARTS)
    assert {c["key"] for c in charts} >= {"sales_by_day", "sales_by_store", "sales_by_platform", "top_skus"}
    for chart in charts:
        table = page.evaluate(READ_TABLE, chart["key"])
        assert table, chart["key"]
        if chart["categories"] is None:  # the pie: [name, value] pairs
            assert [[n, Decimal(str(v)).quantize(Decimal("0.01"))] for n, v in chart["series"][0]] == \
                [[row[0], number(row[1])] for row in table]
            continue
        assert chart["categories"] == [row[0] for row in table]
        for column, data in enumerate(chart["series"], start=1):
            drawn = [None if v is None else Decimal(str(v)) for v in data]
            assert drawn == [number(row[column]) for row in table], chart["key"]
    return page.evaluate(READ_TABLE, "sales_by_store")


@pytest.mark.browser
def test_manager_and_client_user_see_charts_that_match_their_tables(live_server, page, log_in, company):
    problems, failed = [], []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    # Every script, stylesheet and the chart library itself answered (the browser's own favicon aside).
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 and "favicon" not in r.url else None)

    log_in("chenzhiyuan", password=demo.DEMO_PASSWORD)
    assert page.locator("h1").inner_text() == "数据看板"
    page.goto(live_server.url + "/?period=month")
    stores = check_charts_against_tables(page)
    assert any(row[0].startswith("松屿") for row in stores) and any(row[0].startswith("山岚") for row in stores)
    # The table behind a chart opens under it.
    page.locator('[data-testid="chart-sales_by_store"] summary').click()
    assert page.locator('[data-table="sales_by_store"]').is_visible()

    log_in("kehu", password=demo.DEMO_PASSWORD)
    assert page.locator("h1").inner_text() == "数据看板"
    page.goto(live_server.url + "/?period=month")
    stores = check_charts_against_tables(page)
    assert stores and all(row[0].startswith("山岚") for row in stores)
    assert "松屿" not in page.locator("main").inner_text()
    assert not problems, problems
    assert not failed, failed

"""DAT-01 end to end: a report generated from the real dashboard (ecomops.dashboard.figures) over the
dashboard's hand-built orders; the files hold exactly build_dashboard's numbers for the whole company."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from ecomops.dashboard.figures import build_dashboard
from ecomops.dashboard.shapes import Period
from ecomops.dashboard.tests.conftest import NOW, shop  # noqa: F401  (shop: the dashboard's orders fixture)
from ecomops.org.scoping import ALL_SCOPE
from ecomops.reports import build

from .pdftext import pdf_pages


def _read(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def _plain(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, float | int) and not isinstance(value, bool):
        return Decimal(str(value))
    return value


def _expected(value):
    return Decimal(value) if isinstance(value, int | Decimal) and not isinstance(value, bool) else value


@pytest.mark.django_db
def test_daily_report_of_the_real_figures(shop, media):  # noqa: F811
    morning = NOW + timedelta(hours=11, minutes=30)  # 07:30 on 11 March, when the daily job runs
    report = build.generate("daily", date(2026, 3, 10), now=morning)
    board = build_dashboard(ALL_SCOPE, Period.of("day", date(2026, 3, 10)), now=morning)
    assert report.fingerprint == build.fingerprint(board)
    book = load_workbook(io.BytesIO(_read(report.xlsx_file)))
    overview = book["概览"]
    values = {row[0]: [_plain(v) for v in row[1:4]] for row in overview.iter_rows(min_row=8, values_only=True)}
    for kpi in board.kpis:
        assert values[kpi.label] == [_expected(kpi.value), _expected(kpi.previous), kpi.change], kpi.key
    # the dashboard's own test: 10 March sales 1,150.43 over 4 orders, against 50.05 the day before
    assert values["销售额"][:2] == [Decimal("1150.43"), Decimal("50.05")]
    for chart in board.charts:
        rows = [[_plain(v) for v in row[:len(chart.columns)]]
                for row in book[chart.title].iter_rows(min_row=2, values_only=True)]
        assert rows == [[_expected(v) for v in row] for row in chart.rows], chart.key
    text = " ".join(pdf_pages(_read(report.pdf_file)))
    assert "经营日报 2026-03-10" in text and "¥1,150.43" in text and "¥50.05" in text and "+2198.56%" in text
    store = board.chart("sales_by_store").rows[0]
    assert store[0] in text and f"¥{store[1]:,.2f}" in text

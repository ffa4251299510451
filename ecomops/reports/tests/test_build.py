"""DAT-01: the periodic reports' periods, and their .xlsx and PDF read back against the dashboard."""

from __future__ import annotations

import io
import os
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from ecomops.core.errors import BusinessError
from ecomops.dashboard.shapes import Period
from ecomops.reports import build
from ecomops.reports.models import MailStatus, ManagementReport

from .conftest import make_dashboard
from .pdftext import pdf_pages

NOW = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # 09:00 Monday 7 December 2026 in Asia/Shanghai


# --- periods ---------------------------------------------------------------------------------------

def test_daily_period_is_the_day():
    assert build.period_for("daily", date(2026, 12, 6)) == Period("day", date(2026, 12, 6), date(2026, 12, 6))


def test_week_across_a_month_and_year_boundary_runs_monday_to_sunday():
    week = build.period_for("weekly", date(2027, 1, 1))  # a Friday
    assert (week.start, week.end) == (date(2026, 12, 28), date(2027, 1, 3))
    assert week.start.weekday() == 0 and week.days == 7
    assert build.period_for("weekly", date(2027, 1, 3)) == week  # the Sunday is in the same week
    assert build.period_for("weekly", date(2027, 1, 4)).start == date(2027, 1, 4)


def test_month_of_february_in_a_common_and_a_leap_year():
    assert build.period_for("monthly", date(2027, 2, 14)) == Period("month", date(2027, 2, 1), date(2027, 2, 28))
    leap = build.period_for("monthly", date(2028, 2, 29))
    assert (leap.start, leap.end) == (date(2028, 2, 1), date(2028, 2, 29))
    assert leap.previous() == Period("month", date(2028, 1, 1), date(2028, 1, 31))


def test_the_jobs_take_the_last_whole_period():
    monday = date(2026, 12, 7)
    assert build.last_complete_day("daily", monday) == date(2026, 12, 6)
    assert build.period_for("weekly", build.last_complete_day("weekly", monday)) == Period(
        "week", date(2026, 11, 30), date(2026, 12, 6))
    assert build.period_for("monthly", build.last_complete_day("monthly", date(2027, 1, 1))) == Period(
        "month", date(2026, 12, 1), date(2026, 12, 31))
    assert build.period_for("monthly", build.last_complete_day("monthly", date(2027, 3, 1))).end == date(2027, 2, 28)


def test_unknown_kind_is_refused():
    with pytest.raises(BusinessError):
        build.period_for("yearly", date(2026, 12, 6))


# --- the files -------------------------------------------------------------------------------------

def _number(value):
    return None if value is None else Decimal(str(value))


def _category(value):
    return value.date() if isinstance(value, datetime) else value  # a day comes back as a datetime


def test_workbook_holds_the_dashboard_numbers_and_native_charts():
    period = Period.of("week", date(2026, 11, 30))
    dashboard = make_dashboard(period)
    book = load_workbook(io.BytesIO(build.workbook_bytes("weekly", dashboard, generated_at=NOW)))
    assert book.sheetnames == ["概览", "每日销售额", "各店铺销售额", "各平台订单占比", "热销商品"]
    overview = book["概览"]
    assert overview["A1"].value == "经营周报"
    assert overview["B2"].value == "2026-11-30 至 2026-12-06"
    header = next(r for r in range(1, 20) if overview.cell(r, 1).value == "指标")
    assert [overview.cell(header, c).value for c in range(1, 5)] == ["指标", "本期", "上期", "变化"]
    for n, kpi in enumerate(dashboard.kpis, start=header + 1):
        assert overview.cell(n, 1).value == kpi.label
        assert _number(overview.cell(n, 2).value) == Decimal(kpi.value)
        assert _number(overview.cell(n, 3).value) == (None if kpi.previous is None else Decimal(kpi.previous))
        assert _number(overview.cell(n, 4).value) == kpi.change
    sales = overview.cell(header + 1, 2)
    assert sales.number_format == "#,##0.00"  # money with two decimals
    assert overview.cell(header + 4, 2).number_format == "0.00%"  # a rate
    assert _number(overview.cell(header + 1, 4).value) == Decimal("0.2346")

    for chart in dashboard.charts:
        sheet = book[chart.title]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert rows[0][:len(chart.columns)] == chart.columns
        body = [row[:len(chart.columns)] for row in rows[1:]]
        assert [[_category(row[0]), *[_number(v) for v in row[1:]]] for row in body] == [
            [row[0], *[Decimal(v) for v in row[1:]]] for row in chart.rows]
        charts = sheet._charts
        assert len(charts) == (1 if chart.rows else 0)  # a native Excel chart over the table, none when empty
    assert book["各店铺销售额"]["B2"].number_format == "#,##0.00"
    assert book["每日销售额"]["A2"].number_format == "yyyy-mm-dd"
    assert type(book["每日销售额"]._charts[0]).__name__ == "LineChart"
    assert type(book["各平台订单占比"]._charts[0]).__name__ == "PieChart"
    assert type(book["各店铺销售额"]._charts[0]).__name__ == "BarChart"


def test_pdf_has_the_figures_in_chinese_with_the_font_embedded():
    period = Period.of("month", date(2026, 11, 5))
    dashboard = make_dashboard(period)
    data = build.pdf_bytes("monthly", dashboard, generated_at=NOW)
    assert data.startswith(b"%PDF")
    assert b"/FontFile2" in data and b"NotoSansSC" in data and b"STSong" not in data
    pages = pdf_pages(data)
    assert len(pages) >= 2  # a month of days does not fit on one A4 page with the charts
    text = " ".join(pages)
    assert "经营月报 2026-11-01 至 2026-11-30" in text
    assert "对比上期：2026-10-01 至 2026-10-31" in text
    for expected in ("销售额", "¥12,345.67", "¥10,000.00", "+23.46%", "321", "5.25%", "每日销售额", "山岚茶业天猫店",
                     "¥8,000.17", "各平台订单占比", "热销商品", "本期无数据", "2026-11-30", "¥129.50"):
        assert expected in text, expected


def test_chart_drawings_use_the_rows():
    dashboard = make_dashboard(Period.of("week", date(2026, 11, 30)))
    line = build.chart_drawing(dashboard.chart("sales_by_day"), width=500, height=200)
    plot = line.contents[0]
    assert type(plot).__name__ == "HorizontalLineChart"
    assert plot.data == [[100.5 + n for n in range(7)]]  # the yuan column only: counts have another scale
    assert plot.categoryAxis.categoryNames[0] == "11-30"
    pie = build.chart_drawing(dashboard.chart("orders_by_platform"), width=500, height=200).contents[0]
    assert pie.data == [200.0, 121.0]
    assert build.chart_drawing(dashboard.chart("top_skus"), width=500, height=200) is None


# --- generate --------------------------------------------------------------------------------------

def _read(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


@pytest.mark.django_db
def test_generate_keeps_both_files_with_the_figures(fake_figures):
    report = build.generate("weekly", date(2026, 12, 2), now=NOW)
    assert fake_figures.calls == [Period("week", date(2026, 11, 30), date(2026, 12, 6))]
    assert (report.kind, report.period_start, report.period_end) == ("weekly", date(2026, 11, 30), date(2026, 12, 6))
    assert report.generation == 1 and len(report.fingerprint) == 64
    assert report.summary[0] == {"key": "sales", "label": "销售额", "value": "¥12,345.67", "previous": "¥10,000.00",
                                 "change": "+23.46%"}
    book = load_workbook(io.BytesIO(_read(report.xlsx_file)))
    assert _number(book["各店铺销售额"]["B2"].value) == Decimal("8000.17")
    assert "¥8,000.17" in " ".join(pdf_pages(_read(report.pdf_file)))
    assert report.xlsx_file.name.startswith("reports/weekly/") and report.pdf_file.name.endswith(".pdf")


@pytest.mark.django_db
def test_regenerating_a_period_replaces_the_files(fake_figures, django_capture_on_commit_callbacks):
    def generate():
        with django_capture_on_commit_callbacks(execute=True):
            return build.generate("daily", date(2026, 12, 6), now=NOW)

    first = generate()
    old_paths = [first.xlsx_file.path, first.pdf_file.path]
    ManagementReport.objects.filter(pk=first.pk).update(mail_status=MailStatus.SENT)
    again = generate()
    assert again.pk == first.pk and ManagementReport.objects.count() == 1
    assert again.generation == 2 and again.fingerprint == first.fingerprint
    assert again.mail_status == MailStatus.SENT  # same figures: what was mailed still holds
    assert not any(os.path.exists(p) for p in old_paths)  # the old files are gone, the new ones are there
    assert os.path.exists(again.xlsx_file.path) and os.path.exists(again.pdf_file.path)
    fake_figures.state["sales"] = "13000.00"
    changed = generate()
    assert changed.generation == 3 and changed.fingerprint != first.fingerprint
    assert changed.mail_status == MailStatus.NOT_SENT  # new figures: to be mailed again
    assert changed.summary[0]["value"] == "¥13,000.00"
    files = sorted(os.listdir(os.path.dirname(changed.xlsx_file.path)))
    assert len(files) == 2


@pytest.mark.django_db
def test_a_period_not_yet_ended_is_refused_and_nothing_written(fake_figures):
    for kind, day in (("daily", date(2026, 12, 7)), ("weekly", date(2026, 12, 6) .replace(day=7)),
                      ("monthly", date(2026, 12, 1)), ("daily", date(2027, 1, 1))):
        with pytest.raises(BusinessError, match="尚未结束"):
            build.generate(kind, day, now=NOW)
    assert not ManagementReport.objects.exists() and fake_figures.calls == []

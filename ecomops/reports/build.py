"""Generate a management report (DAT-01): the company's dashboard of a day, a week or a month written
as an .xlsx workbook (a 概览 sheet of the key figures with the previous period and the change, one sheet
per chart with its table and a native Excel chart) and an A4 PDF (title, period, the key figures, and
every chart drawn from the same rows followed by its table), with the CJK font embedded.

``generate`` is the one act that writes a report; the scheduled jobs (``jobs``) and the page's
立即生成 button call it. The same kind and period again replaces the files (see ``models``).
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.core import spreadsheets
from ecomops.core.errors import BusinessError
from ecomops.core.pdf import cjk_font
from ecomops.dashboard.figures import build_dashboard
from ecomops.dashboard.shapes import Chart, Dashboard, Period, format_change, format_value
from ecomops.org.scoping import ALL_SCOPE

from .models import PERIOD_KIND, MailStatus, ManagementReport, ReportKind

XLSX_FORMATS = {"yuan": "#,##0.00", "count": "#,##0", "rate": "0.00%", "days": "0.0"}
CHANGE_FORMAT = "+0.00%;-0.00%;0.00%"


# --- periods ---------------------------------------------------------------------------------------


def period_for(kind: str, day: date) -> Period:
    """The period of a ``kind`` report holding ``day``: that day, its Monday–Sunday week, its month."""
    if kind not in PERIOD_KIND:
        raise BusinessError(_("未知的报表类型：%(kind)s") % {"kind": kind}, field="kind")
    return Period.of(PERIOD_KIND[ReportKind(kind)], day)


def last_complete_day(kind: str, today: date) -> date:
    """A day of the last whole period before ``today``: yesterday, last week, last month."""
    if kind == ReportKind.DAILY:
        return today - timedelta(days=1)
    if kind == ReportKind.WEEKLY:
        return today - timedelta(days=7)
    if kind == ReportKind.MONTHLY:
        return today.replace(day=1) - timedelta(days=1)
    raise BusinessError(_("未知的报表类型：%(kind)s") % {"kind": kind}, field="kind")


def local_today(now: datetime | None = None) -> date:
    return timezone.localdate(now or timezone.now())


# --- the figures -----------------------------------------------------------------------------------


def company_dashboard(period: Period, *, now: datetime | None = None) -> Dashboard:
    """The whole company's dashboard of ``period`` (every client: the reports are for management)."""
    return build_dashboard(ALL_SCOPE, period, now=now)


def fingerprint(dashboard: Dashboard) -> str:
    """A digest of every figure of the report: the same figures give the same fingerprint."""
    data = {
        "period": [dashboard.period.kind, dashboard.period.start, dashboard.period.end],
        "kpis": [[k.key, k.value, k.previous, k.unit] for k in dashboard.kpis],
        "charts": [[c.key, c.kind, c.columns, c.rows, c.units] for c in dashboard.charts],
    }
    text = json.dumps(data, default=str, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def summary(dashboard: Dashboard) -> list[dict]:
    """The key figures as stored on the report (shown in the list and the mail)."""
    return [{"key": k.key, "label": str(k.label), "value": format_value(k.value, k.unit),
             "previous": format_value(k.previous, k.unit), "change": format_change(k.change)}
            for k in dashboard.kpis]


def report_title(kind: str) -> str:
    return _("经营%(kind)s") % {"kind": ReportKind(kind).label}


def period_text(period: Period) -> str:
    if period.start == period.end:
        return f"{period.start:%Y-%m-%d}"
    return _("%(start)s 至 %(end)s") % {"start": f"{period.start:%Y-%m-%d}", "end": f"{period.end:%Y-%m-%d}"}


def _value_units(chart: Chart) -> list[str]:
    """The unit of each value column (the columns after the first)."""
    units = list(chart.units)
    return units + [""] * (len(chart.columns) - 1 - len(units))


def _plotted(chart: Chart) -> list[int]:
    """The value columns drawn: those of the first column's unit (a yuan axis and a count axis do not
    share one scale); the table shows them all."""
    units = _value_units(chart)
    if not units:
        return []
    if chart.kind == "pie":
        return [0]
    return [n for n, unit in enumerate(units) if unit == units[0]]


# --- the workbook ----------------------------------------------------------------------------------


def _sheet_title(title: str, taken: set[str]) -> str:
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in str(title)).strip()[:28] or _("图表")
    name, n = clean, 2
    while name in taken:
        name, n = f"{clean[:26]}{n}", n + 1
    taken.add(name)
    return name


def _category_cell(sheet, value):
    """The first column (day, store, SKU …): a date stays a date, a number a number, anything else text."""
    if isinstance(value, date):
        return spreadsheets.cell(sheet, value, number_format="yyyy-mm-dd")
    return spreadsheets.cell(sheet, value if isinstance(value, int | float | Decimal) else str(value))


def category_text(value) -> str:
    """The first column as text in the PDF: a day as 2026-11-30 (in a drawing's axis as 11-30)."""
    return f"{value:%Y-%m-%d}" if isinstance(value, date) else str(value)


def workbook_bytes(kind: str, dashboard: Dashboard, *, generated_at: datetime) -> bytes:
    from openpyxl.chart import BarChart, LineChart, PieChart, Reference
    from openpyxl.styles import Font

    book = spreadsheets.workbook()
    cell = spreadsheets.cell
    taken = {_("概览")}
    overview = book.create_sheet(title=_("概览"))
    overview.column_dimensions["A"].width = 24
    for column in "BCD":
        overview.column_dimensions[column].width = 16
    overview.append([cell(overview, report_title(kind), font=Font(bold=True, size=14))])
    overview.append([_("报表期间"), period_text(dashboard.period)])
    overview.append([_("对比期间"), period_text(dashboard.previous)])
    overview.append([_("范围"), dashboard.scope_label or _("全部委托方")])
    overview.append([_("生成时间"), timezone.localtime(generated_at).strftime("%Y-%m-%d %H:%M")])
    overview.append([])
    overview.append(spreadsheets.bold_row(overview, [_("指标"), _("本期"), _("上期"), _("变化")]))
    for kpi in dashboard.kpis:
        number = XLSX_FORMATS.get(kpi.unit)
        overview.append([str(kpi.label), cell(overview, kpi.value, number_format=number),
                         cell(overview, kpi.previous, number_format=number),
                         cell(overview, kpi.change, number_format=CHANGE_FORMAT)])

    for chart in dashboard.charts:
        sheet = book.create_sheet(title=_sheet_title(chart.title, taken))
        units = _value_units(chart)
        sheet.column_dimensions["A"].width = 22
        sheet.append(spreadsheets.bold_row(sheet, chart.columns))
        for row in chart.rows:
            sheet.append([_category_cell(sheet, row[0])]
                         + [cell(sheet, value, number_format=XLSX_FORMATS.get(units[n]))
                            for n, value in enumerate(row[1:len(chart.columns)])])
        plotted = _plotted(chart)
        if not chart.rows or not plotted:
            continue
        figure = {"pie": PieChart, "line": LineChart}.get(chart.kind, BarChart)()
        figure.title = str(chart.title)
        last = len(chart.rows) + 1
        for n in plotted:
            figure.add_data(Reference(sheet, min_col=n + 2, max_col=n + 2, min_row=1, max_row=last),
                            titles_from_data=True)
        figure.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
        figure.width, figure.height = 18, 9
        sheet.add_chart(figure, f"{chr(ord('A') + len(chart.columns) + 1)}2")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- the PDF ---------------------------------------------------------------------------------------

SERIES_COLOURS = ("#2f6fb0", "#e08a2e", "#3a9d5d", "#c0504d", "#8064a2", "#4bacc6", "#9b8b2e", "#7f7f7f")


def _numbers(values, *, gaps: bool = False) -> list[float | None]:
    """Values for a drawing only (the tables and the workbook keep the exact Decimals); an unknown value
    is a gap in a line, nothing in a bar."""
    return [float(v) if v is not None else (None if gaps else 0.0) for v in values]


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _axis_label(value) -> str:
    """A category on a drawing's axis: a day as 11-30, anything else shortened to 14 characters."""
    if isinstance(value, date):
        return f"{value:%m-%d}"
    text = str(value)
    return text[5:] if ISO_DAY.fullmatch(text) else text[:14]


def chart_drawing(chart: Chart, *, width: float, height: float):
    """The chart drawn with reportlab.graphics from its rows (bar, line or pie), or None when there is
    nothing to draw (no rows, or a pie of zeros)."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.charts.piecharts import Pie
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.colors import HexColor

    font = cjk_font()
    plotted = _plotted(chart)
    if not chart.rows or not plotted:
        return None
    categories = [_axis_label(row[0]) for row in chart.rows]
    series = [_numbers((row[n + 1] for row in chart.rows), gaps=chart.kind == "line") for n in plotted]
    drawing = Drawing(width, height)
    if chart.kind == "pie":
        if sum(v for v in series[0] if v and v > 0) <= 0:
            return None
        pie = Pie()
        pie.x, pie.y, pie.width, pie.height = 20, 10, height - 20, height - 20
        pie.data = [max(v, 0) for v in series[0]]
        pie.labels = None
        for n in range(len(pie.data)):
            pie.slices[n].fillColor = HexColor(SERIES_COLOURS[n % len(SERIES_COLOURS)])
        drawing.add(pie)
        legend = Legend()
        legend.x, legend.y = height + 20, height - 10
        legend.fontName, legend.fontSize = font, 7
        legend.columnMaximum = 12
        total = sum(pie.data)
        legend.colorNamePairs = [
            (HexColor(SERIES_COLOURS[n % len(SERIES_COLOURS)]), f"{name} {value / total:.1%}")
            for n, (name, value) in enumerate(zip(categories, pie.data, strict=True))]
        drawing.add(legend)
        return drawing
    plot = HorizontalLineChart() if chart.kind == "line" else VerticalBarChart()
    plot.x, plot.y = 45, 35
    plot.width, plot.height = width - 60, height - 55
    plot.data = series
    plot.categoryAxis.categoryNames = categories
    plot.categoryAxis.labels.fontName = font
    plot.categoryAxis.labels.fontSize = 6
    if len(categories) > 8:
        plot.categoryAxis.labels.angle = 45
        plot.categoryAxis.labels.boxAnchor = "ne"
    plot.valueAxis.labels.fontName = font
    plot.valueAxis.labels.fontSize = 6
    plot.valueAxis.valueMin = min([0.0] + [v for s in series for v in s if v is not None])
    for n in range(len(series)):
        colour = HexColor(SERIES_COLOURS[n % len(SERIES_COLOURS)])
        if chart.kind == "line":
            plot.lines[n].strokeColor = colour
            plot.lines[n].strokeWidth = 1.5
        else:
            plot.bars[n].fillColor = colour
    drawing.add(plot)
    if len(series) > 1:
        legend = Legend()
        legend.x, legend.y = 50, height - 4
        legend.fontName, legend.fontSize = font, 7
        legend.alignment = "right"
        legend.columnMaximum = 1
        legend.colorNamePairs = [(HexColor(SERIES_COLOURS[n % len(SERIES_COLOURS)]), str(chart.columns[c + 1]))
                                 for n, c in enumerate(plotted)]
        drawing.add(legend)
    return drawing


def pdf_bytes(kind: str, dashboard: Dashboard, *, generated_at: datetime) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = cjk_font()
    buffer = io.BytesIO()
    title = f"{report_title(kind)} {period_text(dashboard.period)}"
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=title, author="EcomOps",
                            leftMargin=16 * mm, rightMargin=16 * mm, topMargin=16 * mm, bottomMargin=16 * mm)
    heading = ParagraphStyle("h", fontName=font, fontSize=18, leading=24, spaceAfter=4)
    subheading = ParagraphStyle("h2", fontName=font, fontSize=12, leading=16, spaceBefore=10, spaceAfter=4)
    body = ParagraphStyle("b", fontName=font, fontSize=9, leading=13, wordWrap="CJK")

    def table(rows, widths, align_right_from: int = 1):
        result = Table(rows, colWidths=widths, repeatRows=1)
        result.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), font),
            ("FONTSIZE", (0, 0), (-1, -1), 8),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9eef5")),
            ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#b8c2cc")),
            ("ALIGN", (align_right_from, 0), (-1, -1), "RIGHT"),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]))
        return result

    usable = A4[0] - 32 * mm
    story = [
        Paragraph(html.escape(title), heading),
        Paragraph(html.escape(_("报表期间：%(period)s；对比上期：%(previous)s") % {
            "period": period_text(dashboard.period), "previous": period_text(dashboard.previous)}), body),
        Paragraph(html.escape(_("范围：%(scope)s；生成时间：%(at)s") % {
            "scope": dashboard.scope_label or _("全部委托方"),
            "at": timezone.localtime(generated_at).strftime("%Y-%m-%d %H:%M")}), body),
        Paragraph(html.escape(_("主要指标")), subheading),
    ]
    rows = [[_("指标"), _("本期"), _("上期"), _("变化")]]
    rows += [[str(k.label), format_value(k.value, k.unit), format_value(k.previous, k.unit), format_change(k.change)]
             for k in dashboard.kpis]
    story.append(table(rows, [usable * 0.4, usable * 0.2, usable * 0.2, usable * 0.2]))
    for chart in dashboard.charts:
        story.append(Paragraph(html.escape(str(chart.title)), subheading))
        drawing = chart_drawing(chart, width=usable, height=70 * mm)
        if drawing is not None:
            story += [drawing, Spacer(1, 3 * mm)]
        if not chart.rows:
            story.append(Paragraph(html.escape(_("本期无数据")), body))
            continue
        units = _value_units(chart)
        rows = [[str(c) for c in chart.columns]]
        rows += [[category_text(row[0])[:30]]
                 + [format_value(v, units[n]) for n, v in enumerate(row[1:len(chart.columns)])]
                 for row in chart.rows]
        first = usable * (0.4 if len(chart.columns) > 2 else 0.6)
        rest = (usable - first) / max(len(chart.columns) - 1, 1)
        story.append(table(rows, [first] + [rest] * (len(chart.columns) - 1)))

    def footer(canvas, document):
        canvas.saveState()
        canvas.setFont(font, 7)
        canvas.drawRightString(A4[0] - 16 * mm, 9 * mm, _("第 %(page)d 页") % {"page": document.page})
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


# --- the act ---------------------------------------------------------------------------------------


def generate(kind: str, day: date, *, now: datetime | None = None) -> ManagementReport:
    """Write the ``kind`` report of the period holding ``day`` (company-wide figures) and keep it.
    Refused, with nothing written, for an unknown kind or a period that has not ended yet. Generating
    the same period again replaces the files and counts the generation."""
    now = now or timezone.now()
    period = period_for(kind, day)
    if period.end >= local_today(now):
        raise BusinessError(_("%(period)s 尚未结束，只能生成已结束期间的报表") % {"period": period_text(period)},
                            field="day")
    dashboard = company_dashboard(period, now=now)
    xlsx = workbook_bytes(kind, dashboard, generated_at=now)
    pdf = pdf_bytes(kind, dashboard, generated_at=now)
    with transaction.atomic():
        report = ManagementReport.objects.select_for_update().filter(kind=kind, period_start=period.start).first()
        old = []
        if report is None:
            report = ManagementReport(kind=kind, period_start=period.start)
        else:
            old = [f.name for f in (report.xlsx_file, report.pdf_file) if f]
            report.generation += 1
        digest = fingerprint(dashboard)
        if report.fingerprint and digest != report.fingerprint and report.mail_status == MailStatus.SENT:
            report.mail_status = MailStatus.NOT_SENT  # new figures: what was mailed is out of date
        report.period_end = period.end
        report.generated_at = now
        report.fingerprint = digest
        report.summary = summary(dashboard)
        report.xlsx_file.save("report.xlsx", ContentFile(xlsx), save=False)
        report.pdf_file.save("report.pdf", ContentFile(pdf), save=False)
        report.save()
        storage = report.xlsx_file.storage
        transaction.on_commit(lambda: [storage.delete(name) for name in old])
    return report

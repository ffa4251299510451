"""The management dashboard page (DAT-01): the home page of users with ``dashboard.view_dashboard``,
scoped like every page (DAT-02: a client user sees their own stores only); everybody else keeps the
home page of due items, which dashboard users reach as 我的待办."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.audit.models import DueItem
from ecomops.core.access import may_open
from ecomops.core.decorators import page
from ecomops.core.errors import BusinessError
from ecomops.core.spreadsheets import workbook
from ecomops.org import home_views
from ecomops.org.models import Client, Store
from ecomops.org.scoping import scope_for

from .figures import build_dashboard, local_today, narrow
from .shapes import PERIOD_KINDS, Dashboard, Period, format_value

PERM = "dashboard.view_dashboard"
# The longest custom range the page computes (a display limit, not a business rule).
MAX_CUSTOM_DAYS = 366
# The dates the dashboard answers for (its previous periods and local midnights stay inside Python's dates).
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)
TENTH = Decimal("0.1")


@dataclass
class Choice:
    period: Period
    client_id: int | None
    store_id: int | None
    error: str = ""


def _date(value: str) -> date | None:
    try:
        day = date.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        return None
    return day if EARLIEST <= day <= LATEST else None


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def parse_period(params, today: date) -> Period:
    """The period a query string asks for (``period`` day/week/month/custom, ``day``, ``start``, ``end``;
    today's day by default). A wrong one is refused with the reason and the parameter at fault."""
    kind = params.get("period") or "day"
    if kind not in PERIOD_KINDS:
        raise BusinessError(_("未知的统计周期“%(kind)s”，可选 day、week、month、custom。") % {"kind": kind},
                            field="period")
    if kind == "custom":
        start, end = _date(params.get("start") or ""), _date(params.get("end") or "")
        if start is None or end is None:
            raise BusinessError(_("自定义区间的开始和结束日期须为有效日期（年-月-日），在 2000-01-01 至 "
                                  "2099-12-31 之间。"), field="start" if start is None else "end")
        if start > end:
            raise BusinessError(_("开始日期不能晚于结束日期。"), field="start")
        if (end - start).days + 1 > MAX_CUSTOM_DAYS:
            raise BusinessError(_("自定义区间最长 %(days)s 天。") % {"days": MAX_CUSTOM_DAYS}, field="end")
        return Period("custom", start, end)
    anchor = _date(params.get("day") or "") if params.get("day") else today
    if anchor is None:
        raise BusinessError(_("日期无效，须为有效日期（年-月-日），在 2000-01-01 至 2099-12-31 之间。"), field="day")
    return Period.of(kind, anchor)


def read_choice(params, today: date) -> Choice:
    """The period and filter of the page's query string; a wrong period falls back to today, with the reason."""
    client_id, store_id = _int(params.get("client")), _int(params.get("store"))
    try:
        return Choice(parse_period(params, today), client_id, store_id)
    except BusinessError as refused:
        return Choice(Period.of("day", today), client_id, store_id,
                      error=_("%(reason)s已显示今日数据。") % {"reason": refused.message})


def _figures(request) -> tuple[Choice, Dashboard]:
    now = timezone.now()
    choice = read_choice(request.GET, local_today(now))
    scope = narrow(scope_for(request.user), client_id=choice.client_id, store_id=choice.store_id)
    return choice, build_dashboard(scope, choice.period, now=now)


# The order list behind a queue (issue 15 filters), shown only to who may open it.
QUEUE_LINKS = {"exceptions": "?exception=1", "out_of_stock": "?reason=waiting_stock", "late_confirmations": "?late=1"}


def _kpi_rows(board: Dashboard, user) -> list[dict]:
    orders_url = reverse("orders:orders")
    rows = []
    for kpi in board.kpis:
        change = kpi.change
        link = orders_url + QUEUE_LINKS[kpi.key] if kpi.key in QUEUE_LINKS else ""
        rows.append({
            "kpi": kpi, "display": format_value(kpi.value, kpi.unit),
            "previous": format_value(kpi.previous, kpi.unit) if kpi.previous is not None else "",
            "change": "" if change is None else f"{'+' if change > 0 else ''}{(change * 100).quantize(TENTH)}%",
            "up": change is not None and change > 0, "down": change is not None and change < 0,
            "link": link if link and may_open(user, link) else "",
        })
    return rows


def _chart_data(board: Dashboard) -> list[dict]:
    """What the page's script draws: every cell as text or a number, exactly the table's."""
    def cell(value):
        if isinstance(value, Decimal):
            return float(value)
        return value

    return [{"key": c.key, "title": c.title, "kind": c.kind, "columns": c.columns, "units": c.units,
             "rows": [[cell(v) for v in row] for row in c.rows]} for c in board.charts]


def _table(chart) -> list[list[str]]:
    return [[row[0], *(format_value(v, u) for v, u in zip(row[1:], chart.units, strict=False))] for row in chart.rows]


@login_required
def home(request):
    """``/``: the dashboard for who may see it, the due items for everybody else."""
    if not request.user.has_perm(PERM):
        return home_views.home(request)
    return dashboard(request)


@page(PERM)
def dashboard(request):
    choice, board = _figures(request)
    scope = scope_for(request.user)
    clients = Client.objects.all() if scope.all else Client.objects.filter(pk__in=scope.visible_client_ids)
    stores = Store.objects.all() if scope.all else Store.objects.filter(pk__in=scope.store_ids)
    now = timezone.now()
    open_due = DueItem.objects.of_user(request.user).filter(cancelled_at__isnull=True).open()
    context = {
        "board": board, "choice": choice, "kinds": [("day", _("日")), ("week", _("周")), ("month", _("月")),
                                                     ("custom", _("自定义"))],
        "kpis": _kpi_rows(board, request.user),
        "charts": [{"chart": c, "table": _table(c)} for c in board.charts],
        "chart_data": _chart_data(board),
        "clients": clients.order_by("code"), "stores": stores.order_by("code"),
        "query": request.GET.urlencode(),
        "due_open": open_due.count(), "due_late": open_due.filter(due_at__lt=now).count(),
        "previous_day": (choice.period.start - timedelta(days=1)).isoformat(),
        "next_day": (choice.period.end + timedelta(days=1)).isoformat(),
    }
    return render(request, "dashboard/index.html", context)


@page(PERM)
def export(request):
    """The dashboard's tables as an .xlsx: the key figures, then one sheet per chart."""
    choice, board = _figures(request)
    book = workbook()
    sheet = book.create_sheet(_("关键指标"))
    sheet.append([_("统计范围"), board.scope_label])
    sheet.append([_("本期"), f"{board.period.start} ~ {board.period.end}"])
    sheet.append([_("上期"), f"{board.previous.start} ~ {board.previous.end}"])
    sheet.append([_("指标"), _("本期"), _("上期"), _("变化"), _("条款")])
    for kpi in board.kpis:
        sheet.append([kpi.label, kpi.value, kpi.previous, kpi.change, kpi.clause])
    for chart in board.charts:
        sheet = book.create_sheet(chart.title[:31])
        sheet.append(chart.columns)
        for row in chart.rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    name = f"dashboard-{board.period.start:%Y%m%d}-{board.period.end:%Y%m%d}.xlsx"
    return FileResponse(out, as_attachment=True, filename=name,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

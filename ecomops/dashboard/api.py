"""API of the management dashboard (DAT-01): the figures and charts of a period for the stores the
caller sees (a client user: their own client's stores), narrowed to one client or store on request.
The same numbers as the page and its export; money and rates are decimal strings, unknown is null."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.http import Http404
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from ecomops.apiutil.access import require_perm
from ecomops.apiutil.types import Day, Id
from ecomops.org.scoping import scope_for

from .figures import build_dashboard, local_today, narrow
from .views import PERM, parse_period

router = Router(tags=["dashboard"])


class DashboardQuery(Schema):
    period: Literal["day", "week", "month", "custom"] = Field("day", description="统计周期")
    day: Day | None = Field(None, description="day/week/month 所在的日期（默认今天，Asia/Shanghai）")
    start: Day | None = Field(None, description="custom 的开始日期（2000-01-01 起）")
    end: Day | None = Field(None, description="custom 的结束日期（最长 366 天，至 2099-12-31）")
    client: Id | None = Field(None, description="只看这个委托方（须在调用者的范围内）")
    store: Id | None = Field(None, description="只看这个店铺（须在调用者的范围内）")


class PeriodOut(Schema):
    kind: str
    start: date
    end: date


class KpiOut(Schema):
    key: str
    label: str
    value: Decimal | int | None
    previous: Decimal | int | None
    change: Decimal | None = Field(description="较上期的变化（小数，0.1250 即 +12.50%）；无可比时为 null")
    unit: str = Field(description="yuan、count、rate、days")
    clause: str


class ChartOut(Schema):
    key: str
    title: str
    kind: str = Field(description="line、bar、pie")
    columns: list[str]
    rows: list[list[Decimal | int | str | None]] = Field(description="图表背后的数据表，第一列为类目")
    units: list[str]


class DashboardOut(Schema):
    period: PeriodOut
    previous: PeriodOut
    scope: str
    kpis: list[KpiOut]
    charts: list[ChartOut]
    summarised_days: int = Field(description="取自每日汇总的天数（其余按订单实时计算）")
    refreshed_at: datetime | None = Field(description="每日汇总最近一次更新的时间")


def _period(period) -> dict:
    return {"kind": period.kind, "start": period.start, "end": period.end}


@router.get("/dashboard", response=DashboardOut, summary="数据看板：某期的指标与图表（DAT-01，按调用者的范围）")
def dashboard_figures(request, query: Query[DashboardQuery]):
    require_perm(request.auth, PERM)
    now = timezone.now()
    params = {name: (value.isoformat() if isinstance(value, date) else value)
              for name, value in query.dict().items() if value is not None}
    period = parse_period(params, local_today(now))
    scope = scope_for(request.auth)
    if query.store and not scope.sees_store(query.store):
        raise Http404
    if query.client and not scope.sees_client(query.client, whole=False):
        raise Http404
    board = build_dashboard(narrow(scope, client_id=query.client, store_id=query.store), period, now=now)
    return {
        "period": _period(board.period), "previous": _period(board.previous), "scope": board.scope_label,
        "kpis": [{"key": k.key, "label": k.label, "value": k.value, "previous": k.previous, "change": k.change,
                  "unit": k.unit, "clause": k.clause} for k in board.kpis],
        "charts": [{"key": c.key, "title": c.title, "kind": c.kind, "columns": c.columns, "rows": c.rows,
                    "units": c.units} for c in board.charts],
        "summarised_days": board.summarised_days, "refreshed_at": board.refreshed_at,
    }

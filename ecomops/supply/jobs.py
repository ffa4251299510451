"""The supply's scheduled jobs (issue 17); ``supply-daily`` and ``replenishment-plan`` stay."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecomops.scheduling.registry import register_job


def daily(at: datetime) -> str:
    """WMS-16/17/18: supplier-return pick-ups, month-end uncollected returns, packaging reorders."""
    from .daily import run_daily

    run = run_daily(timezone.localdate(at))
    return _("WMS-16：待取件退货 %(pickups)d 笔，当月未取回 %(uncollected)d 笔；WMS-18：包材补货 %(reorders)d 项") % {
        "pickups": run.pickups, "uncollected": run.uncollected, "reorders": run.reorders}


def replenishment(at: datetime) -> str:
    """WMS-14: the day's replenishment plans of every active warehouse."""
    from ecomops.inventory.models import Warehouse

    from .plans import build_plans

    day = timezone.localdate(at)
    parts = [_("%(code)s 仓 %(n)d 份") % {"code": warehouse.code, "n": len(build_plans(warehouse=warehouse, on=day))}
             for warehouse in Warehouse.objects.filter(is_active=True).order_by("code")]
    return _("WMS-14 补货计划：%(parts)s") % {"parts": "，".join(parts) or _("没有启用的仓库")}


def register() -> None:
    register_job(code="supply.daily", name=gettext_lazy("退厂取件与包材补货提醒"), clause="WMS-16/17/18",
                 func="ecomops.supply.jobs.daily", cron="30 7 * * *",
                 description=gettext_lazy("每日生成退厂取件、月末未取回退货与包材补货的待办。"))
    register_job(code="supply.replenishment", name=gettext_lazy("每日补货计划"), clause="WMS-14",
                 func="ecomops.supply.jobs.replenishment", cron="0 7 * * *",
                 description=gettext_lazy("每日为每个启用的仓库生成补货计划，送审批。"))

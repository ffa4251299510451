"""The supply's scheduled jobs (issue 17); ``supply-daily`` and ``replenishment-plan`` stay."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecomops.scheduling.registry import register_job


def daily(at: datetime) -> str:
    """WMS-16/17/18: supplier-return pick-ups, month-end uncollected returns, packaging reorders."""
    from .daily import run_daily

    run = run_daily(timezone.localdate(at))
    return (f"WMS-16: {run.pickups} pick-up(s), {run.uncollected} not collected within their month; "
            f"WMS-18: {run.reorders} packaging reorder(s)")


def replenishment(at: datetime) -> str:
    """WMS-14: the day's replenishment plans of every active warehouse."""
    from ecomops.inventory.models import Warehouse

    from .plans import build_plans

    day = timezone.localdate(at)
    parts = [f"{warehouse.code} {len(build_plans(warehouse=warehouse, on=day))}"
             for warehouse in Warehouse.objects.filter(is_active=True).order_by("code")]
    return "WMS-14 plans: " + (", ".join(parts) or "no active warehouse")


def register() -> None:
    register_job(code="supply.daily", name=_("退厂取件与包材补货提醒"), clause="WMS-16/17/18",
                 func="ecomops.supply.jobs.daily", cron="30 7 * * *",
                 description=_("每日生成退厂取件、月末未取回退货与包材补货的待办。"))
    register_job(code="supply.replenishment", name=_("每日补货计划"), clause="WMS-14",
                 func="ecomops.supply.jobs.replenishment", cron="0 7 * * *",
                 description=_("每日为每个启用的仓库生成补货计划，送审批。"))

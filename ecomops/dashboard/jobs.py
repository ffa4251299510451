"""The dashboard's scheduled jobs (issue 17): keep the summary tables up to date and exact. The
commands ``dashboard-rebuild`` and ``dashboard-verify`` stay for manual use and call the same functions."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecomops.scheduling.registry import register_job


def refresh_summaries(at: datetime) -> str:
    """DAT-01: summarise the closed days not summarised yet and the days touched since the last run."""
    from .summaries import refresh

    result = refresh(now=at)
    if not result.days:
        return _("DAT-01：汇总已是最新")
    return _("DAT-01：重建 %(n)d 天的汇总（%(first)s ~ %(last)s），用时 %(s).1f 秒") % {
        "n": result.days, "first": result.first, "last": result.last, "s": result.seconds}


def verify_summaries(at: datetime) -> str:
    """DAT-01: the summaries against the orders; a difference is repaired (the days rebuilt) and fails
    the job, so its owner hears of it."""
    from .summaries import differences, repair

    found = differences()
    if found:
        days = repair(found, now=at)
        raise RuntimeError(_("DAT-01：看板汇总与订单有 %(n)d 处差异，已重建 %(days)d 天；第一处：%(first)s") % {
            "n": len(found), "days": days, "first": found[0]})
    return _("DAT-01：看板汇总与订单相符")


def register() -> None:
    register_job(code="dashboard.summaries", name=gettext_lazy("看板汇总更新"), clause="DAT-01",
                 func="ecomops.dashboard.jobs.refresh_summaries", cron="*/10 * * * *",
                 description=gettext_lazy("每 10 分钟汇总已结束的日期，并重建近期有订单或退款变动的日期。"))
    register_job(code="dashboard.verify", name=gettext_lazy("看板汇总核对"), clause="DAT-01",
                 func="ecomops.dashboard.jobs.verify_summaries", cron="40 1 * * *",
                 description=gettext_lazy("每日用订单重新计算已汇总的日期并与汇总表核对；有差异则重建并通知负责人。"))

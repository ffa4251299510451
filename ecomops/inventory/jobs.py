"""The inventory's scheduled jobs (issue 17); the commands ``stock-daily-holds`` and ``stock-verify``
stay for manual use and call the same functions."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecomops.scheduling.registry import register_job


def release_holds(at: datetime) -> str:
    """WMS-11: release the customer holds whose expiry passed by ``at``."""
    from .holds import release_expired

    return _("WMS-11：释放到期客户预留 %(n)d 笔") % {"n": len(release_expired(now=at))}


def verify_stock(at: datetime) -> str:
    """WMS-13: balances against the ledger; a difference fails the job (and raises the due item)."""
    from .verify import differences

    diffs = differences()
    if diffs:
        raise RuntimeError(_("WMS-13：库存余额与流水有 %(n)d 处差异；第一处：%(first)s") % {
            "n": len(diffs), "first": diffs[0]})
    return _("WMS-13：账物相符")


def register() -> None:
    register_job(code="inventory.holds_release", name=gettext_lazy("到期客户预留释放"), clause="WMS-11",
                 func="ecomops.inventory.jobs.release_holds", cron="10 0 * * *",
                 description=gettext_lazy("每日释放已过期的客户预留，货品回到正常销售。"))
    register_job(code="inventory.stock_verify", name=gettext_lazy("账物相符核对"), clause="WMS-13",
                 func="ecomops.inventory.jobs.verify_stock", cron="30 1 * * *",
                 description=gettext_lazy("每日核对库存余额与库存流水；有差异则任务失败并通知负责人。"))

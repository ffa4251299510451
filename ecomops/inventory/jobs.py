"""The inventory's scheduled jobs (issue 17); the commands ``stock-daily-holds`` and ``stock-verify``
stay for manual use and call the same functions."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from ecomops.scheduling.registry import register_job


def release_holds(at: datetime) -> str:
    """WMS-11: release the customer holds whose expiry passed by ``at``."""
    from .holds import release_expired

    return f"WMS-11: {len(release_expired(now=at))} expired hold(s) released"


def verify_stock(at: datetime) -> str:
    """WMS-13: balances against the ledger; a difference fails the job (and raises the due item)."""
    from .verify import differences

    diffs = differences()
    if diffs:
        raise RuntimeError(f"WMS-13: {len(diffs)} difference(s) between balances and the ledger; first: {diffs[0]}")
    return "WMS-13: balances equal the ledger"


def register() -> None:
    register_job(code="inventory.holds_release", name=_("到期客户预留释放"), clause="WMS-11",
                 func="ecomops.inventory.jobs.release_holds", cron="10 0 * * *",
                 description=_("每日释放已过期的客户预留，货品回到正常销售。"))
    register_job(code="inventory.stock_verify", name=_("账物相符核对"), clause="WMS-13",
                 func="ecomops.inventory.jobs.verify_stock", cron="30 1 * * *",
                 description=_("每日核对库存余额与库存流水；有差异则任务失败并通知负责人。"))

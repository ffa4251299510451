"""The orders' scheduled jobs (issue 17); ``orders-late``, ``orders-allocate`` and
``orders-stock-verify`` stay for manual use and call the same functions."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecomops.scheduling.registry import register_job


def flag_late(at: datetime) -> str:
    """ORD-09: orders unconfirmed past ORD-09.confirm_within of payment get the late flag and a due item."""
    from .actions import flag_late_confirmations

    run = flag_late_confirmations(at)
    return _("ORD-09：新标记超时 %(flagged)d 单，新待办 %(raised)d 条") % {"flagged": run.flagged, "raised": run.raised}


def allocate(at: datetime) -> str:
    """ORD-03/04: automatic review of paid orders, then the out-of-stock queue again."""
    from .review import auto_review, retry_waiting

    run, retry = auto_review(), retry_waiting()
    return _("ORD-03：自动审单 %(reviewed)d 单，转人工 %(manual)d 单，缺货 %(waiting)d 单；"
             "ORD-04：重试分配 %(retried)d 单，仍缺货 %(still)d 单") % {
        "reviewed": run.reviewed, "manual": run.manual, "waiting": run.waiting, "retried": retry.reviewed,
        "still": retry.waiting}


def verify_shipments(at: datetime) -> str:
    """WMS-10/13: every shipped unit left the ledger exactly once; a difference fails the job."""
    from .shipments import shipment_differences

    diffs = shipment_differences()
    if diffs:
        raise RuntimeError(_("WMS-10：发货与库存出库有 %(n)d 处差异；第一处：%(first)s") % {
            "n": len(diffs), "first": diffs[0]})
    return _("WMS-10：发货出库相符")


def register() -> None:
    register_job(code="orders.late", name=gettext_lazy("订单确认超时标记"), clause="ORD-09",
                 func="ecomops.orders.jobs.flag_late", cron="5 * * * *",
                 description=gettext_lazy("每小时标记付款后超时未确认的订单，并给店铺客服发待办。"))
    register_job(code="orders.allocate", name=gettext_lazy("自动审单与缺货重试"), clause="ORD-03/04",
                 func="ecomops.orders.jobs.allocate", cron="*/5 * * * *",
                 description=gettext_lazy("每五分钟对已付款订单自动审单，并重试缺货队列。"))
    register_job(code="orders.stock_verify", name=gettext_lazy("发货出库相符核对"), clause="WMS-10",
                 func="ecomops.orders.jobs.verify_shipments", cron="40 1 * * *",
                 description=gettext_lazy("每日核对已发货订单与库存出库；有差异则任务失败并通知负责人。"))

"""The ship-batch job (ORD-05, issue 17); ``ship-batches-close`` stays for manual use.

It runs one minute after each cut-off of ``ORD-05.ship_batch_cutoffs`` in force that day (a batch
closes once its cut-off has passed), so a change of the policy moves the job; a quarter-hourly safety
run assigns reviewed orders the review hook missed."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecomops.policy import registry
from ecomops.scheduling.registry import register_job

AFTER_CUTOFF = timedelta(minutes=1)


def cutoff_times(day: date) -> list[time]:
    """ORD-05: one minute after each of the day's cut-offs."""
    cutoffs = registry.value("ORD-05.ship_batch_cutoffs", on=day)
    return [(datetime.combine(day, cutoff) + AFTER_CUTOFF).time() for cutoff in cutoffs]


def close_batches(at: datetime) -> str:
    from . import actions

    assigned = actions.assign_pending(at=at)
    closed = actions.close_due_batches(at=at)
    flagged = actions.flag_late(timezone.localtime(at).date(), at=at)
    return _("ORD-05：加入批次 %(assigned)d 单，截单 %(closed)d 批，标记未按时 %(flagged)d 单") % {
        "assigned": assigned, "closed": closed, "flagged": flagged}


def register() -> None:
    register_job(code="dispatch.ship_batches", name=gettext_lazy("发货批次截单"), clause="ORD-05",
                 func="ecomops.dispatch.jobs.close_batches", times="ecomops.dispatch.jobs.cutoff_times",
                 description=gettext_lazy("在政策规定的每个截单时刻后一分钟截单，最后一批后标记未按时打单的订单。"))
    register_job(code="dispatch.ship_batches_safety", name=gettext_lazy("发货批次补漏"), clause="ORD-05",
                 func="ecomops.dispatch.jobs.close_batches", cron="*/15 * * * *",
                 description=gettext_lazy("每十五分钟把漏入批次的已审订单加入批次，并关闭已过截单时刻的批次。"))

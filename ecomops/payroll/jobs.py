"""The monthly-target reminders as a scheduled job (PER-06, issue 17); ``payroll targets-due`` stays."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecomops.scheduling.registry import register_job


def targets_due(at: datetime) -> str:
    """PER-06: next month's targets are set in this month; raise (or complete) the supervisors' items."""
    from .actions import raise_target_dues
    from .periods import label

    today = timezone.localdate(at)
    following = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    raised = raise_target_dues(following, now=at)
    return _("PER-06：%(month)s 月度目标，提醒主管 %(n)d 人") % {"month": label(following), "n": raised}


def register() -> None:
    register_job(code="payroll.targets_due", name=gettext_lazy("月度目标制定提醒"), clause="PER-06",
                 func="ecomops.payroll.jobs.targets_due", cron="0 9 * * *",
                 description=gettext_lazy("每日提醒各主管在截止日前制定下个月的目标；目标齐全后待办自动完成。"))

"""The qualification reminders as a scheduled job (STO-04, issue 17); ``qualifications-due`` stays."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecomops.scheduling.registry import register_job


def renewal_dues(at: datetime) -> str:
    """STO-04: renewal due items for certificates expiring within the reminder period."""
    from .dues import raise_renewal_dues

    run = raise_renewal_dues(timezone.localdate(at))
    return f"STO-04: {run.raised} raised, {run.already} already open or done, {run.expired} expired"


def register() -> None:
    register_job(code="stores.qualifications_due", name=_("资质到期续期提醒"), clause="STO-04",
                 func="ecomops.stores.jobs.renewal_dues", cron="0 8 * * *",
                 description=_("每日为即将到期的店铺资质向负责人发续期待办。"))

"""The qualification reminders as a scheduled job (STO-04, issue 17); ``qualifications-due`` stays."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecomops.scheduling.registry import register_job


def renewal_dues(at: datetime) -> str:
    """STO-04: renewal due items for certificates expiring within the reminder period."""
    from .dues import raise_renewal_dues

    run = raise_renewal_dues(timezone.localdate(at))
    return _("STO-04：新续期待办 %(raised)d 条，已有 %(already)d 条，已过期 %(expired)d 个") % {
        "raised": run.raised, "already": run.already, "expired": run.expired}


def register() -> None:
    register_job(code="stores.qualifications_due", name=gettext_lazy("资质到期续期提醒"), clause="STO-04",
                 func="ecomops.stores.jobs.renewal_dues", cron="0 8 * * *",
                 description=gettext_lazy("每日为即将到期的店铺资质向负责人发续期待办。"))

"""The scheduled job of the warehouse operations (issue 17); ``stock-daily-samples`` stays."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecomops.scheduling.registry import register_job


def flag_overdue_samples(at: datetime) -> str:
    """WMS-12: a due item to the warehouse supervisor for each sample loan overdue on the slot's day."""
    from .actions import flag_overdue_loans

    return _("WMS-12：逾期样品借出待办 %(n)d 条") % {"n": len(flag_overdue_loans(timezone.localdate(at)))}


def register() -> None:
    register_job(code="stockops.samples_overdue", name=gettext_lazy("样品借出逾期提醒"), clause="WMS-12",
                 func="ecomops.stockops.jobs.flag_overdue_samples", cron="0 8 * * *",
                 description=gettext_lazy("每日为逾期未还的样品借出向仓库主管发待办。"))

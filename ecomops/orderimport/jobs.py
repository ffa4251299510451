"""The order-import files' clean-up as a scheduled job (LAW-04, issue 17); ``order-imports-purge`` stays."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecomops.scheduling.registry import register_job


def purge(at: datetime) -> str:
    """LAW-04: delete uploaded platform exports older than LAW-04.import_file_keep_days."""
    from .actions import purge_files

    done = purge_files(now=at)
    return _("LAW-04：删除过期导入文件 %(purged)d 个（保存 %(days)d 天），无主文件 %(orphans)d 个") % done


def register() -> None:
    register_job(code="orderimport.purge", name=gettext_lazy("订单导入文件清理"), clause="LAW-04",
                 func="ecomops.orderimport.jobs.purge", cron="0 3 * * *",
                 description=gettext_lazy("每日删除超过保存期限的订单导入原始文件（含买家个人信息）。"))

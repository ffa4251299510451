from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "ecomops.reports"
    label = "reports"
    verbose_name = "经营报表"

    def ready(self) -> None:
        from ecomops.scheduling.registry import register_job

        # DAT-01: periodic management reports; the times are defaults the administrators may change.
        register_job(code="reports.daily", name=_("经营日报"), clause="DAT-01", func="ecomops.reports.jobs.daily",
                     cron="30 7 * * *", description=_("生成昨天的经营日报（Excel 与 PDF）并发送邮件"))
        register_job(code="reports.weekly", name=_("经营周报"), clause="DAT-01", func="ecomops.reports.jobs.weekly",
                     cron="0 8 * * 1", description=_("每周一生成上周（周一至周日）的经营周报并发送邮件"))
        register_job(code="reports.monthly", name=_("经营月报"), clause="DAT-01",
                     func="ecomops.reports.jobs.monthly", cron="30 8 1 * *",
                     description=_("每月 1 日生成上月的经营月报并发送邮件"))

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayrollConfig(AppConfig):
    name = "ecomops.payroll"
    label = "payroll"
    verbose_name = _("目标与薪资")

    def ready(self) -> None:
        from . import jobs

        jobs.register()  # issue 17: the app's periodic jobs, run by `ecomops scheduler`

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StockopsConfig(AppConfig):
    name = "ecomops.stockops"
    label = "stockops"
    verbose_name = _("仓内作业")

    def ready(self):
        from ecomops.inventory.closing import register_open_documents

        from .closing import open_documents

        # WMS-13: unshipped transfers, unposted count sheets and scrap notes block the daily close.
        register_open_documents("stockops", open_documents)

        from . import jobs

        jobs.register()  # issue 17: the app's periodic jobs, run by `ecomops scheduler`

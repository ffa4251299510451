from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupplyConfig(AppConfig):
    name = "ecomops.supply"
    label = "supply"
    verbose_name = _("采购补货与退厂")

    def ready(self):
        from . import jobs

        jobs.register()  # issue 17: the app's periodic jobs, run by `ecomops scheduler`
        try:
            from ecomops.inventory.closing import register_open_documents
        except ImportError:  # the daily close not there yet: supply.closing.open_documents waits for it
            return
        from .closing import open_documents

        register_open_documents("supply", open_documents)

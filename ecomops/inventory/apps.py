from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "ecomops.inventory"
    label = "inventory"
    verbose_name = _("库存")

    def ready(self) -> None:
        from . import jobs

        jobs.register()  # issue 17: the app's periodic jobs, run by `ecomops scheduler`

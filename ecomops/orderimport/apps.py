from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrderimportConfig(AppConfig):
    name = "ecomops.orderimport"
    label = "orderimport"
    verbose_name = _("订单导入")

    def seed_reference_data(self) -> None:
        """Create the platform export formats (ORD-02), on org's platforms, when missing (after every migrate)."""
        from ecomops.orderimport.seed import seed_formats

        seed_formats()

    def ready(self) -> None:
        from . import jobs

        jobs.register()  # issue 17: the app's periodic jobs, run by `ecomops scheduler`

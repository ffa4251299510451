from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LogisticsConfig(AppConfig):
    name = "ecomops.logistics"
    label = "logistics"
    verbose_name = _("物流")

    def ready(self) -> None:
        from . import jobs

        jobs.register()  # LOG-02: the daily delivery-standard check, run by `ecomops scheduler`

    def seed_reference_data(self) -> None:
        """Create one carrier per courier, its default service and one buyer message template per
        kind of case when missing (after every migrate)."""
        from ecomops.logistics.seed import seed_buyer_message_templates, seed_carrier_services, seed_carriers

        seed_carriers()
        seed_carrier_services()
        seed_buyer_message_templates()

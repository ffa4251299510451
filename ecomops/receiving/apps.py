from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceivingConfig(AppConfig):
    name = "ecomops.receiving"
    label = "receiving"
    verbose_name = _("收货与质检")

    def ready(self):
        from ecomops.inventory.closing import register_open_documents

        from .closing import open_documents

        # WMS-13: unsigned, unbooked, uninspected or not-yet-put-away receipts block the daily close.
        register_open_documents("receiving", open_documents)

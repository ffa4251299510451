from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupplyConfig(AppConfig):
    name = "ecomops.supply"
    label = "supply"
    verbose_name = _("采购补货与退厂")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StockopsConfig(AppConfig):
    name = "ecomops.stockops"
    label = "stockops"
    verbose_name = _("仓内作业")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrderimportConfig(AppConfig):
    name = "ecomops.orderimport"
    label = "orderimport"
    verbose_name = _("订单导入")

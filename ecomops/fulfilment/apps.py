from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FulfilmentConfig(AppConfig):
    name = "ecomops.fulfilment"
    label = "fulfilment"
    verbose_name = _("验货打包发货")

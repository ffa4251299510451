from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceivingConfig(AppConfig):
    name = "ecomops.receiving"
    label = "receiving"
    verbose_name = _("收货与质检")

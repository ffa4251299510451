from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WavesConfig(AppConfig):
    name = "ecomops.waves"
    label = "waves"
    verbose_name = _("拣货波次")

from django.apps import AppConfig


class StoresConfig(AppConfig):
    name = "ecomops.stores"
    label = "stores"
    verbose_name = "店铺入驻与资质"

from django.apps import AppConfig


class SuppliersConfig(AppConfig):
    name = "ecomops.suppliers"
    label = "suppliers"
    verbose_name = "供应商"

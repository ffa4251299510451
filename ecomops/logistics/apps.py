from django.apps import AppConfig


class LogisticsConfig(AppConfig):
    name = "ecomops.logistics"
    label = "logistics"
    verbose_name = "物流"

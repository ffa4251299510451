from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The ``demo`` management command and the demo builders; no models."""

    name = "ecomops.demo"
    label = "demo"
    verbose_name = "演示数据"

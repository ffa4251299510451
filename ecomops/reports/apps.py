from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "ecomops.reports"
    label = "reports"
    verbose_name = "经营报表"

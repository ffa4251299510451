from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "ecomops.dashboard"
    label = "dashboard"
    verbose_name = "数据看板"

    def ready(self) -> None:
        from .jobs import register

        register()

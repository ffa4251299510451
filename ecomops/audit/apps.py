from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "ecomops.audit"
    label = "audit"
    verbose_name = "审计与待办"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (login/logout/failed-login records, history IP)

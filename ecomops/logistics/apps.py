from django.apps import AppConfig


class LogisticsConfig(AppConfig):
    name = "ecomops.logistics"
    label = "logistics"
    verbose_name = "物流"

    def seed_reference_data(self) -> None:
        """Create one carrier per courier when missing (after every migrate)."""
        from ecomops.logistics.seed import seed_carriers

        seed_carriers()

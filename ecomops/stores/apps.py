from django.apps import AppConfig


class StoresConfig(AppConfig):
    name = "ecomops.stores"
    label = "stores"
    verbose_name = "店铺入驻与资质"

    def seed_reference_data(self) -> None:
        """Create the onboarding document types (STO-02) when missing (after every migrate)."""
        from ecomops.stores.seed import seed_document_types

        seed_document_types()

    def ready(self) -> None:
        from . import jobs

        jobs.register()  # issue 17: the app's periodic jobs, run by `ecomops scheduler`

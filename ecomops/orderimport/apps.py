from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrderimportConfig(AppConfig):
    name = "ecomops.orderimport"
    label = "orderimport"
    verbose_name = _("订单导入")

    def ready(self) -> None:
        from ecomops.orders.hooks import review_imported

        from .signals import orders_imported

        # ORD-03: every committed chunk of an import goes through automatic review at once.
        orders_imported.connect(review_imported, dispatch_uid="orders-review-imported")

    def seed_reference_data(self) -> None:
        """Create the platform export formats (ORD-02), on org's platforms when missing (after every migrate)."""
        from ecomops.orderimport.seed import seed_formats

        seed_formats()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "ecomops.orders"
    label = "orders"
    verbose_name = _("订单")

    def ready(self) -> None:
        from ecomops.inventory.ledger import stock_arrived

        from . import hooks, trace

        trace.register()  # CAT-05: a lot's page names the orders that took it
        stock_arrived.connect(hooks.retry_when_stock_arrives, dispatch_uid="orders-retry-waiting")

    def seed_reference_data(self) -> None:
        """Create the automatic review rules (ORD-03) when missing (after every migrate)."""
        from ecomops.orders.review import seed_review_rules

        seed_review_rules()

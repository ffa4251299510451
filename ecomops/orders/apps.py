from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "ecomops.orders"
    label = "orders"
    verbose_name = _("订单")

    def ready(self) -> None:
        from ecomops.inventory.ledger import stock_arrived
        from ecomops.suppliers import recall_hooks

        from . import hooks, recalls, trace

        trace.register()  # CAT-05: a lot's page names the orders that took it
        # CAT-06: a recall case registers the orders that shipped its lots, and shows their buyers.
        recall_hooks.provide(register_orders=recalls.register_affected_orders, buyers=recalls.buyers)
        stock_arrived.connect(hooks.retry_when_stock_arrives, dispatch_uid="orders-retry-waiting")

        from . import jobs

        jobs.register()  # issue 17: the app's periodic jobs, run by `ecomops scheduler`

    def seed_reference_data(self) -> None:
        """Create the automatic review rules (ORD-03) when missing (after every migrate)."""
        from ecomops.orders.review import seed_review_rules

        seed_review_rules()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "ecomops.dispatch"
    label = "dispatch"
    verbose_name = _("发货批次")

    def ready(self) -> None:
        from ecomops.orders.signals import order_reviewed

        from .hooks import join_batch, register_bulk_actions

        register_bulk_actions()  # issue 15: "加入发货批次" on the order list

        # ORD-05: a reviewed order joins the next open ship batch as soon as its review commits.
        order_reviewed.connect(join_batch, dispatch_uid="dispatch-join-batch")

        from . import jobs

        jobs.register()  # issue 17: the app's periodic jobs, run by `ecomops scheduler`

"""Ship batches take reviewed orders from the orders module (ORD-05)."""


def join_batch(sender, order_ids=(), **kwargs) -> None:
    """The orders whose review just committed join the next open batch, all in one go."""
    from .actions import assign_many

    assign_many(order_ids)


def _add_to_batch(order, *, user, text: str = "", courier: str = "") -> None:
    from .actions import add_to_batch

    add_to_batch(order, user=user)


def register_bulk_actions() -> None:
    """The order list's batch action "加入发货批次" (issue 15): orders may not import dispatch, so the
    action is registered from here."""
    from django.utils.translation import gettext_lazy

    from ecomops.orders.bulk import BulkAction, register

    from .actions import PRINT_PERM

    register(BulkAction("ship_batch", gettext_lazy("加入发货批次"), PRINT_PERM, _add_to_batch, order=60))

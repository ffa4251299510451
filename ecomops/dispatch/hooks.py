from __future__ import annotations


def join_batch(sender, order_id=None, **kwargs) -> None:
    from ecomops.orders.models import Order

    from .actions import assign

    order = Order.objects.filter(pk=order_id).first()
    if order is not None:
        assign(order)

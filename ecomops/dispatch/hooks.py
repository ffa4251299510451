"""Ship batches take reviewed orders from the orders module (ORD-05)."""


def join_batch(sender, order_ids=(), **kwargs) -> None:
    """The orders whose review just committed join the next open batch, all in one go."""
    from .actions import assign_many

    assign_many(order_ids)

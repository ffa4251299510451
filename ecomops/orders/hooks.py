"""What other modules' events start in orders: imported orders go through automatic review (ORD-03),
and stock arriving in sellable bins retries the orders waiting for it (ORD-04). Both run after the
other module's transaction committed, each in transactions of their own."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def review_imported(*, store, order_ids) -> None:
    """Called by the order import after each committed chunk, with the store and the ids of the orders
    created or updated in it."""
    from .review import auto_review

    run = auto_review(order_ids)
    log.info("auto review of %d imported orders: %s", len(order_ids), run)


def retry_when_stock_arrives(sender, sku_ids=(), **kwargs) -> None:
    from .models import Order
    from .review import retry_waiting

    if Order.objects.filter(allocation_state="waiting_stock", lines__sku_id__in=list(sku_ids)).exists():
        retry_waiting(sku_ids=sku_ids)

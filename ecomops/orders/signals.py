"""``order_reviewed``: sent after the commit that reviewed an order and reserved its stock (ORD-04),
with its id — ship batches (ORD-05) take it from there."""

from django.dispatch import Signal

order_reviewed = Signal()

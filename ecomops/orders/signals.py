"""``order_reviewed``: sent after the commit that reviewed orders and reserved their stock (ORD-04),
with ``order_ids`` (a chunk of a run at a time) — ship batches (ORD-05) take it from there."""

from django.dispatch import Signal

order_reviewed = Signal()

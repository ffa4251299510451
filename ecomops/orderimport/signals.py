"""``orders_imported``: sent after each committed chunk of an import, with the store and the ids of
the orders created or updated in it (for automatic review and allocation to pick them up)."""

from django.dispatch import Signal

orders_imported = Signal()

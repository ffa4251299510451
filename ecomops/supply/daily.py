"""The daily run of supply (``ecomops supply-daily``): WMS-16 pick-up and month-end due items,
WMS-18 packaging cover.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from ecomops.inventory.models import Warehouse

from .packaging import check_packaging
from .returns import raise_return_dues


@dataclass
class DailyRun:
    pickups: int = 0
    uncollected: int = 0
    reorders: int = 0


def run_daily(on: date | None = None) -> DailyRun:
    """``ecomops supply-daily``: WMS-16 pick-up and month-end due items, WMS-18 packaging cover. Safe to
    run any number of times a day."""
    on = on or timezone.localdate()
    run = DailyRun()
    with transaction.atomic():
        run.pickups, run.uncollected = raise_return_dues(on)
    for warehouse in Warehouse.objects.filter(is_active=True).order_by("code"):
        with transaction.atomic():
            run.reorders += check_packaging(warehouse, on)
    return run

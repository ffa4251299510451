"""Demo data of the warehouse operations (issue 4 demo): an open transfer, shipped and in transit, and
an overdue sample loan. Deterministic; called by ``demo/org.py`` after the warehouses hold stock.

    from ecomops.demo.stockops import build
    build(admin=admin, client=client, from_warehouse=hz, to_warehouse=sh, skus=[sku1, sku2],
          samples_bin=None, today=today)

``skus`` must have stock in normal bins of ``from_warehouse`` (2 units each for the transfer and one
more of the first for the loan); ``samples_bin`` defaults to the first samples bin of the warehouse
(one is created, code ``SMP-01``, when there is none).
"""

from __future__ import annotations

from datetime import date, timedelta

from ecomops.inventory import actions as inventory
from ecomops.inventory.enums import BinKind
from ecomops.inventory.models import Bin
from ecomops.stockops import actions


def build(*, admin, client, from_warehouse, to_warehouse, skus, samples_bin=None, today: date | None = None) -> dict:
    """Returns {"transfer": Transfer, "loan": SampleLoan}. ``admin`` is a superuser (signs both)."""
    from django.utils import timezone

    today = today or timezone.localdate()
    transfer = actions.request_transfer(user=admin, client=client, from_warehouse=from_warehouse,
                                        to_warehouse=to_warehouse, lines=[(sku, 2) for sku in skus],
                                        note="演示：补充上海仓库存")
    transfer = actions.ship_transfer(transfer, user=admin)
    if samples_bin is None:
        samples_bin = Bin.objects.filter(warehouse=from_warehouse, kind=BinKind.SAMPLES, is_active=True).first()
        if samples_bin is None:
            samples_bin = inventory.create_bin(from_warehouse, user=admin, code="SMP-01", kind=BinKind.SAMPLES,
                                               pick_order=9000)
    days = actions.loan_days(today)
    loan = actions.lend_samples(user=admin, client=client, warehouse=from_warehouse, borrower="摄影组 林晓",
                                purpose="详情页拍摄", lines=[(skus[0], 1)], samples_bin=samples_bin,
                                lent_on=today - timedelta(days=days + 3))
    actions.flag_overdue_loans(today)
    return {"transfer": transfer, "loan": loan}

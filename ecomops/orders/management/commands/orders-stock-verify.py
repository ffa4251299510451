"""`ecomops orders-stock-verify`: every unit shipped here left the stock ledger exactly once (ORD-01,
WMS-10, WMS-13). Lists every difference (a shipped order or parcel without its moves, a double posting,
moves of an order not shipped here, stock still reserved for a shipped or cancelled order) and exits
with status 1, so a cron job or CI can alert on it. Read-only; run it daily next to ``stock-verify``.

    ecomops orders-stock-verify
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ecomops.orders.shipments import shipment_differences, totals


class Command(BaseCommand):
    help = "Check that every shipped order's and parcel's units left the stock ledger exactly once (WMS-10)."

    def handle(self, *args, **options):
        diffs = shipment_differences()
        for diff in diffs:
            self.stdout.write(str(diff))
        if diffs:
            raise CommandError(f"{len(diffs)} difference(s) between shipments and the stock ledger")
        total = totals()
        self.stdout.write(f"every shipped unit left the ledger exactly once: {total.orders} order(s), "
                          f"{total.units} unit(s) (发货出库相符)")

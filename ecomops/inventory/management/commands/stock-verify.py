"""ecomops stock-verify [--warehouse CODE]: balances against the ledger (账物相符, WMS-13).
Exit status 1 when any difference is found, so a cron job or CI can alert on it."""

from django.core.management.base import BaseCommand, CommandError

from ecomops.inventory.models import Warehouse
from ecomops.inventory.verify import differences


class Command(BaseCommand):
    help = "Check that every stock balance equals the ledger and the active reservations (WMS-13)."

    def add_arguments(self, parser):
        parser.add_argument("--warehouse", help="only this warehouse (code)")

    def handle(self, *args, warehouse=None, **options):
        warehouse_id = None
        if warehouse:
            found = Warehouse.objects.filter(code=warehouse).first()
            if found is None:
                raise CommandError(f"no warehouse with code {warehouse}")
            warehouse_id = found.pk
        diffs = differences(warehouse_id)
        for diff in diffs:
            self.stdout.write(str(diff))
        if diffs:
            raise CommandError(f"{len(diffs)} difference(s) between balances and the ledger")
        self.stdout.write("balances equal the ledger (账物相符)")

"""ecomops stock-report --month 2026-11 --warehouse HZ -o file.xlsx [--client CODE]: the monthly
in/out/balance report per SKU (WMS-19) as .xlsx, for every client (run by the operator)."""

from django.core.management.base import BaseCommand, CommandError

from ecomops.core.errors import BusinessError
from ecomops.inventory.closing import movement_totals
from ecomops.inventory.models import Warehouse
from ecomops.inventory.report import parse_month, write_monthly_xlsx
from ecomops.org.models import Client


class Command(BaseCommand):
    help = "Write the monthly in/out/balance report per SKU of one warehouse as .xlsx (WMS-19)."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--warehouse", required=True, help="warehouse code")
        parser.add_argument("-o", "--output", required=True, help="the .xlsx file to write")
        parser.add_argument("--client", help="only this client (code)")

    def handle(self, *args, month, warehouse, output, client=None, **options):
        try:
            start, end = parse_month(month)
        except BusinessError as error:
            raise CommandError(error.message) from None
        found = Warehouse.objects.filter(code=warehouse).first()
        if found is None:
            raise CommandError(f"no warehouse with code {warehouse}")
        client_ids = None
        if client:
            chosen = Client.objects.filter(code=client).first()
            if chosen is None:
                raise CommandError(f"no client with code {client}")
            client_ids = [chosen.pk]
        rows = movement_totals(found, start, end, client_ids=client_ids)
        with open(output, "wb") as out:
            write_monthly_xlsx(found, month, rows, out)
        self.stdout.write(f"{len(rows)} SKU row(s) written to {output}")

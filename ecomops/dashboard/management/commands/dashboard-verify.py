"""ecomops dashboard-verify [--repair]: the dashboard's summary tables against the orders (DAT-01).
Exit status 1 when any difference is found, so a cron job or CI can alert on it (like stock-verify)."""

from django.core.management.base import BaseCommand, CommandError

from ecomops.dashboard.summaries import differences, repair


class Command(BaseCommand):
    help = "Check that every summarised day of the dashboard equals what the orders give (DAT-01)."

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="rebuild the days that differ")

    def handle(self, *args, **options):
        found = differences()
        for diff in found:
            self.stdout.write(str(diff))
        if found and options["repair"]:
            self.stdout.write(f"rebuilt {repair(found)} day(s)")
        if found:
            raise CommandError(f"{len(found)} difference(s) between the dashboard summaries and the orders")
        self.stdout.write("summaries equal the orders")

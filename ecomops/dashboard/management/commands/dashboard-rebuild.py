"""ecomops dashboard-rebuild [--all]: bring the dashboard's summary tables up to date (DAT-01).

Without ``--all``: the closed days not summarised yet and the days touched since the last refresh (what
the scheduler's ``dashboard.summaries`` job does every ten minutes). With ``--all``: every closed day."""

from django.core.management.base import BaseCommand

from ecomops.dashboard.summaries import refresh


class Command(BaseCommand):
    help = "Rebuild the dashboard's daily summary tables from the orders (DAT-01)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="rebuild every closed day, not only the changed ones")

    def handle(self, *args, all=False, **options):  # noqa: A002 - the option's name
        def progress(done: int, total: int) -> None:
            self.stdout.write(f"  {done}/{total} days")

        result = refresh(full=all, progress=progress if options["verbosity"] > 1 else None)
        if result.days:
            self.stdout.write(f"rebuilt {result.days} day(s), {result.first} .. {result.last}, "
                              f"in {result.seconds:.1f} s")
        else:
            self.stdout.write("summaries are up to date")

"""`ecomops supply-daily [--date YYYY-MM-DD]`: the daily supply run. Raises the WMS-16 pick-up due items
of supplier returns whose rhythm says they are due (manufacturer daily, purchased goods weekly) and the
month-end list of returns not collected within their month (to purchasing and finance), and the WMS-18
packaging reorder items where cover fell below the policy days. Safe to run any number of times a day."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from ecomops.supply.daily import run_daily


class Command(BaseCommand):
    help = "Raise WMS-16 supplier-return and WMS-18 packaging due items (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--date", metavar="YYYY-MM-DD", help="run as of this day (default: today)")

    def handle(self, *args, date: str | None = None, **options):
        on = None
        if date:
            try:
                on = _parse(date)
            except ValueError:
                raise CommandError(f"--date must be YYYY-MM-DD, got {date!r}") from None
        run = run_daily(on)
        self.stdout.write(
            f"WMS-16: {run.pickups} return(s) due for pick-up, {run.uncollected} not collected within their month; "
            f"WMS-18: {run.reorders} packaging reorder(s) opened"
        )


def _parse(text: str):
    return date.fromisoformat(text)

"""ecomops stock-daily-samples [--date YYYY-MM-DD]: flag overdue sample loans (WMS-12).

Run daily: each sample loan past its due date raises a due item to the warehouse supervisor (once per
loan and supervisor; running it again changes nothing)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from ecomops.stockops.actions import flag_overdue_loans


class Command(BaseCommand):
    help = "Raise a due item to the warehouse supervisor for every overdue sample loan (WMS-12)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to check (default today, Asia/Shanghai)")

    def handle(self, *args, date=None, **options):
        day = None
        if date:
            try:
                day = _parse(date)
            except ValueError:
                raise CommandError(f"bad date {date!r}, expected YYYY-MM-DD") from None
        raised = flag_overdue_loans(day)
        self.stdout.write(f"{len(raised)} overdue sample loan due item(s)")


def _parse(text: str):
    return date.fromisoformat(text)

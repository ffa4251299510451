"""`ecomops qualifications-due`: the daily STO-04 run. Raises renewal due items for certificates that
expire within the reminder period (policy STO-04.renewal_reminder_before) and counts the expired
ones, whose items are then late. Safe to run any number of times a day.

    ecomops qualifications-due
    ecomops qualifications-due --date 2025-06-30
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from ecomops.stores.dues import raise_renewal_dues


class Command(BaseCommand):
    help = "Raise STO-04 renewal due items for qualifications expiring within the reminder period (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--date", metavar="YYYY-MM-DD", help="run as of this day (default: today)")

    def handle(self, *args, date: str | None = None, **options):
        on = None
        if date:
            try:
                on = _parse(date)
            except ValueError:
                raise CommandError(f"--date must be YYYY-MM-DD, got {date!r}") from None
        run = raise_renewal_dues(on)
        self.stdout.write(
            f"STO-04 renewal reminders: {run.raised} raised, {run.already} already open or done, "
            f"{run.expired} qualification(s) expired and not renewed"
        )


def _parse(text: str):
    return date.fromisoformat(text)

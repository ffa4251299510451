"""`ecomops order-imports-purge`: the daily LAW-04 run. Deletes the uploaded platform exports (buyers'
names, phones, addresses) of import jobs older than LAW-04.import_file_keep_days, and files that no job
holds; the jobs keep their counts and error rows and show when their file went. Safe to run any
number of times.

    ecomops order-imports-purge
    ecomops order-imports-purge --at 2026-03-05T02:00
"""

from __future__ import annotations

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ecomops.orderimport.actions import purge_files


class Command(BaseCommand):
    help = "Delete order-import files past LAW-04.import_file_keep_days (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--at", metavar="YYYY-MM-DDTHH:MM", help="run as of this local time (default: now)")

    def handle(self, *args, at: str | None = None, **options):
        now = None
        if at:
            try:
                now = datetime.fromisoformat(at)
            except ValueError:
                raise CommandError(f"--at must be YYYY-MM-DDTHH:MM, got {at!r}") from None
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        done = purge_files(now=now)
        self.stdout.write(f"LAW-04 order-import files: {done['purged']} purged (kept {done['days']} days), "
                          f"{done['orphans']} file(s) without a job removed")

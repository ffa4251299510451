"""`ecomops ship-batches-close [--at YYYY-MM-DDTHH:MM]`: close the ship batches whose cut-off passed,
put reviewed orders not yet in a batch into one, and after the day's last cut-off flag the orders
placed before the same-day cut-off that were not reviewed and printed in time (ORD-05). Run it from
cron every few minutes; it is idempotent."""

from __future__ import annotations

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ecomops.dispatch import actions


class Command(BaseCommand):
    help = "Close ship batches past their cut-off, assign pending reviewed orders, flag late orders (ORD-05)."

    def add_arguments(self, parser):
        parser.add_argument("--at", metavar="YYYY-MM-DDTHH:MM", help="run as of this local time (default: now)")

    def handle(self, *args, at: str | None = None, **options):
        now = timezone.now()
        if at:
            try:
                now = datetime.fromisoformat(at)
            except ValueError:
                raise CommandError(f"--at must be YYYY-MM-DDTHH:MM, got {at!r}") from None
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        assigned = actions.assign_pending(at=now)
        closed = actions.close_due_batches(at=now)
        flagged = actions.flag_late(timezone.localtime(now).date(), at=now)
        self.stdout.write(f"ORD-05: {assigned} assigned, {closed} batch(es) closed, {flagged} late order(s) flagged")

"""`ecomops orders-late`: the ORD-09 run. Orders still unconfirmed past the policy time after payment
(ORD-09.confirm_within) get the late flag and a due item for the store's customer service. Safe to
run any number of times.

    ecomops orders-late
    ecomops orders-late --at 2026-03-05T09:00
"""

from __future__ import annotations

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ecomops.orders.actions import flag_late_confirmations


class Command(BaseCommand):
    help = "Flag orders not confirmed within ORD-09.confirm_within of payment and raise due items (idempotent)."

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
        run = flag_late_confirmations(now)
        self.stdout.write(f"ORD-09 late confirmations: {run.flagged} newly flagged, {run.raised} due item(s) raised")

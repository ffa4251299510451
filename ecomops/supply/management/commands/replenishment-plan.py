"""`ecomops replenishment-plan --warehouse HZ [--date YYYY-MM-DD]`: the day's replenishment plans of a
warehouse (WMS-14), one per client whose goods need ordering; each goes to approval. Run again the same
day, the existing plans are kept."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from ecomops.inventory.models import Warehouse
from ecomops.supply.plans import build_plans


class Command(BaseCommand):
    help = "Build the day's WMS-14 replenishment plans of a warehouse (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--warehouse", required=True, help="warehouse code")
        parser.add_argument("--date", metavar="YYYY-MM-DD", help="plan day (default: today)")

    def handle(self, *args, warehouse: str, date: str | None = None, **options):
        found = Warehouse.objects.filter(code=warehouse).first()
        if found is None:
            raise CommandError(f"no warehouse with code {warehouse}")
        on = None
        if date:
            try:
                on = _parse(date)
            except ValueError:
                raise CommandError(f"--date must be YYYY-MM-DD, got {date!r}") from None
        plans = build_plans(warehouse=found, on=on)
        for plan in plans:
            lines = plan.lines.count()
            self.stdout.write(f"{plan.number} {plan.client.code} {lines} line(s) {plan.state}")
        self.stdout.write(f"WMS-14 replenishment: {len(plans)} plan(s) for {found.code}")


def _parse(text: str):
    return date.fromisoformat(text)

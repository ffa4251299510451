"""`ecomops orders-allocate`: run automatic review (ORD-03) over paid orders not reviewed yet and retry
the out-of-stock queue (ORD-04). Safe to run any number of times; run it every few minutes from cron
as a safety net (imports and arriving stock start both on their own).

    ecomops orders-allocate
    ecomops orders-allocate --retry-only
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from ecomops.orders.review import auto_review, retry_waiting


class Command(BaseCommand):
    help = "Automatic order review and stock allocation (ORD-03/04), then retry orders waiting for stock."

    def add_arguments(self, parser):
        parser.add_argument("--retry-only", action="store_true", help="only retry the out-of-stock queue")

    def handle(self, *args, retry_only: bool = False, **options):
        if not retry_only:
            run = auto_review()
            self.stdout.write(f"ORD-03 自动审单 / auto review: {run.reviewed} reviewed, {run.manual} to a person, "
                              f"{run.waiting} waiting for stock")
        retry = retry_waiting()
        self.stdout.write(f"ORD-04 缺货重试 / retried: {retry.reviewed} allocated, {retry.waiting} still waiting")

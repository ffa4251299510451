"""ecomops stock-daily-holds: the daily clean-up of customer holds (WMS-11). Every hold past its expiry
is released and the goods return to normal sale. Safe to run any number of times a day."""

from django.core.management.base import BaseCommand

from ecomops.inventory.holds import release_expired


class Command(BaseCommand):
    help = "Release customer holds whose expiry has passed (WMS-11); idempotent."

    def handle(self, *args, **options):
        released = release_expired()
        for hold in released:
            expired = f"{hold.expires_at:%Y-%m-%d %H:%M}"
            self.stdout.write(f"{hold.number} sku={hold.sku_id} x{hold.quantity} released (expired {expired})")
        self.stdout.write(f"{len(released)} expired hold(s) released")

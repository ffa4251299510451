"""ecomops waybills --batch NUMBER [--size 100x180|76x130] [-o FILE]: the electronic waybills of a
printed ship batch's orders (LOG-02, LAW-04 masking), one label per page, in the batch's print order.
Orders without a carrier and tracking number yet are listed and left out."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ecomops.dispatch.actions import ordered_entries
from ecomops.dispatch.models import BatchOrder, ShipBatch
from ecomops.logistics.waybills import DEFAULT_SIZE, SIZES, label_for_order, render


class Command(BaseCommand):
    help = "Write the electronic waybills (PDF) of a ship batch's printed orders."

    def add_arguments(self, parser):
        parser.add_argument("--batch", required=True, help="the ship batch number (批次号)")
        parser.add_argument("--size", default=DEFAULT_SIZE, choices=sorted(SIZES), help="label size in mm")
        parser.add_argument("-o", "--output", help="the PDF to write (default: waybills-<batch>.pdf)")

    def handle(self, *args, batch, size, output=None, **options):
        found = ShipBatch.objects.filter(number=batch).first()
        if found is None:
            raise CommandError(f"no ship batch {batch}")
        entries = ordered_entries(found, BatchOrder.objects.filter(batch=found, printed_at__isnull=False)
                                  .select_related("order__store", "order__warehouse"))
        labels, missing = [], []
        for entry in entries:
            if entry.order.tracking_no and entry.order.courier:
                labels.append(label_for_order(entry.order))
            else:
                missing.append(entry.order.platform_order_no)
        for number in missing:
            self.stdout.write(f"skipped {number}: no carrier and tracking number yet")
        if not labels:
            raise CommandError(f"batch {batch} has no printed order with a tracking number")
        path = Path(output or f"waybills-{batch}.pdf")
        path.write_bytes(render(labels, size=size))
        self.stdout.write(f"{len(labels)} waybill(s) written to {path}")

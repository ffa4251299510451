"""ecomops waybills --batch NUMBER [--carrier CODE [--user NAME]] [--size 100x180|76x130] [-o FILE]: the
electronic waybills of a printed ship batch's orders (LOG-02, LAW-04 masking), one label per page, in the
batch's print order. With ``--carrier``, the printed orders without a tracking number first get one of
that carrier (``logistics.numbers.assign``: its pool, imported numbers or API; all or nothing), acting as
``--user`` (default: the first active superuser). Orders still without a carrier and tracking number are
listed and left out."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ecomops.catalog.management import acting_user
from ecomops.core.errors import BusinessError
from ecomops.dispatch.actions import ordered_entries
from ecomops.dispatch.models import BatchOrder, ShipBatch
from ecomops.logistics import numbers
from ecomops.logistics.models import Carrier
from ecomops.logistics.waybills import DEFAULT_SIZE, SIZES, label_for_order, render


class Command(BaseCommand):
    help = "Write the electronic waybills (PDF) of a ship batch's printed orders."

    def add_arguments(self, parser):
        parser.add_argument("--batch", required=True, help="the ship batch number (批次号)")
        parser.add_argument("--carrier", help="give the orders without a tracking number one of this carrier (code)")
        parser.add_argument("--user", help="acting account for --carrier (default: the first active superuser)")
        parser.add_argument("--size", default=DEFAULT_SIZE, choices=sorted(SIZES), help="label size in mm")
        parser.add_argument("-o", "--output", help="the PDF to write (default: waybills-<batch>.pdf)")

    def handle(self, *args, batch, size, output=None, carrier=None, user=None, **options):
        found = ShipBatch.objects.filter(number=batch).first()
        if found is None:
            raise CommandError(f"no ship batch {batch}")
        printed = BatchOrder.objects.filter(batch=found, printed_at__isnull=False)
        if carrier:
            self._assign(printed, carrier, user)
        entries = ordered_entries(found, printed.select_related("order__store", "order__warehouse"))
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

    def _assign(self, printed, code: str, username: str | None) -> None:
        carrier = Carrier.objects.filter(code=code).first()
        if carrier is None:
            known = ", ".join(Carrier.objects.values_list("code", flat=True))
            raise CommandError(f"no carrier {code}; carriers: {known}")
        account = acting_user(username)
        lacking = list(printed.filter(order__tracking_no="", order__state__in=numbers.ASSIGNABLE).order_by("pk")
                       .values_list("order_id", flat=True))
        if not lacking:
            return
        try:
            result = numbers.assign(lacking, carrier, user=account)
        except BusinessError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"{len(result.given)} tracking number(s) of {carrier.code} given")

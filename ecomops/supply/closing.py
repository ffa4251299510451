"""What of supply keeps a warehouse's day from closing (日清日结, WMS-13): supplier returns marked
ready and not yet handed over (the goods are on their way out), and packaging receipts not posted.
Registered with ``ecomops.inventory.closing.register_open_documents`` in ``apps.ready``."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.inventory.closing import OpenDocument

from .enums import PackagingReceiptState, ReturnState
from .models import PackagingReceipt, SupplierReturn


def open_documents(warehouse, day: date) -> list[tuple[str, str, str]]:
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    found = []
    for ret in SupplierReturn.objects.filter(warehouse=warehouse, state=ReturnState.READY,
                                             ready_at__lt=end).order_by("pk"):
        found.append(OpenDocument(ret.number, _("退厂单已备货，待交接供应商"),
                                  reverse("supply:return_detail", args=[ret.pk]), ret))
    receipts = (PackagingReceipt.objects.filter(warehouse=warehouse, state=PackagingReceiptState.DRAFT,
                                                created_at__lt=end, lines__isnull=False).distinct().order_by("pk"))
    for receipt in receipts:
        found.append(OpenDocument(receipt.number, _("包材入库单未过账"),
                                  reverse("supply:packaging_receipt_detail", args=[receipt.pk]), receipt))
    return found

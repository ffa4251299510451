"""Receipts that block the daily close (WMS-13): not yet signed, booked, inspected or put away."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecomops.inventory.closing import OpenDocument

from .enums import OPEN_STATES, ReceiptState
from .models import Receipt, ReceiptLine

WHAT = {
    ReceiptState.DRAFT: gettext_lazy("收货中，未签字"),
    ReceiptState.RECEIVER_SIGNED: gettext_lazy("仓库主管未签字"),
    ReceiptState.SIGNED: gettext_lazy("已签字未记账"),
    ReceiptState.BOOKED: gettext_lazy("质检未完成"),
    ReceiptState.INSPECTED: gettext_lazy("上架未完成"),
}


def open_documents(warehouse, day: date) -> list[tuple[str, str, str]]:
    """``(number, description, url)`` of the open receipts of ``warehouse`` created on ``day`` or
    before. A draft without any line (nothing received yet) blocks nothing."""
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    has_lines = Exists(ReceiptLine.objects.filter(receipt=OuterRef("pk")))
    receipts = (
        Receipt.objects.filter(warehouse=warehouse, state__in=OPEN_STATES, created_at__lt=end)
        .annotate(has_lines=has_lines).exclude(state=ReceiptState.DRAFT, has_lines=False).order_by("pk")
    )
    return [
        OpenDocument(r.number, _("入库单：%(what)s") % {"what": WHAT[r.state]},
                     reverse("receiving:receipt_detail", args=[r.pk]), r)
        for r in receipts
    ]

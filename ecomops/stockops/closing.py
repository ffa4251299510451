"""Open documents of this app that block a warehouse's daily close (日清日结, WMS-13).

``open_documents(warehouse, day)`` lists (number, description, url) of the documents touching the
warehouse, opened on or before ``day``, that are not yet posted or signed:
- transfers requested out of the warehouse and not shipped (the shipping keeper has not signed);
- count sheets being counted or waiting for approval;
- scrap notes waiting for approval or posting.
Transfers already shipped are signed and booked (the goods sit in the source's TRANSIT bin, visible
on the in-transit page) and do not block either side's close; sample loans are booked when lent.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.inventory.closing import OpenDocument

from .enums import CountState, ScrapState, TransferState
from .models import CountSheet, ScrapNote, Transfer


def open_documents(warehouse, day: date) -> list[tuple[str, str, str]]:
    until = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    found = []
    for t in Transfer.objects.filter(from_warehouse=warehouse, state=TransferState.REQUESTED, requested_at__lt=until):
        found.append(OpenDocument(t.number, _("调拨单未发货签字"), reverse("stockops:transfer_detail", args=[t.pk]), t))
    sheets = CountSheet.objects.filter(warehouse=warehouse, snapshot_at__lt=until,
                                       state__in=[CountState.COUNTING, CountState.SUBMITTED])
    for s in sheets:
        found.append(OpenDocument(s.number, _("盘点单未审核过账"), reverse("stockops:count_detail", args=[s.pk]), s))
    notes = ScrapNote.objects.filter(warehouse=warehouse, created_at__lt=until,
                                     state__in=[ScrapState.DRAFT, ScrapState.APPROVED])
    for n in notes:
        found.append(OpenDocument(n.number, _("报废单未过账"), reverse("stockops:scrap_detail", args=[n.pk]), n))
    return found

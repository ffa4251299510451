"""STO-04: renewal reminders as due items, raised daily by ``ecomops qualifications-due``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.audit import dues
from ecomops.audit.models import DueItem

from .actions import RENEWAL_DUE_KIND
from .models import Qualification
from .queries import reminder_until, renewal_owners


@dataclass
class DueRun:
    raised: int = 0  # new due items
    already: int = 0  # qualifications whose items existed already
    expired: int = 0  # qualifications past their end date and not renewed (their items are late)


def _deadline(day: date) -> datetime:
    """The end of the last valid day, Asia/Shanghai: after it the reminder is late."""
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def raise_renewal_dues(on: date | None = None) -> DueRun:
    """Raise a due item for every current qualification ending within the reminder period (or already
    ended), to each of its owners. Idempotent: an item is created once per qualification and owner."""
    on = on or timezone.localdate()
    run = DueRun()
    source_type = ContentType.objects.get_for_model(Qualification)
    candidates = (
        Qualification.objects.filter(replaced_by__isnull=True, valid_to__isnull=False, valid_to__lte=reminder_until(on))
        .select_related("client", "store")
        .order_by("valid_to", "pk")
    )
    for q in candidates:
        if q.valid_to < on:
            run.expired += 1
        title = _("资质到期续办：%(holder)s %(kind)s %(number)s（%(day)s 到期）") % {
            "holder": q.holder_display, "kind": q.get_kind_display(), "number": q.number,
            "day": q.valid_to.isoformat()}
        for owner in renewal_owners(q):
            exists = DueItem.objects.filter(
                kind=RENEWAL_DUE_KIND, owner=owner, source_type=source_type, source_id=str(q.pk)
            ).exists()
            dues.raise_due(
                kind=RENEWAL_DUE_KIND, owner=owner, title=title, due_at=_deadline(q.valid_to), source=q,
                clause="STO-04", link=reverse("stores:qualification_detail", args=[q.pk]),
                client=q.client, store=q.store,
            )
            if exists:
                run.already += 1
            else:
                run.raised += 1
    return run

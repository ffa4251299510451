"""What every business document shares: a number from a gap-free daily series, a state that moves
only along its ``*_FLOW`` map, who made it and when, the audit history, and the client it belongs to
(which scopes who may see it).

A new document is a subclass of :class:`Document` naming its prefix, its flow and the labels its
users know the common fields by, plus its own fields::

    class Receipt(Document):
        number_prefix = "RK"
        flow = RECEIPT_FLOW
        labels = {"number": _("入库单号")}
        state = models.CharField(_("状态"), max_length=20, choices=ReceiptState, default=ReceiptState.DRAFT)
        history = audited()

and its actions call ``doc.assign_number()`` when they create it and ``doc.move(to, user=…)`` to
change its state (``core.flow.transition``: map checked, saved with who and why, event written).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import ClassVar

from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.db.models.signals import class_prepared
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .flow import transition


class DocumentCounter(models.Model):
    """The last number handed out per prefix and day (e.g. YK20261123-0007)."""

    prefix = models.CharField(max_length=8)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        # Created by the inventory app, where numbering began; the table keeps its name.
        db_table = "inventory_documentcounter"
        verbose_name = _("单据编号计数器")
        verbose_name_plural = _("单据编号计数器")
        constraints = [models.UniqueConstraint(fields=["prefix", "day"], name="inventory_counter_unique")]

    def __str__(self) -> str:
        return f"{self.prefix}{self.day:%Y%m%d}: {self.last}"


def next_number(prefix: str, on: date | None = None) -> str:
    """The next document number for ``prefix`` on a day, e.g. ``YK20261123-0007``; gap-free per day and
    safe under parallel callers (the counter row is locked and incremented in the database)."""
    day = on or timezone.localdate()
    with transaction.atomic():
        DocumentCounter.objects.bulk_create([DocumentCounter(prefix=prefix, day=day, last=0)], ignore_conflicts=True)
        counter = DocumentCounter.objects.select_for_update().get(prefix=prefix, day=day)
        DocumentCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
        counter.refresh_from_db(fields=["last"])
        return f"{prefix}{day:%Y%m%d}-{counter.last:04d}"


class Document(models.Model):
    """Abstract base of a numbered, client-scoped document with a lifecycle. Subclasses add ``state``
    (with their choices), ``history = audited()`` and their own fields."""

    number_prefix: ClassVar[str] = ""
    flow: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    #: The names users know the common fields by in this document (field name → label).
    labels: ClassVar[Mapping[str, str]] = {}

    number = models.CharField(_("单号"), max_length=40, unique=True)
    client = models.ForeignKey("org.Client", verbose_name=_("委托方"), on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("制单人"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("制单时间"), auto_now_add=True)

    scope_client_field = "client"

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.number

    def assign_number(self, on: date | None = None) -> str:
        if not self.number:
            self.number = next_number(self.number_prefix, on)
        return self.number

    def move(self, to: str, *, user, reason: str = "", **kwargs) -> str:
        """Change the state along ``flow`` (see :func:`ecomops.core.flow.transition`)."""
        return transition(self, to, flow=self.flow, user=user, reason=reason, **kwargs)


def _apply_labels(sender, **kwargs) -> None:
    """Give each document's copy of the common fields the label its users know it by."""
    if issubclass(sender, Document) and not sender._meta.abstract:
        for name, label in sender.labels.items():
            field = sender._meta.get_field(name)
            # Django deconstructs a field (for migrations, and simple-history's copy) from _verbose_name.
            field.verbose_name = field._verbose_name = label  # noqa: SLF001


class_prepared.connect(_apply_labels, dispatch_uid="ecomops-document-labels")

"""The daily close (日清日结, WMS-13) and the in/out/balance figures behind it and the monthly report
(WMS-19).

- Modules with documents that must be finished before a day can be closed register a function with
  ``register_open_documents(label, fn)``; ``fn(warehouse, day)`` returns ``[(number, description, url)]``
  for the unfinished documents of that warehouse dated ``day`` or earlier (receiving registers its
  unsigned receipts, stock operations their open transfers and counts …). The core's own drafts are
  registered here.
- ``close_day`` refuses while any are open (listing them), then freezes the day's in/out/balance per
  SKU in ``DailyClose.summary``. The ledger refuses every posting into a closed day.
- ``movement_totals`` sums the ledger with GROUP BY in the database: opening, in, out and closing per
  SKU for any period, so it costs one query per direction whatever the size of the ledger.

In and out are seen from the warehouse: a movement between two bins of the same warehouse (bin move,
put-away, to the defective bin, into its transit bin) changes neither; a movement from outside, or
from another warehouse, is an in; one to outside or to another warehouse is an out. A reversal counts
in the direction it moves the goods.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.core.access import may_open
from ecomops.core.errors import BusinessError, Conflict
from ecomops.org.actions import require_internal, require_perm

from .enums import DocState
from .models import DailyClose, StockDocument, StockMove, Warehouse

CLOSE_PERM = "inventory.close_day"

class OpenDocument(tuple):
    """``(number, description, url)``, carrying the document itself as ``record`` (not unpacked), so a
    page can tell whether its viewer may open it (another client's receipt blocks the warehouse's close
    too, but a clerk of one client sees it without a link)."""

    record = None

    def __new__(cls, number: str, description: str, url: str, record=None):
        made = super().__new__(cls, (number, description, url))
        made.record = record
        return made


class Blocking(tuple):
    """``(source label, number, description, url)`` of ``open_documents``, with the ``record``."""

    record = None

    def __new__(cls, label: str, entry):
        made = super().__new__(cls, (label, *entry[:3]))
        made.record = getattr(entry, "record", None)
        return made


OpenDocumentsFn = Callable[[Warehouse, date], Iterable[tuple[str, str, str]]]

_registry: dict[str, OpenDocumentsFn] = {}


def register_open_documents(label: str, fn: OpenDocumentsFn) -> None:
    """Register a source of documents that block the daily close (WMS-13). Registering the same label
    again replaces the function (so an app's ``ready()`` may run twice in tests)."""
    _registry[label] = fn


def registered() -> dict[str, OpenDocumentsFn]:
    return dict(_registry)


def open_documents(warehouse: Warehouse, day: date) -> list[tuple[str, str, str, str]]:
    """Every unfinished document of ``warehouse`` dated ``day`` or earlier: (source label, number,
    description, url)."""
    return [Blocking(label, entry) for label, fn in _registry.items() for entry in fn(warehouse, day)]


def as_seen_by(user, blocking: list) -> list[tuple[str, str, str, str]]:
    """The blocking documents as ``user`` may follow them: the link is left out (the number and what is
    missing stay) where the page would answer 403, or 404 because the document is another client's."""
    seen = []
    for entry in blocking:
        label, number, description, url = entry
        record = getattr(entry, "record", None)
        manager = getattr(type(record), "objects", None)
        visible = may_open(user, url) and (
            record is None or not hasattr(manager, "visible_to")
            or manager.visible_to(user).filter(pk=record.pk).exists())
        seen.append((label, number, description, url if visible else ""))
    return seen


def _core_drafts(warehouse: Warehouse, day: date) -> list[OpenDocument]:
    """The core's own documents (bin moves, outbounds, openings) still in draft with lines on them.
    An empty draft (a cancelled one, or one nobody filled) has nothing to post and blocks nothing."""
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    drafts = (
        StockDocument.objects.filter(warehouse=warehouse, state=DocState.DRAFT, created_at__lt=end, lines__isnull=False)
        .distinct()
        .order_by("pk")
    )
    return [
        OpenDocument(d.number, _("%(kind)s 草稿未过账") % {"kind": d.get_kind_display()},
                     reverse("inventory:document_detail", args=[d.pk]), d)
        for d in drafts
    ]


register_open_documents("inventory", _core_drafts)


# --- in / out / balance ---------------------------------------------------------------------------


@dataclass
class Totals:
    sku_id: int
    client_id: int
    sku_code: str
    style_no: str
    name: str
    colour: str
    size: str
    opening: int = 0
    inbound: int = 0
    outbound: int = 0

    @property
    def closing(self) -> int:
        return self.opening + self.inbound - self.outbound

    def as_dict(self) -> dict:
        return {
            "sku_id": self.sku_id, "client_id": self.client_id, "sku_code": self.sku_code, "style_no": self.style_no,
            "name": self.name, "colour": self.colour, "size": self.size, "opening": self.opening,
            "in": self.inbound, "out": self.outbound, "closing": self.closing,
        }


_SKU_FIELDS = ("sku_id", "client_id", "sku__sku_code", "sku__style__style_no", "sku__style__name", "sku__colour",
               "sku__size")


def movement_totals(warehouse: Warehouse, start: date, end: date, *, client_ids: Iterable[int] | None = None,
                    sku_id: int | None = None) -> list[Totals]:
    """Opening (before ``start``), in and out (``start``…``end`` inclusive) and closing per SKU of
    ``warehouse``, summed in the database (two GROUP BY queries). ``client_ids`` limits it to those
    clients (scoping); SKUs with nothing before or in the period are left out."""
    moves = StockMove.objects.filter(business_day__lte=end)
    if client_ids is not None:
        moves = moves.filter(client_id__in=list(client_ids))
    if sku_id is not None:
        moves = moves.filter(sku_id=sku_id)
    before, during = Q(business_day__lt=start), Q(business_day__gte=start)
    ins = (
        moves.filter(to_warehouse=warehouse).exclude(from_warehouse=warehouse)
        .values(*_SKU_FIELDS).annotate(before=Sum("quantity", filter=before), during=Sum("quantity", filter=during))
        .order_by()
    )
    outs = (
        moves.filter(from_warehouse=warehouse).exclude(to_warehouse=warehouse)
        .values(*_SKU_FIELDS).annotate(before=Sum("quantity", filter=before), during=Sum("quantity", filter=during))
        .order_by()
    )
    rows: dict[int, Totals] = {}

    def row_of(values) -> Totals:
        found = rows.get(values["sku_id"])
        if found is None:
            found = rows[values["sku_id"]] = Totals(
                sku_id=values["sku_id"], client_id=values["client_id"], sku_code=values["sku__sku_code"],
                style_no=values["sku__style__style_no"], name=values["sku__style__name"],
                colour=values["sku__colour"], size=values["sku__size"],
            )
        return found

    for values in ins.iterator(chunk_size=2000):
        row = row_of(values)
        row.opening += values["before"] or 0
        row.inbound += values["during"] or 0
    for values in outs.iterator(chunk_size=2000):
        row = row_of(values)
        row.opening -= values["before"] or 0
        row.outbound += values["during"] or 0
    return sorted(
        (r for r in rows.values() if r.opening or r.inbound or r.outbound), key=lambda r: (r.sku_code, r.sku_id)
    )


def document_counts(warehouse: Warehouse, day: date) -> dict[str, int]:
    """How many documents of each kind moved stock in ``warehouse`` on ``day``."""
    rows = (
        StockMove.objects.filter(business_day=day)
        .filter(Q(from_warehouse=warehouse) | Q(to_warehouse=warehouse))
        .values("doc_kind").annotate(n=Count("doc_id", distinct=True)).order_by("doc_kind")
    )
    return {r["doc_kind"]: r["n"] for r in rows}


def day_summary(warehouse: Warehouse, day: date) -> dict:
    rows = movement_totals(warehouse, day, day)
    return {
        "day": day.isoformat(),
        "warehouse": warehouse.code,
        "rows": [r.as_dict() for r in rows],
        "totals": {
            "opening": sum(r.opening for r in rows), "in": sum(r.inbound for r in rows),
            "out": sum(r.outbound for r in rows), "closing": sum(r.closing for r in rows),
        },
        "documents": document_counts(warehouse, day),
    }


class DayNotClosable(BusinessError):
    """Open documents block the close; ``documents`` lists them (label, number, description, url)."""

    def __init__(self, message: str, documents: list):
        super().__init__(message, field="day")
        self.documents = documents


@transaction.atomic
def close_day(warehouse: Warehouse, day: date, user) -> DailyClose:
    """Close ``day`` for ``warehouse`` (日清日结, WMS-13): refused without the permission, for a day in
    the future, a day already closed, or while any registered document is still open; otherwise the
    day's in/out/balance per SKU is frozen and nothing more can be posted into that day."""
    require_perm(user, CLOSE_PERM)
    require_internal(user)
    today = timezone.localdate()
    if day > today:
        raise BusinessError(_("不能日结未来的日期 %(day)s") % {"day": day}, field="day")
    # Lock the warehouse row so two closes of the same warehouse queue.
    Warehouse.objects.select_for_update().filter(pk=warehouse.pk).first()
    if DailyClose.objects.filter(warehouse=warehouse, day=day).exists():
        raise Conflict(_("仓库 %(wh)s %(day)s 已日结") % {"wh": warehouse.code, "day": day}, field="day")
    blocking = open_documents(warehouse, day)
    if blocking:
        listed = "、".join(number for _label, number, _d, _u in blocking[:20])
        more = _("等 %(n)s 张") % {"n": len(blocking)} if len(blocking) > 20 else ""
        raise DayNotClosable(
            _("还有未完成的单据，不能日结（WMS-13）：%(list)s%(more)s") % {"list": listed, "more": more}, blocking
        )
    try:
        with transaction.atomic():
            close = DailyClose.objects.create(
                warehouse=warehouse, day=day, closed_by=user, closed_at=timezone.now(), summary={}
            )
    except IntegrityError:
        raise Conflict(_("仓库 %(wh)s %(day)s 已日结") % {"wh": warehouse.code, "day": day}, field="day") from None
    close.summary = day_summary(warehouse, day)
    close.save(update_fields=["summary"])
    return close


def is_closed(warehouse: Warehouse, day: date) -> bool:
    return DailyClose.objects.filter(warehouse=warehouse, day=day).exists()

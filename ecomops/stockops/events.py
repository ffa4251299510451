"""The event rows of the warehouse operations (issue 14): one small function per document type,
named by the step (``kind``, e.g. "发货签字"); actions call these, never build rows. The rows share
one table with a generic pointer to their document (``doc_kind`` / ``doc_id``)."""

from __future__ import annotations

from datetime import datetime

from ecomops.inventory.enums import DocKind

from .models import CountSheet, SampleLoan, ScrapNote, StockopsEvent, Transfer


def _write(doc_kind: str, doc, *, kind: str, user, note: str = "", at: datetime | None = None) -> StockopsEvent:
    return StockopsEvent.write(kind=kind, user=user, note=note, at=at, client_id=doc.client_id,
                               doc_kind=str(doc_kind), doc_id=str(doc.pk))


def transfer_step(transfer: Transfer, *, kind: str, user, note: str = "", at: datetime | None = None) -> StockopsEvent:
    """A step of a transfer (WMS-09): requested, shipped, received, settled, cancelled."""
    return _write(DocKind.TRANSFER, transfer, kind=kind, user=user, note=note, at=at)


def count_step(sheet: CountSheet, *, kind: str, user, note: str = "", at: datetime | None = None) -> StockopsEvent:
    """A step of a count sheet (WMS-08): created, submitted, approved and posted, cancelled."""
    return _write(DocKind.COUNT, sheet, kind=kind, user=user, note=note, at=at)


def scrap_step(note_doc: ScrapNote, *, kind: str, user, note: str = "", at: datetime | None = None) -> StockopsEvent:
    """A step of a scrap note (WMS-08): written, approved, posted, cancelled."""
    return _write(DocKind.SCRAP, note_doc, kind=kind, user=user, note=note, at=at)


def loan_step(loan: SampleLoan, *, kind: str, user, note: str = "", at: datetime | None = None) -> StockopsEvent:
    """A step of a sample loan (WMS-12): lent, extension asked, approved or rejected, returned."""
    return _write(DocKind.SAMPLE_LOAN, loan, kind=kind, user=user, note=note, at=at)


def of(doc_kind: str, doc):
    """The events of one document, oldest first."""
    return StockopsEvent.objects.filter(doc_kind=str(doc_kind), doc_id=str(doc.pk)).select_related("actor")

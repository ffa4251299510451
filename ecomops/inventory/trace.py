"""Traceability (CAT-05): from a lot to every movement and document, and from a SKU (or a scanned
barcode) back to its lots, their receipts and suppliers.

Orders: the orders issue posts its shipments with ``doc_kind="order"``; the moves are listed here as
they are. To show which customer/store took them, that issue registers a resolver with
``register_order_resolver(fn)``; ``fn(doc_ids)`` returns ``{doc_id: {"number", "customer", "url"}}``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Sum

from .enums import DocKind
from .models import Lot, StockBalance, StockDocument, StockMove

OrderResolver = Callable[[list[str]], dict[str, dict]]
_order_resolver: OrderResolver | None = None


def register_order_resolver(fn: OrderResolver | None) -> None:
    """The hook for the orders issue (CAT-05: which customers got lot X)."""
    global _order_resolver
    _order_resolver = fn


@dataclass
class DocumentTouch:
    kind: str
    kind_label: str
    id: str
    number: str
    quantity_in: int = 0
    quantity_out: int = 0
    first_at: object = None
    url: str = ""


@dataclass
class LotTrace:
    lot: Lot
    moves: list[StockMove]
    documents: list[DocumentTouch]
    orders: list[dict] = field(default_factory=list)
    on_hand: int = 0


_document_urls: dict[str, Callable[[str], str]] = {}


def register_document_url(kind: str, fn: Callable[[str], str]) -> None:
    """Other modules say where their documents' pages are (``fn(doc_id)`` → url or "")."""
    _document_urls[kind] = fn


def document_url(kind: str, doc_id: str) -> str:
    """Where a document's page is: the core's own kinds, holds, and whatever modules registered."""
    from django.urls import reverse

    if kind in _document_urls:
        return _document_urls[kind](doc_id)
    if not str(doc_id).isdigit():
        return ""
    if kind in (DocKind.BIN_MOVE, DocKind.OUTBOUND, DocKind.OPENING):
        if StockDocument.objects.filter(pk=int(doc_id), kind=kind).exists():
            return reverse("inventory:document_detail", args=[doc_id])
        return ""
    if kind == "hold":
        return reverse("inventory:hold_detail", args=[doc_id])
    return ""


def lot_trace(lot: Lot) -> LotTrace:
    moves = list(
        StockMove.objects.filter(lot=lot).select_related("sku", "from_bin", "to_bin", "by__staff")
        .order_by("posted_at", "pk")
    )
    labels = dict(DocKind.choices)
    docs: dict[tuple[str, str], DocumentTouch] = {}
    for m in moves:
        key = (m.doc_kind, m.doc_id)
        touch = docs.get(key)
        if touch is None:
            touch = docs[key] = DocumentTouch(
                kind=m.doc_kind, kind_label=str(labels.get(m.doc_kind, m.doc_kind)), id=m.doc_id, number=m.doc_number,
                first_at=m.posted_at, url=document_url(m.doc_kind, m.doc_id),
            )
        if m.to_bin_id and not m.from_bin_id:
            touch.quantity_in += m.quantity
        elif m.from_bin_id and not m.to_bin_id:
            touch.quantity_out += m.quantity
    on_hand = StockBalance.objects.filter(lot=lot).aggregate(n=Sum("on_hand"))["n"] or 0
    return LotTrace(lot=lot, moves=moves, documents=list(docs.values()), orders=orders_that_took(lot), on_hand=on_hand)


def orders_that_took(lot: Lot) -> list[dict]:
    """CAT-05 forward trace: the orders whose shipments took goods of ``lot`` (doc_kind "order")."""
    rows = (
        StockMove.objects.filter(lot=lot, doc_kind=DocKind.ORDER, to_bin__isnull=True)
        .values("doc_id", "doc_number").annotate(quantity=Sum("quantity")).order_by("doc_number")
    )
    found = [{"doc_id": r["doc_id"], "number": r["doc_number"], "quantity": r["quantity"], "customer": "", "url": ""}
             for r in rows]
    if _order_resolver is not None and found:
        extra = _order_resolver([r["doc_id"] for r in found])
        for row in found:
            row.update({k: v for k, v in extra.get(row["doc_id"], {}).items() if k in ("number", "customer", "url")})
    return found


def lots_of_sku(sku_ids: Iterable[int]):
    """CAT-05 backward trace: the lots that ever held these SKUs, with receipt and supplier."""
    lot_ids = StockMove.objects.filter(sku_id__in=list(sku_ids)).values("lot_id").distinct()
    return Lot.objects.filter(pk__in=lot_ids).select_related("supplier", "client").order_by("-received_on", "-pk")

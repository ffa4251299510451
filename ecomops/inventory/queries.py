"""Read side of the warehouse: stock per SKU, balances per bin × lot, the ledger, scoped to the clients
the user may see (DAT-02). Sums run in the database (GROUP BY)."""

from __future__ import annotations

from datetime import date

from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce

from ecomops.catalog.models import SKU

from .enums import SELLABLE_BIN_KINDS
from .models import StockBalance, StockMove


def find_skus(user, text: str):
    """SKUs visible to ``user`` matching a scanned barcode or SKU code exactly, else by style no. or name."""
    text = (text or "").strip()
    skus = SKU.objects.visible_to(user)
    if not text:
        return skus.none()
    exact = skus.filter(Q(barcode=text) | Q(sku_code__iexact=text))
    if exact.exists():
        return exact
    return skus.filter(
        Q(sku_code__icontains=text) | Q(style__style_no__icontains=text) | Q(style__name__icontains=text)
    )


def stock_per_sku(user, *, warehouse=None, q: str = "", client_id: int | None = None, sku_ids=None,
                  only_in_stock: bool = True):
    """One row per SKU: ``qty_on_hand``, ``qty_reserved`` and ``qty_available`` (sellable bins, on hand −
    reserved)."""
    rows = StockBalance.objects.visible_to(user)
    if warehouse is not None:
        rows = rows.filter(warehouse=warehouse)
    if client_id:
        rows = rows.filter(client_id=client_id)
    if sku_ids is not None:
        rows = rows.filter(sku_id__in=list(sku_ids))
    elif q:
        rows = rows.filter(sku__in=find_skus(user, q))
    sellable = Q(bin__kind__in=SELLABLE_BIN_KINDS)
    rows = (
        rows.values("sku_id", "client_id", "sku__sku_code", "sku__barcode", "sku__style__style_no", "sku__style__name",
                    "sku__colour", "sku__size")
        .annotate(
            qty_on_hand=Coalesce(Sum("on_hand"), 0),
            qty_reserved=Coalesce(Sum("reserved"), 0),
            qty_available=Coalesce(Sum(F("on_hand") - F("reserved"), filter=sellable), 0),
        )
        .order_by("sku__sku_code", "sku_id")
    )
    if only_in_stock:
        rows = rows.filter(qty_on_hand__gt=0)
    return rows


def balances_of(user, sku_id: int, *, warehouse=None):
    """The drill-down: every bin × lot holding the SKU, FIFO order (oldest lot first)."""
    rows = StockBalance.objects.visible_to(user).filter(sku_id=sku_id, on_hand__gt=0)
    if warehouse is not None:
        rows = rows.filter(warehouse=warehouse)
    return rows.select_related("warehouse", "bin", "bin__zone", "lot", "lot__supplier").order_by(
        "warehouse__code", "lot__received_on", "lot_id", "bin__pick_order", "bin__code"
    )


def ledger(user, *, warehouse=None, sku: str = "", lot: str = "", document: str = "",
           date_from: date | None = None, date_to: date | None = None, sku_id: int | None = None,
           lot_id: int | None = None):
    moves = StockMove.objects.visible_to(user)
    if warehouse is not None:
        moves = moves.filter(Q(from_warehouse=warehouse) | Q(to_warehouse=warehouse))
    if sku_id:
        moves = moves.filter(sku_id=sku_id)
    if sku:
        moves = moves.filter(sku__in=find_skus(user, sku))
    if lot_id:
        moves = moves.filter(lot_id=lot_id)
    if lot:
        moves = moves.filter(lot__number__iexact=lot.strip())
    if document:
        moves = moves.filter(doc_number__icontains=document.strip())
    if date_from:
        moves = moves.filter(business_day__gte=date_from)
    if date_to:
        moves = moves.filter(business_day__lte=date_to)
    return moves.select_related("sku", "lot", "from_bin", "to_bin", "by__staff").order_by("-posted_at", "-pk")

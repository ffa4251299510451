"""Reserving stock for documents (ORD-04 allocation, WMS-11 customer holds): reserve, release, consume.

Every call is one transaction, all or nothing. The balances a call reads are locked first, in
primary-key order (``SELECT … FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), so parallel
reservations of the same SKU queue: the sum reserved can never exceed the stock, and two callers
never wait on each other in opposite orders (no deadlock). The ``reserved <= on_hand`` CHECK
constraint backs this up in the database.

Only sellable bins (kind ``normal``) are reserved from, FIFO by lot (WMS-10): the oldest receipt
first, then the bin's pick order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.catalog.models import SKU
from ecomops.core.errors import BusinessError, Conflict

from .enums import SELLABLE_BIN_KINDS, ReservationState
from .ledger import DocRef, InsufficientStock, Move, post_moves
from .models import Bin, Reservation, ReservationAllocation, StockBalance, StockMove, Warehouse


def _fifo_key(balance: StockBalance):
    return (balance.lot.received_on, balance.lot_id, balance.bin.pick_order, balance.bin.code, balance.pk)


def available(sku_id: int, warehouse_id: int | None = None) -> int:
    """Units of the SKU that can still be reserved (sellable bins, on hand − reserved)."""
    rows = StockBalance.objects.filter(sku_id=sku_id, bin__kind__in=SELLABLE_BIN_KINDS)
    if warehouse_id is not None:
        rows = rows.filter(warehouse_id=warehouse_id)
    total = rows.aggregate(free=Sum(F("on_hand") - F("reserved")))["free"]
    return int(total or 0)


def _merge(lines: Iterable[tuple[int, int]]) -> dict[int, int]:
    wanted: dict[int, int] = defaultdict(int)
    for index, (sku_id, quantity) in enumerate(lines, start=1):
        if not isinstance(quantity, int) or quantity < 1:
            raise BusinessError(_("第 %(n)s 行：占用数量必须是正整数") % {"n": index}, field="quantity")
        wanted[int(sku_id)] += quantity
    if not wanted:
        raise BusinessError(_("没有要占用的商品"), field="lines")
    return dict(wanted)


def reserve(
    *,
    doc: DocRef,
    lines: Iterable[tuple[int, int]],
    warehouse: Warehouse,
    by=None,
    expires_at: datetime | None = None,
    note: str = "",
) -> list[Reservation]:
    """Reserve ``lines`` (sku_id, quantity) in ``warehouse`` for ``doc``, all or nothing.

    Raises ``InsufficientStock`` listing every SKU that falls short (with what is available)."""
    wanted = _merge(lines)
    with transaction.atomic():
        skus = {s.pk: s for s in SKU.objects.filter(pk__in=wanted)}
        unknown = set(wanted) - set(skus)
        if unknown:
            raise BusinessError(_("SKU 不存在：%(ids)s") % {"ids": ", ".join(map(str, sorted(unknown)))}, field="sku")
        locked = list(
            StockBalance.objects.select_for_update(of=("self",))
            .select_related("lot", "bin")
            .filter(sku_id__in=wanted, warehouse=warehouse, bin__kind__in=SELLABLE_BIN_KINDS, bin__is_active=True)
            .order_by("pk")
        )
        by_sku: dict[int, list[StockBalance]] = defaultdict(list)
        for balance in locked:
            if balance.on_hand > balance.reserved:
                by_sku[balance.sku_id].append(balance)
        shortages = []
        for sku_id, quantity in sorted(wanted.items()):
            free = sum(b.available for b in by_sku[sku_id])
            if free < quantity:
                shortages.append((skus[sku_id].sku_code, quantity, free))
        if shortages:
            detail = "；".join(
                _("%(sku)s 需要 %(want)s 件，可用 %(free)s 件") % {"sku": c, "want": w, "free": f}
                for c, w, f in shortages
            )
            raise InsufficientStock(_("库存不足：%(detail)s") % {"detail": detail}, shortages=shortages, field="lines")

        reservations: list[Reservation] = []
        changed: list[StockBalance] = []
        allocations: list[tuple[Reservation, StockBalance, int]] = []
        for sku_id, quantity in sorted(wanted.items()):
            reservation = Reservation(
                client_id=skus[sku_id].client_id,
                warehouse=warehouse,
                sku_id=sku_id,
                quantity=quantity,
                doc_kind=doc.kind,
                doc_id=doc.id,
                doc_number=doc.number,
                expires_at=expires_at,
                note=note[:200],
                created_by=by if getattr(by, "pk", None) else None,
            )
            reservations.append(reservation)
            remaining = quantity
            for balance in sorted(by_sku[sku_id], key=_fifo_key):
                take = min(balance.available, remaining)
                if take <= 0:
                    continue
                balance.reserved += take
                changed.append(balance)
                allocations.append((reservation, balance, take))
                remaining -= take
                if remaining == 0:
                    break
        for reservation in reservations:
            reservation.save()
        StockBalance.objects.bulk_update(changed, ["reserved"])
        ReservationAllocation.objects.bulk_create(
            [ReservationAllocation(reservation=r, balance=b, quantity=q) for r, b, q in allocations]
        )
        return reservations


def _active(doc: DocRef, sku_ids: Iterable[int] | None, reservation_ids: Iterable[int] | None) -> list[Reservation]:
    rows = Reservation.objects.select_for_update().filter(
        doc_kind=doc.kind, doc_id=doc.id, state=ReservationState.ACTIVE
    )
    if sku_ids is not None:
        rows = rows.filter(sku_id__in=list(sku_ids))
    if reservation_ids is not None:
        rows = rows.filter(pk__in=list(reservation_ids))
    return list(rows.order_by("pk"))


def _lock_allocated(reservations: list[Reservation]) -> tuple[list[ReservationAllocation], dict[int, StockBalance]]:
    allocations = list(ReservationAllocation.objects.filter(reservation__in=reservations).order_by("pk"))
    balances = {
        b.pk: b
        for b in StockBalance.objects.select_for_update()
        .filter(pk__in={a.balance_id for a in allocations})
        .order_by("pk")
    }
    return allocations, balances


def release(
    *,
    doc: DocRef,
    by=None,
    reason: str = "",
    sku_ids: Iterable[int] | None = None,
    reservation_ids: Iterable[int] | None = None,
) -> int:
    """Give back the active reservations of ``doc`` (optionally only some SKUs); returns units freed."""
    with transaction.atomic():
        reservations = _active(doc, sku_ids, reservation_ids)
        if not reservations:
            return 0
        allocations, balances = _lock_allocated(reservations)
        for allocation in allocations:
            balances[allocation.balance_id].reserved -= allocation.quantity
        StockBalance.objects.bulk_update(list(balances.values()), ["reserved"])
        now = timezone.now()
        for reservation in reservations:
            reservation.state = ReservationState.RELEASED
            reservation.closed_at = now
            reservation.closed_by = by if getattr(by, "pk", None) else None
            reservation.close_reason = reason[:200]
            reservation.save(update_fields=["state", "closed_at", "closed_by", "close_reason"])
        return sum(r.quantity for r in reservations)


def consume(
    *,
    doc: DocRef,
    by=None,
    to_bin: Bin | None = None,
    sku_ids: Iterable[int] | None = None,
    note: str = "",
) -> list[StockMove]:
    """Take the reserved goods of ``doc`` out of their bins (shipped: ``to_bin`` None, or into a
    packing/transit bin) as ledger moves against the same document; the reservations are consumed."""
    with transaction.atomic():
        reservations = _active(doc, sku_ids, None)
        if not reservations:
            raise Conflict(_("单据 %(doc)s 没有可出库的占用") % {"doc": doc.number})
        allocations, balances = _lock_allocated(reservations)
        bins = Bin.objects.in_bulk({b.bin_id for b in balances.values()})
        moves = [
            Move(
                sku_id=balances[a.balance_id].sku_id,
                lot_id=balances[a.balance_id].lot_id,
                quantity=a.quantity,
                from_bin=bins[balances[a.balance_id].bin_id],
                to_bin=to_bin,
                from_reserved=a.quantity,
                note=note,
            )
            for a in allocations
        ]
        rows = post_moves(moves, doc=doc, by=by)
        now = timezone.now()
        for reservation in reservations:
            reservation.state = ReservationState.CONSUMED
            reservation.closed_at = now
            reservation.closed_by = by if getattr(by, "pk", None) else None
            reservation.save(update_fields=["state", "closed_at", "closed_by"])
        return rows


def reserved_for(doc: DocRef) -> list[Reservation]:
    return list(Reservation.objects.filter(doc_kind=doc.kind, doc_id=doc.id, state=ReservationState.ACTIVE))

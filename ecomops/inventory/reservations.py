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
from functools import cache

from django.db import connection, models, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.catalog.models import SKU
from ecomops.core.errors import BusinessError, Conflict
from ecomops.core.flow import check_step

from .enums import RESERVATION_FLOW, SELLABLE_BIN_KINDS, BinKind, ReservationState
from .ledger import DocRef, InsufficientStock, Move, post_moves, write_reserved
from .models import Bin, Lot, Reservation, ReservationAllocation, StockBalance, StockMove, Warehouse
from .sql import insert_returning


def available(sku_id: int, warehouse_id: int | None = None) -> int:
    """Units of the SKU that can still be reserved (sellable bins, on hand − reserved)."""
    rows = StockBalance.objects.filter(sku_id=sku_id, bin__kind__in=SELLABLE_BIN_KINDS)
    if warehouse_id is not None:
        rows = rows.filter(warehouse_id=warehouse_id)
    total = rows.aggregate(free=Sum(F("on_hand") - F("reserved")))["free"]
    return int(total or 0)


def _lock_candidates(sku_ids: list[int], warehouse_id: int) -> list[tuple]:
    """Lock the sellable balances with free stock of ``sku_ids`` in a warehouse, in primary-key order,
    and return them as tuples: pk, sku, client, on hand, reserved, then the FIFO order (lot received
    on, lot, bin pick order, bin code), then the bin kind. Hand-written SQL: this runs once per order line reserved."""
    balance, bin_, lot = StockBalance._meta.db_table, Bin._meta.db_table, Lot._meta.db_table
    kinds = ", ".join(["%s"] * len(SELLABLE_BIN_KINDS))
    skus = ", ".join(["%s"] * len(sku_ids))
    lock = " FOR UPDATE OF b" if connection.features.has_select_for_update_of else ""
    sql = (
        'SELECT b."id", b."sku_id", b."client_id", b."on_hand", b."reserved", l."received_on", b."lot_id", '  # noqa: S608
        f'n."pick_order", n."code", n."kind" FROM "{balance}" b JOIN "{bin_}" n ON n."id" = b."bin_id" '
        f'JOIN "{lot}" l ON l."id" = b."lot_id" WHERE b."warehouse_id" = %s AND b."sku_id" IN ({skus}) '
        f'AND n."kind" IN ({kinds}) AND n."is_active" AND b."on_hand" > b."reserved" ORDER BY b."id"{lock}'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [warehouse_id, *sku_ids, *[str(k) for k in SELLABLE_BIN_KINDS]])
        return [(*row[:5], str(row[5]), *row[6:]) for row in cursor.fetchall()]


@cache
def _history_model():
    return Reservation.history.model  # the manager descriptor builds a new manager class on each access


def _history_created(reservations: list[Reservation], user) -> None:
    """The creation rows of the reservations' audit history (who, when, what), written with one
    prepared multi-row INSERT: building historical model instances cost more than the reservation."""
    history = _history_model()
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    own = [f for f in Reservation._meta.concrete_fields]
    columns = [f.column for f in own] + ["history_date", "history_change_reason", "history_type", "history_user_id"]
    rows = []
    for r in reservations:
        values = []
        for f in own:
            value = getattr(r, f.attname)
            if isinstance(f, models.DateTimeField):
                value = ops.adapt_datetimefield_value(value)
            values.append(value)
        rows += [*values, now, "reserve", "+", getattr(user, "pk", None)]
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    names = ", ".join(f'"{c}"' for c in columns)
    sql = f'INSERT INTO "{history._meta.db_table}" ({names}) VALUES {", ".join([one] * len(reservations))}'  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, rows)


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
    user=None,
    expires_at: datetime | None = None,
    note: str = "",
    prefer_prepacked: bool = False,
) -> list[Reservation]:
    """Reserve ``lines`` (sku_id, quantity) in ``warehouse`` for ``doc``, all or nothing.

    Within a SKU, stock is taken oldest lot first (WMS-10), with the pre-packed parcels of ``prepack``
    bins (FUL-05) last, so they stay for the single-unit orders they were packed for; a caller that
    reserves for such an order passes ``prefer_prepacked`` and takes them first.

    Raises ``InsufficientStock`` listing every SKU that falls short (with what is available)."""
    wanted = _merge(lines)
    with transaction.atomic():
        locked = _lock_candidates(list(wanted), warehouse.pk)
        by_sku: dict[int, list[tuple]] = defaultdict(list)
        for row in locked:
            if row[3] > row[4]:
                by_sku[row[1]].append(row)
        short = {
            sku_id: (quantity, sum(r[3] - r[4] for r in by_sku[sku_id]))
            for sku_id, quantity in wanted.items()
            if sum(r[3] - r[4] for r in by_sku[sku_id]) < quantity
        }
        if short:
            codes = dict(SKU.objects.filter(pk__in=short).values_list("pk", "sku_code"))
            unknown = set(short) - set(codes)
            if unknown:
                raise BusinessError(
                    _("SKU 不存在：%(ids)s") % {"ids": ", ".join(map(str, sorted(unknown)))}, field="sku"
                )
            shortages = [(codes[sku_id], want, free) for sku_id, (want, free) in sorted(short.items())]
            detail = "；".join(
                _("%(sku)s 需要 %(want)s 件，可用 %(free)s 件") % {"sku": c, "want": w, "free": f}
                for c, w, f in shortages
            )
            raise InsufficientStock(_("库存不足：%(detail)s") % {"detail": detail}, shortages=shortages, field="lines")

        creator = user if getattr(user, "pk", None) else None
        reservations: list[Reservation] = []
        picks: list[list[tuple[int, int]]] = []  # per reservation: (balance pk, quantity)
        new_reserved: dict[int, int] = {}
        for sku_id, quantity in sorted(wanted.items()):
            rows = sorted(by_sku[sku_id], key=lambda r: ((r[9] == BinKind.PREPACK) != prefer_prepacked,
                                                         r[5], r[6], r[7], r[8], r[0]))
            reservations.append(
                Reservation(
                    client_id=rows[0][2],
                    warehouse=warehouse,
                    sku_id=sku_id,
                    quantity=quantity,
                    doc_kind=doc.kind,
                    doc_id=doc.id,
                    doc_number=doc.number,
                    expires_at=expires_at,
                    note=note[:200],
                    created_by=creator,
                )
            )
            taken, remaining = [], quantity
            for pk, _sku, _client, on_hand, reserved, *_fifo in rows:
                take = min(on_hand - reserved, remaining)
                taken.append((pk, take))
                new_reserved[pk] = reserved + take
                remaining -= take
                if remaining == 0:
                    break
            picks.append(taken)
        insert_returning(Reservation, reservations)
        _history_created(reservations, creator)
        write_reserved(new_reserved)
        insert_returning(
            ReservationAllocation,
            [
                ReservationAllocation(reservation_id=reservation.pk, balance_id=pk, quantity=take)
                for reservation, taken in zip(reservations, picks, strict=True)
                for pk, take in taken
            ],
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
    user=None,
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
        write_reserved({pk: b.reserved for pk, b in balances.items()})
        now = timezone.now()
        for reservation in reservations:
            check_step(reservation, ReservationState.RELEASED, flow=RESERVATION_FLOW)
            reservation.state = ReservationState.RELEASED
            reservation.closed_at = now
            reservation.closed_by = user if getattr(user, "pk", None) else None
            reservation.close_reason = reason[:200]
            reservation.save(update_fields=["state", "closed_at", "closed_by", "close_reason"])
        return sum(r.quantity for r in reservations)


def consume(
    *,
    doc: DocRef,
    user=None,
    to_bin: Bin | None = None,
    sku_ids: Iterable[int] | None = None,
    quantities: dict[int, int] | None = None,
    note: str = "",
) -> list[StockMove]:
    """Take the reserved goods of ``doc`` out of their bins (shipped: ``to_bin`` None, or into a
    packing/transit bin) as ledger moves against the same document; the reservations are consumed.

    ``quantities`` (sku_id → units) takes only part of the reservation (one parcel of a split order,
    ORD-08), see ``_consume_part``."""
    if quantities is not None:
        return _consume_part(doc=doc, user=user, to_bin=to_bin, quantities=quantities, note=note)
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
        rows = post_moves(moves, doc=doc, user=user)
        now = timezone.now()
        for reservation in reservations:
            check_step(reservation, ReservationState.CONSUMED, flow=RESERVATION_FLOW)
            reservation.state = ReservationState.CONSUMED
            reservation.closed_at = now
            reservation.closed_by = user if getattr(user, "pk", None) else None
            reservation.save(update_fields=["state", "closed_at", "closed_by"])
        return rows


def _consume_part(*, doc: DocRef, user, to_bin: Bin | None, quantities: dict[int, int], note: str) -> list[StockMove]:
    """Consume ``quantities`` (sku_id → units) of the active reservations of ``doc``, oldest lot first
    (WMS-10: the allocations were chosen FIFO and are taken in their order). A reservation taken
    whole is consumed; one taken in part is split: the part taken becomes a consumed reservation of its
    own with the allocations it took, the rest stays active with the rest, so every reservation still
    holds exactly its allocations and nothing is rewritten out of sight (history rows on both)."""
    wanted = _merge(quantities.items())
    with transaction.atomic():
        reservations = _active(doc, wanted, None)
        held: dict[int, int] = defaultdict(int)
        for reservation in reservations:
            held[reservation.sku_id] += reservation.quantity
        short = sorted(sku_id for sku_id, quantity in wanted.items() if held[sku_id] < quantity)
        if short:
            codes = dict(SKU.objects.filter(pk__in=short).values_list("pk", "sku_code"))
            raise Conflict(_("单据 %(doc)s 占用不足，不能出库：%(detail)s") % {
                "doc": doc.number,
                "detail": "；".join(_("%(sku)s 需要 %(want)s 件，占用 %(held)s 件")
                                   % {"sku": codes.get(s, s), "want": wanted[s], "held": held[s]} for s in short)})
        allocations, balances = _lock_allocated(reservations)
        by_reservation: dict[int, list[ReservationAllocation]] = defaultdict(list)
        for allocation in allocations:
            by_reservation[allocation.reservation_id].append(allocation)
        bins = Bin.objects.in_bulk({b.bin_id for b in balances.values()})
        closer = user if getattr(user, "pk", None) else None
        now = timezone.now()
        moves: list[Move] = []
        left = dict(wanted)
        for reservation in reservations:
            need = left.get(reservation.sku_id, 0)
            if not need:
                continue
            taken: list[tuple[ReservationAllocation, int]] = []
            for allocation in by_reservation[reservation.pk]:
                if need == 0:
                    break
                take = min(allocation.quantity, need)
                taken.append((allocation, take))
                need -= take
            units = sum(take for _a, take in taken)
            left[reservation.sku_id] -= units
            for allocation, take in taken:
                balance = balances[allocation.balance_id]
                moves.append(Move(sku_id=balance.sku_id, lot_id=balance.lot_id, quantity=take,
                                  from_bin=bins[balance.bin_id], to_bin=to_bin, from_reserved=take, note=note))
            if units == reservation.quantity:
                check_step(reservation, ReservationState.CONSUMED, flow=RESERVATION_FLOW)
                reservation.state = ReservationState.CONSUMED
                reservation.closed_at, reservation.closed_by = now, closer
                reservation.save(update_fields=["state", "closed_at", "closed_by"])
                continue
            part = Reservation.objects.create(
                client_id=reservation.client_id, warehouse_id=reservation.warehouse_id, sku_id=reservation.sku_id,
                quantity=units, doc_kind=reservation.doc_kind, doc_id=reservation.doc_id,
                doc_number=reservation.doc_number, state=ReservationState.CONSUMED, expires_at=reservation.expires_at,
                note=(note or reservation.note)[:200], created_by=reservation.created_by, closed_at=now,
                closed_by=closer, close_reason=_("部分出库（占用 %(pk)s）") % {"pk": reservation.pk})
            for allocation, take in taken:
                ReservationAllocation.objects.create(reservation=part, balance_id=allocation.balance_id, quantity=take)
                if take == allocation.quantity:
                    allocation.delete()
                else:
                    allocation.quantity -= take
                    allocation.save(update_fields=["quantity"])
            reservation.quantity -= units
            reservation.save(update_fields=["quantity"])
        return post_moves(moves, doc=doc, user=user)


def reserved_for(doc: DocRef) -> list[Reservation]:
    return list(Reservation.objects.filter(doc_kind=doc.kind, doc_id=doc.id, state=ReservationState.ACTIVE))

"""Posting to the stock ledger: the one place where stock quantities change (WMS-10, WMS-13).

``post_moves`` writes a batch of ledger rows and moves the balances they touch in the same
transaction. Concurrency (the rule every oversell bug report breaks): the balances are locked with
``SELECT … FOR UPDATE`` in primary-key order before they are read, so two postings over the same
rows queue instead of interleaving, and never deadlock on each other; on SQLite every write
transaction starts with ``BEGIN IMMEDIATE`` (settings), which serialises writers. The CHECK
constraints on ``StockBalance`` are the last line: a bug here fails the transaction instead of
writing negative stock.

Callers (receiving, transfers, counts, orders …) describe what moves with ``Move`` and name the
document with ``DocRef``; they do not touch balances themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.catalog.models import SKU
from ecomops.core.errors import BusinessError

from .enums import SELLABLE_BIN_KINDS
from .models import Bin, DailyClose, Lot, StockBalance, StockMove, Warehouse
from .sql import insert_returning

# How many keys one locking query asks for; keeps the parameter count of IN (…) well inside SQLite's.
LOCK_CHUNK = 200


# Sent after a commit that put goods into sellable bins, with their SKU ids.
stock_arrived = Signal()


class InsufficientStock(BusinessError):
    """Not enough available stock; ``shortages`` lists (sku_code, wanted, available)."""

    def __init__(self, message: str, shortages: list[tuple[str, int, int]] | None = None, field: str | None = None):
        super().__init__(message, field=field)
        self.shortages = shortages or []


@dataclass(frozen=True)
class DocRef:
    """The document a movement is posted against (WMS-10): its kind, primary key and number."""

    kind: str
    id: str
    number: str

    @classmethod
    def of(cls, kind: str, obj) -> DocRef:
        return cls(kind=str(kind), id=str(obj.pk), number=str(getattr(obj, "number", obj.pk)))


@dataclass(frozen=True)
class Move:
    """One movement: ``quantity`` units of ``sku_id`` from ``lot_id`` leave ``from_bin`` (None: they
    come from outside) and enter ``to_bin`` (None: they leave the company's stock).
    ``from_reserved`` units of them were reserved (a reservation being consumed)."""

    sku_id: int
    lot_id: int
    quantity: int
    from_bin: Bin | None = None
    to_bin: Bin | None = None
    from_reserved: int = 0
    note: str = ""
    reverses_id: int | None = None


@dataclass(frozen=True)
class LotRef:
    pk: int
    client_id: int
    number: str


BalanceKey = tuple[int, int, int]  # sku_id, bin_id, lot_id


def lock_balances(keys: Iterable[BalanceKey]) -> dict[BalanceKey, StockBalance]:
    """Lock and return the existing balances of ``keys`` (in primary-key order on PostgreSQL).

    Asks for exactly those keys with a row-value ``(sku, bin, lot) IN (VALUES …)`` (SQLite 3.15+ and
    PostgreSQL), so a batch never reads, or locks, the other bins of its SKUs."""
    ordered = sorted(set(keys))
    found: dict[BalanceKey, StockBalance] = {}
    table = StockBalance._meta.db_table
    for start in range(0, len(ordered), LOCK_CHUNK):
        chunk = ordered[start : start + LOCK_CHUNK]
        values = ", ".join(["(%s, %s, %s)"] * len(chunk))
        where = f'("{table}"."sku_id", "{table}"."bin_id", "{table}"."lot_id") IN (VALUES {values})'
        params = [part for key in chunk for part in key]
        rows = StockBalance.objects.select_for_update().extra(where=[where], params=params).order_by("pk")  # noqa: S610
        for row in rows:
            found[(row.sku_id, row.bin_id, row.lot_id)] = row
    return found


def _write_balances(balances: Iterable[StockBalance], at: datetime) -> None:
    """Write the new quantities of locked balances with one prepared UPDATE per row (executemany):
    much cheaper than ``bulk_update``'s CASE expressions, and the rows are already locked."""
    table = StockBalance._meta.db_table
    sql = f'UPDATE "{table}" SET "on_hand" = %s, "reserved" = %s, "updated_at" = %s WHERE "id" = %s'  # noqa: S608
    stamp = connection.ops.adapt_datetimefield_value(at)
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(b.on_hand, b.reserved, stamp, b.pk) for b in balances])


def write_reserved(reserved: dict[int, int]) -> None:
    """Set the reserved quantity of balances the caller holds locked (balance pk → reserved)."""
    if not reserved:
        return
    table = StockBalance._meta.db_table
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    sql = f'UPDATE "{table}" SET "reserved" = %s, "updated_at" = %s WHERE "id" = %s'  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(value, stamp, pk) for pk, value in reserved.items()])


def _closed_warehouses(warehouse_ids: set[int], day) -> set[int]:
    """The warehouses among ``warehouse_ids`` whose ``day`` is closed (WMS-13).

    On PostgreSQL the warehouse rows are first locked FOR SHARE: postings share the lock with each
    other, while ``closing.close_day`` takes it FOR UPDATE, so a close waits for the postings in
    flight and a posting that waited for a close sees it. (SQLite serialises writers anyway.)"""
    if not warehouse_ids:
        return set()
    if connection.vendor == "postgresql":
        table = Warehouse._meta.db_table
        marks = ", ".join(["%s"] * len(warehouse_ids))
        with connection.cursor() as cursor:
            cursor.execute(
                f'SELECT "id" FROM "{table}" WHERE "id" IN ({marks}) ORDER BY "id" FOR SHARE',  # noqa: S608
                sorted(warehouse_ids),
            )
    return set(
        DailyClose.objects.filter(warehouse_id__in=warehouse_ids, day=day).values_list("warehouse_id", flat=True)
    )


def _describe(sku_codes: dict[int, str], lots: dict[int, LotRef], move: Move, bin_: Bin) -> str:
    return _("SKU %(sku)s 在库位 %(bin)s（批次 %(lot)s）") % {
        "sku": sku_codes.get(move.sku_id, move.sku_id),
        "bin": bin_.code,
        "lot": lots[move.lot_id].number if move.lot_id in lots else move.lot_id,
    }


@dataclass(frozen=True)
class _Known:
    """What the batch's SKUs and lots are: each SKU's client and code, each lot."""

    sku_client: dict[int, int]
    sku_codes: dict[int, str]
    lots: dict[int, LotRef]

    @classmethod
    def load(cls, moves: Sequence[Move]) -> _Known:
        sku_client, sku_codes = {}, {}
        skus = SKU.objects.filter(pk__in={m.sku_id for m in moves})
        for pk, client_id, code in skus.values_list("pk", "client_id", "sku_code"):
            sku_client[pk], sku_codes[pk] = client_id, code
        lots = {
            pk: LotRef(pk, client, number)
            for pk, client, number in Lot.objects.filter(pk__in={m.lot_id for m in moves}).values_list(
                "pk", "client_id", "number"
            )
        }
        return cls(sku_client, sku_codes, lots)


def post_moves(moves: Sequence[Move], *, doc: DocRef, user, at: datetime | None = None) -> list[StockMove]:
    """Post ``moves`` against ``doc`` in one transaction; all or nothing.

    Refuses (``BusinessError`` / ``InsufficientStock`` naming the SKU, bin and lot): an empty batch, a
    quantity below 1, a move without any bin, an inactive bin, a lot of another client than the SKU, a
    warehouse whose day is already closed (WMS-13), and taking more than is available (on-hand minus
    reserved, plus what the move itself un-reserves).

    The steps, in this order inside the one transaction: validate the moves, check (and share-lock)
    the warehouses' day, lock the balances in primary-key order (creating the missing destination
    balances), apply the moves to the balances, write the balances and the ledger rows."""
    if not moves:
        raise BusinessError(_("单据没有任何库存移动"))
    at = at or timezone.now()
    day = timezone.localdate(at)
    with transaction.atomic():
        known = _Known.load(moves)
        warehouses = _validate(moves, known)
        _check_day_open(warehouses, day)
        balances = _lock_for(moves, known)
        changed: dict[int, StockBalance] = {}
        rows = [
            _stock_move(move, *_apply(move, balances, changed, known), doc=doc, user=user, at=at, day=day,
                        client_id=known.sku_client[move.sku_id])
            for move in moves
        ]
        _write_balances(changed.values(), at)
        insert_returning(StockMove, rows)
        arrived = {m.sku_id for m in moves if m.to_bin is not None and m.to_bin.kind in SELLABLE_BIN_KINDS}
        if arrived:
            # Orders waiting for these SKUs (ORD-04) are retried once the stock is really there.
            transaction.on_commit(lambda: stock_arrived.send(sender=StockMove, sku_ids=sorted(arrived)))
        return rows


def _validate(moves: Sequence[Move], known: _Known) -> set[int]:
    """Refuse the first invalid move; return the warehouses the moves touch."""
    warehouses: set[int] = set()
    for index, move in enumerate(moves, start=1):
        if move.quantity < 1:
            raise BusinessError(_("第 %(n)s 行：数量必须大于 0") % {"n": index}, field="quantity")
        if move.from_reserved < 0 or move.from_reserved > move.quantity:
            raise BusinessError(_("第 %(n)s 行：占用出库数量无效") % {"n": index}, field="quantity")
        if move.from_bin is None and move.to_bin is None:
            raise BusinessError(_("第 %(n)s 行：必须有来源库位或目标库位") % {"n": index}, field="bin")
        if move.sku_id not in known.sku_client:
            raise BusinessError(_("第 %(n)s 行：SKU 不存在") % {"n": index}, field="sku")
        lot = known.lots.get(move.lot_id)
        if lot is None or lot.client_id != known.sku_client[move.sku_id]:
            raise BusinessError(_("第 %(n)s 行：批次不属于该 SKU 的委托方") % {"n": index}, field="lot")
        for bin_ in (move.from_bin, move.to_bin):
            if bin_ is not None:
                if not bin_.is_active:
                    raise BusinessError(_("库位 %(bin)s 已停用") % {"bin": bin_.code}, field="bin")
                warehouses.add(bin_.warehouse_id)
    return warehouses


def _check_day_open(warehouses: set[int], day) -> None:
    if _closed_warehouses(warehouses, day):
        raise BusinessError(_("仓库 %(day)s 已日结，不能再过账当日单据（WMS-13）") % {"day": day}, field="warehouse")


def _lock_for(moves: Sequence[Move], known: _Known) -> dict[BalanceKey, StockBalance]:
    """Lock every balance the moves touch, in primary-key order; create the missing destinations
    (ignoring a concurrent creation) and lock them too."""
    from_keys = {(m.sku_id, m.from_bin.pk, m.lot_id) for m in moves if m.from_bin is not None}
    to_keys = {(m.sku_id, m.to_bin.pk, m.lot_id) for m in moves if m.to_bin is not None}
    balances = lock_balances(from_keys | to_keys)
    missing_to = to_keys - balances.keys()
    if missing_to:
        bins = {m.to_bin.pk: m.to_bin for m in moves if m.to_bin is not None}
        StockBalance.objects.bulk_create(
            [
                StockBalance(
                    client_id=known.sku_client[sku_id],
                    warehouse_id=bins[bin_id].warehouse_id,
                    sku_id=sku_id,
                    bin_id=bin_id,
                    lot_id=lot_id,
                )
                for sku_id, bin_id, lot_id in sorted(missing_to)
            ],
            ignore_conflicts=True,
        )
        balances.update(lock_balances(missing_to))
    return balances


def _apply(
    move: Move, balances: dict[BalanceKey, StockBalance], changed: dict[int, StockBalance], known: _Known
) -> tuple[int | None, int | None]:
    """Apply one move to the locked balances (refusing to take more than is available); return the
    on-hand quantities of its source and destination after it."""
    from_after = to_after = None
    if move.from_bin is not None:
        balance = balances.get((move.sku_id, move.from_bin.pk, move.lot_id))
        free = (balance.on_hand - balance.reserved + move.from_reserved) if balance else 0
        if balance is None or move.quantity > free or move.from_reserved > balance.reserved:
            where = _describe(known.sku_codes, known.lots, move, move.from_bin)
            raise InsufficientStock(
                _("%(where)s 可用 %(free)s 件，不足 %(qty)s 件")
                % {"where": where, "free": max(free, 0), "qty": move.quantity},
                shortages=[(known.sku_codes.get(move.sku_id, ""), move.quantity, max(free, 0))],
                field="quantity",
            )
        balance.on_hand -= move.quantity
        balance.reserved -= move.from_reserved
        from_after = balance.on_hand
        changed[balance.pk] = balance
    if move.to_bin is not None:
        balance = balances[(move.sku_id, move.to_bin.pk, move.lot_id)]
        balance.on_hand += move.quantity
        to_after = balance.on_hand
        changed[balance.pk] = balance
    return from_after, to_after


def _stock_move(
    move: Move, from_after: int | None, to_after: int | None, *, doc: DocRef, user, at: datetime, day, client_id: int
) -> StockMove:
    """The ledger row of one applied move (not saved yet)."""
    return StockMove(
        posted_at=at,
        business_day=day,
        client_id=client_id,
        sku_id=move.sku_id,
        lot_id=move.lot_id,
        quantity=move.quantity,
        from_bin=move.from_bin,
        to_bin=move.to_bin,
        from_warehouse_id=move.from_bin.warehouse_id if move.from_bin else None,
        to_warehouse_id=move.to_bin.warehouse_id if move.to_bin else None,
        from_after=from_after,
        to_after=to_after,
        from_reserved=move.from_reserved,
        doc_kind=doc.kind,
        doc_id=doc.id,
        doc_number=doc.number,
        by=user if getattr(user, "pk", None) else None,
        note=move.note[:200],
        reverses_id=move.reverses_id,
    )

"""Benchmark: the stock ledger and reservations through the actions layer vs raw SQL (issue 4 speed).

    .venv/bin/python bench/stock_ledger.py [--moves 100000] [--lines 10000] [--per-doc 100]

Runs on a fresh SQLite file database of its own (or on DATABASE_URL when set, e.g. a throwaway
PostgreSQL). Two measurements, each against the raw limit of the same work on the same machine:

1. Posting ``--moves`` ledger movements through ``ledger.post_moves`` in documents of ``--per-doc``
   moves (one transaction each): the first fifth receive goods into bins, the rest move them between
   bins. Each call validates, locks the balances, checks availability, writes the ledger rows with
   the quantities after and updates the balances.
   Raw limit: the same rows with hand-written SQL, one transaction per document: ``executemany``
   INSERT of the ledger rows, INSERT of the new balance rows, and one ``UPDATE … SET on_hand =
   on_hand ± n`` per touched balance — no checks, no locks, no reads.
2. Reserving ``--lines`` order lines, one document per line, through ``reservations.reserve`` (locks,
   FIFO, all-or-nothing, reservation + allocation rows, history).
   Raw limit: per line one transaction with a conditional ``UPDATE … SET reserved = reserved + n
   WHERE id = ? AND on_hand - reserved >= n`` and the two INSERTs.

Prints each ratio as raw seconds ÷ actions seconds (1.0 = as fast as raw SQL; the issue aims for at
least 0.3 on SQLite). No thresholds are asserted: the numbers are for people to compare.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import common  # noqa: E402 - bench/common.py, beside this script

SKUS = 1000
BINS = 100


def setup() -> str:
    # DJANGO_DEBUG false as in production: no query log on every cursor.
    return common.setup(DJANGO_DEBUG="false")


def world(tag: str):
    """A client, a warehouse with ``BINS`` bins, ``SKUS`` SKUs and one lot."""
    from decimal import Decimal

    from django.contrib.auth import get_user_model

    from ecomops.catalog.models import SKU, Style
    from ecomops.inventory import actions
    from ecomops.inventory.ledger import DocRef
    from ecomops.org.models import Client

    user = get_user_model().objects.filter(username="bench").first() or get_user_model().objects.create_superuser(
        "bench", password=None
    )
    client = Client.objects.create(code=f"B{tag}", name=f"基准测试 {tag}")
    warehouse = actions.create_warehouse(user=user, code=f"W{tag}", name=f"基准仓 {tag}")
    bins = [actions.create_bin(warehouse, user=user, code=f"{tag}-{n:03d}", pick_order=n) for n in range(BINS)]
    style = Style.objects.create(
        client=client, style_no=f"S{tag}", name="基准款", unit_cost=Decimal(1), price=Decimal(2)
    )
    SKU.objects.bulk_create(
        [
            SKU(client=client, style=style, colour=f"C{n}", size="M", sku_code=f"{tag}{n:05d}",
                barcode=f"{tag}{n:010d}", barcode_source="external")
            for n in range(SKUS)
        ]
    )
    skus = list(SKU.objects.filter(client=client).values_list("pk", flat=True))
    lot = actions.open_lot(client=client, source=DocRef("opening", tag, tag))
    return user, client, warehouse, bins, skus, lot


def plan_moves(total: int, per_doc: int, bins, skus, seed: int):
    """Documents of (sku, from_bin index | None, to_bin index, quantity): receipts, then bin moves that
    only take what the plan has put there (so every move is valid)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data
    held: dict[int, dict[int, int]] = {sku: {} for sku in skus}
    docs, doc = [], []
    receipts = total // 5
    for n in range(total):
        sku = skus[n % len(skus)]
        if n < receipts:
            source, to, quantity = None, rng.randrange(len(bins)), rng.randint(5, 50)
        else:
            source = rng.choice([b for b, q in held[sku].items() if q > 0])
            to = (source + rng.randrange(1, len(bins))) % len(bins)
            quantity = min(held[sku][source], rng.randint(1, 5))
            held[sku][source] -= quantity
        held[sku][to] = held[sku].get(to, 0) + quantity
        doc.append((sku, source, to, quantity))
        if len(doc) == per_doc:
            docs.append(doc)
            doc = []
    if doc:
        docs.append(doc)
    return docs


def run_actions(docs, user, bins, lot) -> float:
    from ecomops.inventory.ledger import DocRef, Move, post_moves

    started = time.perf_counter()
    for n, doc in enumerate(docs):
        moves = [
            Move(sku, lot.pk, quantity, from_bin=None if source is None else bins[source], to_bin=bins[to])
            for sku, source, to, quantity in doc
        ]
        post_moves(moves, doc=DocRef("bin_move", f"A{n}", f"A{n}"), user=user)
    return time.perf_counter() - started


def run_raw(docs, user, client, warehouse, bins, lot) -> float:
    """The same rows with bare SQL: no validation, no locks, no reads of the balances."""
    from django.db import connection, transaction
    from django.utils import timezone

    from ecomops.inventory.models import StockBalance, StockMove

    move_table, balance_table = StockMove._meta.db_table, StockBalance._meta.db_table
    insert_move = (
        f"INSERT INTO {move_table} (posted_at, business_day, client_id, sku_id, lot_id, quantity, from_bin_id, "  # noqa: S608
        "to_bin_id, from_warehouse_id, to_warehouse_id, from_after, to_after, from_reserved, doc_kind, doc_id, "
        "doc_number, by_id, note) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )
    insert_balance = (
        f"INSERT INTO {balance_table} (client_id, warehouse_id, sku_id, bin_id, lot_id, on_hand, reserved, "  # noqa: S608
        "updated_at) VALUES (%s, %s, %s, %s, %s, 0, 0, %s)"
    )
    update_balance = (
        f"UPDATE {balance_table} SET on_hand = on_hand + %s, updated_at = %s "  # noqa: S608
        "WHERE sku_id = %s AND bin_id = %s AND lot_id = %s"
    )
    bin_ids = [b.pk for b in bins]
    known: set[tuple[int, int]] = set()
    started = time.perf_counter()
    for n, doc in enumerate(docs):
        now = timezone.now()
        day = timezone.localdate(now)
        moves, new, deltas = [], [], {}
        for sku, source, to, quantity in doc:
            moves.append((now, day, client.pk, sku, lot.pk, quantity, None if source is None else bin_ids[source],
                          bin_ids[to], None if source is None else warehouse.pk, warehouse.pk, 0, 0, 0, "bin_move",
                          f"R{n}", f"R{n}", user.pk, ""))
            if (sku, to) not in known:
                known.add((sku, to))
                new.append((client.pk, warehouse.pk, sku, bin_ids[to], lot.pk, now))
            deltas[(sku, bin_ids[to])] = deltas.get((sku, bin_ids[to]), 0) + quantity
            if source is not None:
                deltas[(sku, bin_ids[source])] = deltas.get((sku, bin_ids[source]), 0) - quantity
        with transaction.atomic(), connection.cursor() as cursor:
            if new:
                cursor.executemany(insert_balance, new)
            cursor.executemany(update_balance, [(d, now, s, b, lot.pk) for (s, b), d in deltas.items()])
            cursor.executemany(insert_move, moves)
    return time.perf_counter() - started


def reserve_actions(lines, warehouse) -> float:
    from ecomops.inventory import reservations
    from ecomops.inventory.ledger import DocRef, InsufficientStock

    started = time.perf_counter()
    for n, (sku, quantity) in enumerate(lines):
        try:
            reservations.reserve(doc=DocRef("order", f"A{n}", f"A{n}"), lines=[(sku, quantity)], warehouse=warehouse)
        except InsufficientStock:  # small runs can exhaust a SKU; the raw side skips the same lines
            continue
    return time.perf_counter() - started


def reserve_raw(lines, client, warehouse) -> float:
    from django.db import connection, transaction
    from django.utils import timezone

    from ecomops.inventory.models import Reservation, ReservationAllocation, StockBalance

    balances = {}
    for pk, sku in StockBalance.objects.filter(warehouse=warehouse, on_hand__gt=0).values_list("pk", "sku_id"):
        balances.setdefault(sku, []).append(pk)
    update = (
        f"UPDATE {StockBalance._meta.db_table} SET reserved = reserved + %s "  # noqa: S608
        "WHERE id = %s AND on_hand - reserved >= %s"
    )
    insert_reservation = (
        f"INSERT INTO {Reservation._meta.db_table} (client_id, warehouse_id, sku_id, quantity, doc_kind, doc_id, "  # noqa: S608
        "doc_number, state, note, created_at, close_reason) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, '', %s, '')"
    )
    insert_allocation = (
        f"INSERT INTO {ReservationAllocation._meta.db_table} (reservation_id, balance_id, quantity) "  # noqa: S608
        "VALUES (%s, %s, %s)"
    )
    started = time.perf_counter()
    for n, (sku, quantity) in enumerate(lines):
        with transaction.atomic(), connection.cursor() as cursor:
            for balance in balances[sku]:
                cursor.execute(update, (quantity, balance, quantity))
                if cursor.rowcount:
                    break
            else:
                continue
            cursor.execute(insert_reservation, (client.pk, warehouse.pk, sku, quantity, "order", f"R{n}", f"R{n}",
                                                "active", timezone.now()))
            cursor.execute(insert_allocation, (cursor.lastrowid or n + 1, balance, quantity))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--moves", type=int, default=100_000)
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--per-doc", type=int, default=100)
    options = parser.parse_args()
    database = setup()

    from ecomops.inventory.verify import differences

    user, client, warehouse, bins, skus, lot = world("A")
    docs = plan_moves(options.moves, options.per_doc, bins, skus, seed=1)
    actions_s = run_actions(docs, user, bins, lot)
    assert differences() == []
    _, client_r, warehouse_r, bins_r, skus_r, lot_r = world("R")
    raw_s = run_raw(plan_moves(options.moves, options.per_doc, bins_r, skus_r, seed=1), user, client_r, warehouse_r,
                    bins_r, lot_r)

    rng = random.Random(2)  # noqa: S311 - reproducible test data
    lines = [(skus[rng.randrange(len(skus))], rng.randint(1, 3)) for _ in range(options.lines)]
    reserve_s = reserve_actions(lines, warehouse)
    assert differences(warehouse.pk) == []
    by_index = {sku: n for n, sku in enumerate(skus)}
    raw_lines = [(skus_r[by_index[sku]], quantity) for sku, quantity in lines]
    reserve_raw_s = reserve_raw(raw_lines, client_r, warehouse_r)

    print(f"database:        {database}")
    print(f"ledger:          {options.moves:,} moves in {len(docs):,} documents of {options.per_doc}")
    print(f"  actions layer: {actions_s:7.2f} s = {options.moves / actions_s:,.0f} moves/s")
    print(f"  raw SQL:       {raw_s:7.2f} s = {options.moves / raw_s:,.0f} moves/s")
    print(f"  ratio:         {raw_s / actions_s:.2f} (raw ÷ actions; 1.0 = as fast as raw SQL)")
    print(f"reservations:    {options.lines:,} order lines, one document each")
    print(f"  actions layer: {reserve_s:7.2f} s = {options.lines / reserve_s:,.0f} lines/s")
    print(f"  raw SQL:       {reserve_raw_s:7.2f} s = {options.lines / reserve_raw_s:,.0f} lines/s")
    print(f"  ratio:         {reserve_raw_s / reserve_s:.2f}")
    path = os.environ.get("ECOMOPS_SQLITE_PATH")
    if path:
        from django.db import connection

        connection.close()
        shutil.rmtree(os.path.dirname(path), ignore_errors=True)


if __name__ == "__main__":
    main()

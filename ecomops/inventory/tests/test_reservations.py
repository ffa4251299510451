"""Reservations for documents (ORD-04, WMS-11): reserve / release / consume, FIFO, all or nothing,
and race-free under parallel workers on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connections

from ecomops.core.errors import BusinessError, Conflict
from ecomops.inventory import reservations
from ecomops.inventory.enums import ReservationState
from ecomops.inventory.ledger import DocRef, InsufficientStock, Move, post_moves
from ecomops.inventory.models import Reservation, StockBalance, StockMove
from ecomops.inventory.verify import differences

from .conftest import Stock, make_sku

ORDER = "order"


def ref(n):
    return DocRef(ORDER, str(n), f"SO{n}")


def test_reserve_takes_oldest_lot_first_and_counts_against_available(stock):
    """WMS-10 FIFO; reserved stock is no longer available to others."""
    old = stock.put(stock.sku, 2, stock.a2, received_on=date(2026, 1, 1))
    stock.put(stock.sku, 5, stock.a1, received_on=date(2026, 2, 1))
    [r] = reservations.reserve(doc=ref(1), lines=[(stock.sku.pk, 3)], warehouse=stock.wh, user=stock.keeper)
    taken = {(a.balance.lot_id, a.quantity) for a in r.allocations.select_related("balance")}
    assert (old.pk, 2) in taken
    assert reservations.available(stock.sku.pk, stock.wh.pk) == 4
    assert differences() == []


def test_reserve_is_all_or_nothing_and_names_the_short_sku(stock):
    stock.put(stock.sku, 5)
    stock.put(stock.sku2, 1)
    with pytest.raises(InsufficientStock) as info:
        reservations.reserve(doc=ref(2), lines=[(stock.sku.pk, 2), (stock.sku2.pk, 3)], warehouse=stock.wh)
    assert info.value.shortages == [(stock.sku2.sku_code, 3, 1)]
    assert stock.sku2.sku_code in str(info.value)
    assert not Reservation.objects.exists()
    assert StockBalance.objects.filter(reserved__gt=0).count() == 0


def test_only_sellable_bins_are_reserved(stock):
    """WMS-05: goods in the defective or inspection area are not for sale."""
    stock.put(stock.sku, 4, stock.defective)
    stock.put(stock.sku, 4, stock.inspection)
    with pytest.raises(InsufficientStock):
        reservations.reserve(doc=ref(3), lines=[(stock.sku.pk, 1)], warehouse=stock.wh)


def test_bad_quantities_are_refused(stock):
    for bad in (0, -1, 1.5):
        with pytest.raises(BusinessError):
            reservations.reserve(doc=ref(4), lines=[(stock.sku.pk, bad)], warehouse=stock.wh)
    with pytest.raises(BusinessError):
        reservations.reserve(doc=ref(4), lines=[], warehouse=stock.wh)


def test_release_gives_the_stock_back(stock):
    stock.put(stock.sku, 5)
    reservations.reserve(doc=ref(5), lines=[(stock.sku.pk, 5)], warehouse=stock.wh)
    assert reservations.available(stock.sku.pk) == 0
    assert reservations.release(doc=ref(5), user=stock.keeper, reason="买家取消") == 5
    assert reservations.available(stock.sku.pk) == 5
    assert Reservation.objects.get().state == ReservationState.RELEASED
    assert reservations.release(doc=ref(5)) == 0  # twice changes nothing
    assert differences() == []


def test_reserved_stock_cannot_be_moved_away(stock):
    lot = stock.put(stock.sku, 3)
    reservations.reserve(doc=ref(6), lines=[(stock.sku.pk, 2)], warehouse=stock.wh)
    with pytest.raises(InsufficientStock):
        post_moves([Move(stock.sku.pk, lot.pk, 2, from_bin=stock.a1, to_bin=stock.a2)], doc=ref(60), user=None)


def test_consume_ships_the_reserved_units(stock):
    stock.put(stock.sku, 3)
    reservations.reserve(doc=ref(7), lines=[(stock.sku.pk, 2)], warehouse=stock.wh)
    rows = reservations.consume(doc=ref(7), user=stock.keeper)
    assert sum(r.quantity for r in rows) == 2 and all(r.to_bin is None and r.from_reserved == r.quantity for r in rows)
    assert StockBalance.objects.get(sku=stock.sku).on_hand == 1
    assert StockBalance.objects.get(sku=stock.sku).reserved == 0
    assert Reservation.objects.get().state == ReservationState.CONSUMED
    with pytest.raises(Conflict):
        reservations.consume(doc=ref(7))
    assert differences() == []


WORKERS = 8
ROUNDS = 6


@pytest.mark.django_db(transaction=True)
def test_parallel_reservations_never_oversell(org, django_user_model):
    """ORD-04 / WMS-10 under load: 8 workers reserve, release and consume the same SKU at once. The
    sum reserved never exceeds stock, every failure is a clean 'insufficient stock', nothing
    deadlocks, and afterwards the balances still equal the ledger. Runs on SQLite and PostgreSQL."""
    from ecomops.inventory import actions

    admin = django_user_model.objects.create_superuser("race_admin", password=None)
    warehouse = actions.create_warehouse(user=admin, code="RACE", name="并发仓")
    bins = [actions.create_bin(warehouse, user=admin, code=f"R-{n}", pick_order=n) for n in range(3)]
    sku = make_sku(org.client_a, "RACE1")
    s = Stock()
    s.keeper = admin
    for n, bin_ in enumerate(bins):
        s.put(sku, 7, bin_, received_on=date(2026, 1, n + 1))  # 21 units in three lots
    total = 21
    barrier = threading.Barrier(WORKERS)
    errors, refused, done = [], [], []

    def worker(n):
        try:
            barrier.wait()
            for k in range(ROUNDS):
                doc = DocRef(ORDER, f"{n}-{k}", f"R{n}-{k}")
                try:
                    reservations.reserve(doc=doc, lines=[(sku.pk, 1 + (n + k) % 3)], warehouse=warehouse)
                except InsufficientStock:
                    refused.append(doc)
                    continue
                if k % 3 == 0:
                    reservations.release(doc=doc, reason="race")
                elif k % 3 == 1:
                    reservations.consume(doc=doc)
                else:
                    done.append(doc)
        except Exception as error:  # collected and asserted below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a worker hung (deadlock?)"
    assert errors == []
    shipped = sum(StockMove.objects.filter(to_bin__isnull=True, doc_kind=ORDER).values_list("quantity", flat=True))
    held = sum(Reservation.objects.filter(state=ReservationState.ACTIVE).values_list("quantity", flat=True))
    rows = StockBalance.objects.filter(sku=sku)
    assert sum(r.reserved for r in rows) == held
    assert held + shipped <= total
    assert sum(r.on_hand for r in rows) == total - shipped
    assert all(0 <= r.reserved <= r.on_hand for r in rows)
    assert len(done) + len(refused) > 0
    assert differences() == []


def test_reservation_leaves_an_audit_record_of_who_and_when(stock):
    """DAT-02: a reservation's creation is in its history with the acting user; release adds a row."""
    stock.put(stock.sku, 3)
    [r] = reservations.reserve(doc=ref(8), lines=[(stock.sku.pk, 2)], warehouse=stock.wh, user=stock.keeper)
    [created] = r.history.all()
    assert (created.history_type, created.history_user, created.quantity, created.state) == ("+", stock.keeper, 2,
                                                                                              "active")
    assert created.history_date is not None and created.doc_number == "SO8"
    reservations.release(doc=ref(8), user=stock.keeper, reason="取消")
    assert r.history.count() == 2 and r.history.first().state == ReservationState.RELEASED

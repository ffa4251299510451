"""The stock ledger (WMS-10, WMS-13, CAT-05): every movement is a row with the quantities after it;
balances are a cache of the ledger that can never go negative; posted documents are corrected by
reversals, never edited."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.inventory import actions
from ecomops.inventory.enums import DocKind, DocState, OutboundReason
from ecomops.inventory.ledger import DocRef, InsufficientStock, Move, post_moves
from ecomops.inventory.models import DailyClose, StockBalance, StockDocument, StockMove
from ecomops.inventory.verify import differences


def balance(sku, bin_):
    return sum(StockBalance.objects.filter(sku=sku, bin=bin_).values_list("on_hand", flat=True))


def test_each_move_is_a_ledger_row_with_quantities_after(stock):
    """WMS-13/ERPNext-style ledger: who, when, what, from, to, quantity, lot, document, quantity after."""
    lot = stock.put(stock.sku, 10)
    doc = DocRef(DocKind.BIN_MOVE, "1", "YK-1")
    [row] = post_moves([Move(stock.sku.pk, lot.pk, 4, from_bin=stock.a1, to_bin=stock.a2)], doc=doc, user=stock.keeper)
    assert (row.from_after, row.to_after) == (6, 4)
    assert row.by == stock.keeper and row.doc_number == "YK-1" and row.lot == lot
    assert row.from_warehouse == stock.wh == row.to_warehouse
    assert balance(stock.sku, stock.a1) == 6 and balance(stock.sku, stock.a2) == 4
    assert differences() == []


def test_taking_more_than_available_is_refused_and_nothing_is_written(stock):
    """WMS-10: stock never goes negative; the whole batch is refused, naming the SKU, bin and lot."""
    lot = stock.put(stock.sku, 3)
    before = StockMove.objects.count()
    moves = [
        Move(stock.sku.pk, lot.pk, 2, from_bin=stock.a1, to_bin=stock.a2),
        Move(stock.sku.pk, lot.pk, 2, from_bin=stock.a1, to_bin=None),
    ]
    with pytest.raises(InsufficientStock) as info:
        post_moves(moves, doc=DocRef(DocKind.OUTBOUND, "9", "CK-9"), user=stock.keeper)
    assert stock.sku.sku_code in str(info.value) and "A-01-01" in str(info.value) and lot.number in str(info.value)
    assert StockMove.objects.count() == before
    assert balance(stock.sku, stock.a1) == 3 and balance(stock.sku, stock.a2) == 0


def test_database_refuses_negative_or_over_reserved_balances(stock):
    """The CHECK constraints hold even if code bypasses the ledger."""
    stock.put(stock.sku, 2)
    row = StockBalance.objects.get(sku=stock.sku, bin=stock.a1)
    for field, value in (("on_hand", -1), ("reserved", -1), ("reserved", 3)):
        with pytest.raises(IntegrityError), transaction.atomic():
            StockBalance.objects.filter(pk=row.pk).update(**{field: value})


def test_ledger_rows_cannot_be_changed_or_deleted(stock):
    """WMS-13: documents are never erased."""
    stock.put(stock.sku, 2)
    row = StockMove.objects.first()
    row.quantity = 5
    with pytest.raises(ValueError):
        row.save()
    with pytest.raises(ValueError):
        row.delete()
    with pytest.raises(ValueError):
        StockMove.objects.all().update(quantity=1)
    with pytest.raises(ValueError):
        StockMove.objects.all().delete()


def test_lot_of_another_client_and_inactive_bin_are_refused(stock):
    lot_b = stock.put(stock.sku_b, 1)
    with pytest.raises(BusinessError, match="批次"):
        post_moves([Move(stock.sku.pk, lot_b.pk, 1, to_bin=stock.a1)], doc=DocRef("opening", "x", "x"), user=None)
    actions.update_bin(stock.a2, user=stock.admin, is_active=False)
    lot = stock.put(stock.sku, 1)
    with pytest.raises(BusinessError, match="停用"):
        move = Move(stock.sku.pk, lot.pk, 1, from_bin=stock.a1, to_bin=stock.a2)
        post_moves([move], doc=DocRef("bin_move", "y", "y"), user=None)


def test_bin_with_stock_cannot_be_deactivated_or_change_kind(stock):
    stock.put(stock.sku, 1)
    with pytest.raises(Conflict):
        actions.update_bin(stock.a1, user=stock.admin, is_active=False)
    with pytest.raises(Conflict):
        actions.update_bin(stock.a1, user=stock.admin, kind="defective")


def test_every_warehouse_has_one_system_transit_bin(stock):
    """WMS-09: in-transit stock sits in the shipping warehouse's transit bin."""
    transit = actions.transit_bin(stock.wh)
    assert transit.kind == "transit"
    with pytest.raises(BusinessError):
        actions.create_bin(stock.wh, user=stock.admin, code="T2", kind="transit")
    with pytest.raises(BusinessError):
        actions.update_bin(transit, user=stock.admin, code="X")


def test_closed_day_refuses_postings(stock):
    """WMS-13 日清日结: once the statistician closed today, nothing more is posted into it."""
    from django.utils import timezone

    DailyClose.objects.create(warehouse=stock.wh, day=timezone.localdate(), closed_by=stock.admin,
                              closed_at=timezone.now())
    with pytest.raises(BusinessError, match="日结"):
        stock.put(stock.sku, 1)
    stock.put(stock.sku, 1, stock.b1)  # the other warehouse is still open


@pytest.mark.django_db
def test_next_number_is_gap_free():
    a, b = actions.next_number("YK"), actions.next_number("YK")
    assert a.endswith("-0001") and b.endswith("-0002") and a[:10] == b[:10]
    assert actions.next_number("CK").endswith("-0001")


# --- documents -----------------------------------------------------------------------------------


def test_outbound_needs_a_reference_document(stock):
    """WMS-10: goods leave only against a document."""
    with pytest.raises(BusinessError) as info:
        actions.create_document(user=stock.keeper, kind=DocKind.OUTBOUND, warehouse=stock.wh,
                                client=stock.org.client_a, reason=OutboundReason.OTHER, reference=" ")
    assert info.value.field == "reference"


def test_outbound_line_is_split_fifo_over_lots(stock):
    """WMS-10: first in, first out by lot; the older lot is taken first even from a later bin."""
    from datetime import date

    old = stock.put(stock.sku, 3, stock.a2, received_on=date(2026, 1, 5))
    new = stock.put(stock.sku, 5, stock.a1, received_on=date(2026, 3, 1))
    doc = actions.create_document(user=stock.keeper, kind=DocKind.OUTBOUND, warehouse=stock.wh,
                                  client=stock.org.client_a, reason=OutboundReason.INTERNAL_USE, reference="领用单 88")
    lines = actions.add_line(doc, user=stock.keeper, sku=stock.sku, quantity=4)
    assert [(line.lot, line.quantity) for line in lines] == [(old, 3), (new, 1)]
    actions.post_document(doc, user=stock.keeper)
    assert balance(stock.sku, stock.a2) == 0 and balance(stock.sku, stock.a1) == 4
    doc.refresh_from_db()
    assert doc.state == DocState.POSTED and doc.posted_by == stock.keeper


def test_posted_document_cannot_be_edited_and_is_corrected_by_a_reversal(stock):
    """WMS-13: a correction is a new entry that shows what it corrects, by whom and when."""
    stock.put(stock.sku, 5)
    doc = actions.create_document(user=stock.keeper, kind=DocKind.BIN_MOVE, warehouse=stock.wh,
                                  client=stock.org.client_a)
    actions.add_line(doc, user=stock.keeper, sku=stock.sku, quantity=2, from_bin=stock.a1, to_bin=stock.a2)
    actions.post_document(doc, user=stock.keeper)
    with pytest.raises(Conflict):
        actions.add_line(doc, user=stock.keeper, sku=stock.sku, quantity=1, from_bin=stock.a1, to_bin=stock.a2)
    with pytest.raises(Conflict):
        actions.remove_line(doc.lines.first(), user=stock.keeper)
    with pytest.raises(Conflict):
        actions.post_document(doc, user=stock.keeper)
    ref = DocRef.of(DocKind.BIN_MOVE, doc)
    with pytest.raises(BusinessError):
        actions.reverse_document(user=stock.keeper, doc=ref, reason="")
    reversal = actions.reverse_document(user=stock.keeper, doc=ref, reason="库位录错")
    assert reversal.original_number == doc.number and reversal.by == stock.keeper
    assert balance(stock.sku, stock.a1) == 5 and balance(stock.sku, stock.a2) == 0
    back = StockMove.objects.filter(doc_kind=DocKind.REVERSAL).get()
    assert back.reverses.doc_number == doc.number
    with pytest.raises(Conflict):
        actions.reverse_document(user=stock.keeper, doc=ref, reason="再来一次")
    assert differences() == []


def test_reversal_is_refused_when_the_goods_moved_on(stock):
    stock.put(stock.sku, 2)
    doc = actions.create_document(user=stock.keeper, kind=DocKind.BIN_MOVE, warehouse=stock.wh,
                                  client=stock.org.client_a)
    actions.add_line(doc, user=stock.keeper, sku=stock.sku, quantity=2, from_bin=stock.a1, to_bin=stock.a2)
    actions.post_document(doc, user=stock.keeper)
    out = actions.create_document(user=stock.keeper, kind=DocKind.OUTBOUND, warehouse=stock.wh,
                                  client=stock.org.client_a, reason=OutboundReason.OTHER, reference="X1")
    actions.add_line(out, user=stock.keeper, sku=stock.sku, quantity=2)
    actions.post_document(out, user=stock.keeper)
    with pytest.raises(InsufficientStock):
        actions.reverse_document(user=stock.keeper, doc=DocRef.of(DocKind.BIN_MOVE, doc), reason="晚了")
    assert not StockMove.objects.filter(doc_kind=DocKind.REVERSAL).exists()


def test_keeper_cannot_touch_another_clients_stock(stock):
    """DAT-02: the keeper is granted client A only."""
    with pytest.raises(NotAllowed):
        actions.create_document(user=stock.keeper, kind=DocKind.BIN_MOVE, warehouse=stock.wh,
                                client=stock.org.client_b)


def test_client_user_cannot_post(stock):
    with pytest.raises(NotAllowed):
        actions.create_document(user=stock.org.member_a, kind=DocKind.BIN_MOVE, warehouse=stock.wh,
                                client=stock.org.client_a)


def test_opening_balance_opens_a_lot(stock):
    doc = actions.create_document(user=stock.keeper, kind=DocKind.OPENING, warehouse=stock.wh,
                                  client=stock.org.client_a, note="系统上线期初")
    actions.add_line(doc, user=stock.keeper, sku=stock.sku, quantity=7, to_bin=stock.a1)
    actions.post_document(doc, user=stock.keeper)
    line = doc.lines.get()
    assert line.lot.source_number == doc.number and balance(stock.sku, stock.a1) == 7


def test_verify_reports_a_tampered_balance(stock):
    """账物相符: a balance that no longer equals the ledger is reported."""
    stock.put(stock.sku, 4)
    StockBalance.objects.filter(sku=stock.sku).update(on_hand=5)
    [diff] = differences()
    assert (diff.field, diff.books, diff.ledger) == ("on_hand", 5, 4)


def test_draft_documents_list_only_for_their_client(stock):
    actions.create_document(user=stock.admin, kind=DocKind.BIN_MOVE, warehouse=stock.wh, client=stock.org.client_b)
    assert StockDocument.objects.visible_to(stock.keeper).count() == 0

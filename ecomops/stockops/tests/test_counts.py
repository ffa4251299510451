"""WMS-08 counts: snapshot at creation, blind counting, found goods, differences with a reason per line,
approval by someone who did not count, posting as ledger adjustments; quarterly full count with finance;
stock moved after the snapshot refuses the posting. Scrap notes with reason, approval and posting."""

from __future__ import annotations

import pytest

from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.inventory import actions as inventory
from ecomops.inventory import reservations
from ecomops.inventory.enums import DocKind
from ecomops.inventory.ledger import DocRef
from ecomops.inventory.models import Lot, StockBalance
from ecomops.inventory.tests.conftest import give
from ecomops.inventory.verify import differences
from ecomops.stockops import actions
from ecomops.stockops.enums import CountKind, CountState, ScrapState

pytestmark = pytest.mark.django_db


def on_hand(bin_, sku):
    return sum(StockBalance.objects.filter(bin=bin_, sku=sku).values_list("on_hand", flat=True))


def sheet_for(ops, **kw):
    return actions.create_count(user=ops.keeper, client=ops.org.client_a, warehouse=ops.wh, **kw)


def test_wms08_count_snapshot_differences_reason_and_approval_post_adjustments(ops):
    ops.put(ops.sku, 10, ops.a1)
    ops.put(ops.sku2, 4, ops.a2)
    sheet = sheet_for(ops)
    assert sorted((line.bin.code, line.sku.sku_code, line.book) for line in sheet.lines.all()) == [
        ("A-01-01", ops.sku.sku_code, 10), ("A-01-02", ops.sku2.sku_code, 4)]
    actions.record_count(sheet, user=ops.counter, bin=ops.a1, sku=ops.sku, quantity=8)
    actions.record_count(sheet, user=ops.counter, bin=ops.a2, sku=ops.sku2, quantity=4)
    found = actions.record_count(sheet, user=ops.counter, bin=ops.a2, sku=ops.sku, quantity=3)
    assert found.found and found.lot is None
    sheet = actions.submit_count(sheet, user=ops.counter)
    lines = {(line.bin.code, line.sku_id): line for line in sheet.lines.all()}
    assert lines[("A-01-01", ops.sku.pk)].difference == -2
    assert lines[("A-01-02", ops.sku.pk)].difference == 3
    give(ops.counter, "stockops.approve_countsheet")
    counter = type(ops.counter).objects.get(pk=ops.counter.pk)
    with pytest.raises(NotAllowed, match="未参与"):
        actions.approve_count(sheet, user=counter)  # has the right, but counted this sheet
    with pytest.raises(NotAllowed):
        actions.approve_count(sheet, user=ops.keeper2)  # no approval right
    with pytest.raises(BusinessError, match="差异原因"):
        actions.approve_count(sheet, user=ops.supervisor)
    actions.explain_difference(lines[("A-01-01", ops.sku.pk)], user=ops.counter, reason="破损未登记")
    actions.explain_difference(lines[("A-01-02", ops.sku.pk)], user=ops.counter, reason="上架放错库位")
    sheet = actions.approve_count(sheet, user=ops.supervisor)
    assert sheet.state == CountState.POSTED and sheet.approved_by == ops.supervisor
    assert on_hand(ops.a1, ops.sku) == 8 and on_hand(ops.a2, ops.sku) == 3 and on_hand(ops.a2, ops.sku2) == 4
    moves = list(inventory.moves_of(actions.count_doc(sheet)))
    assert {(m.from_bin_id, m.to_bin_id, m.quantity) for m in moves} == {(ops.a1.pk, None, 2), (None, ops.a2.pk, 3)}
    gain_lot = Lot.objects.get(source_kind=DocKind.COUNT, source_id=str(sheet.pk))  # found goods: a new lot
    assert gain_lot.number == sheet.lines.get(found=True).lot.number
    assert differences() == []


def test_wms08_submitted_sheet_takes_no_more_counts_and_posted_sheet_is_final(ops):
    ops.put(ops.sku, 5)
    sheet = sheet_for(ops)
    with pytest.raises(Conflict):
        actions.approve_count(sheet, user=ops.supervisor)  # not submitted yet
    actions.record_count(sheet, user=ops.counter, bin=ops.a1, sku=ops.sku, quantity=5)
    actions.submit_count(sheet, user=ops.counter)
    with pytest.raises(Conflict):
        actions.record_count(sheet, user=ops.counter, bin=ops.a1, sku=ops.sku, quantity=4)
    actions.approve_count(sheet, user=ops.supervisor)
    with pytest.raises(Conflict):
        actions.cancel_count(sheet, user=ops.keeper)
    assert differences() == []


def test_wms08_uncounted_lines_count_as_zero_on_submission(ops):
    ops.put(ops.sku, 5)
    sheet = actions.submit_count(sheet_for(ops), user=ops.counter)
    assert sheet.lines.get().counted == 0 and sheet.lines.get().difference == -5


def test_wms08_posting_refused_when_counted_bins_moved_after_snapshot(ops):
    ops.put(ops.sku, 5)
    sheet = sheet_for(ops)
    actions.record_count(sheet, user=ops.counter, bin=ops.a1, sku=ops.sku, quantity=5)
    actions.submit_count(sheet, user=ops.counter)
    ops.put(ops.sku, 1, ops.a1)  # a receipt into the counted bin after the snapshot
    with pytest.raises(Conflict, match="A-01-01"):
        actions.approve_count(sheet, user=ops.supervisor)
    assert on_hand(ops.a1, ops.sku) == 6 and differences() == []


def test_wms08_moves_outside_the_counted_bins_do_not_block(ops):
    ops.put(ops.sku, 5, ops.a1)
    sheet = sheet_for(ops, bins=[ops.a1])
    actions.record_count(sheet, user=ops.counter, bin=ops.a1, sku=ops.sku, quantity=5)
    actions.submit_count(sheet, user=ops.counter)
    ops.put(ops.sku, 1, ops.a2)
    assert actions.approve_count(sheet, user=ops.supervisor).state == CountState.POSTED


def test_wms08_quarterly_full_count_needs_finance_and_the_whole_warehouse(ops):
    with pytest.raises(BusinessError) as no_finance:
        sheet_for(ops, kind=CountKind.FULL)
    assert no_finance.value.field == "finance_participant"
    with pytest.raises(BusinessError) as partial:
        sheet_for(ops, kind=CountKind.FULL, zone=ops.zone, finance_participant=ops.finance)
    assert partial.value.field == "kind"
    sheet = sheet_for(ops, kind=CountKind.FULL, finance_participant=ops.finance)
    assert sheet.with_finance and sheet.finance_participant == ops.finance
    assert "财务监盘" in actions.events_of(DocKind.COUNT, sheet).get().note


def test_wms08_several_lots_in_a_bin_need_the_lot_and_the_scanner_flow(ops):
    first = ops.put(ops.sku, 2)
    ops.put(ops.sku, 3)
    sheet = sheet_for(ops)
    with pytest.raises(BusinessError) as refused:
        actions.record_count(sheet, user=ops.counter, bin=ops.a1, sku=ops.sku, quantity=5)
    assert refused.value.field == "lot"
    scanned = actions.scan_code(sheet, user=ops.counter, code="A-01-01")
    assert scanned.kind == "bin" and scanned.bin == ops.a1
    scanned = actions.scan_code(sheet, user=ops.counter, code=first.number, bin=ops.a1)
    assert scanned.kind == "lot"
    for _ in range(2):
        scanned = actions.scan_code(sheet, user=ops.counter, code=ops.sku.barcode, bin=ops.a1, lot=first)
    assert scanned.line.counted == 2 and scanned.line.lot == first
    with pytest.raises(BusinessError, match="无法识别"):
        actions.scan_code(sheet, user=ops.counter, code="NOPE", bin=ops.a1)
    with pytest.raises(BusinessError, match="不在本盘点单范围"):
        actions.record_count(sheet, user=ops.counter, bin=inventory.transit_bin(ops.wh), sku=ops.sku, quantity=1)


def test_wms08_dat02_another_clients_sheet_is_refused(ops):
    sheet = sheet_for(ops)
    with pytest.raises(BusinessError) as refused:
        actions.record_count(sheet, user=ops.keeper_b, bin=ops.a1, sku=ops.sku, quantity=1)
    assert refused.value.code == "not_found"


def test_wms08_scrap_note_needs_reason_approval_by_another_and_posts_out_of_stock(ops):
    ops.put(ops.sku, 4, ops.defective)
    with pytest.raises(BusinessError) as no_reason:
        actions.create_scrap(user=ops.keeper, client=ops.org.client_a, warehouse=ops.wh, reason=" ",
                             lines=[(ops.sku, ops.defective, 3, None)])
    assert no_reason.value.field == "reason"
    with pytest.raises(BusinessError, match="不足"):
        actions.create_scrap(user=ops.keeper, client=ops.org.client_a, warehouse=ops.wh, reason="霉变",
                             lines=[(ops.sku, ops.defective, 5, None)])
    note = actions.create_scrap(user=ops.keeper, client=ops.org.client_a, warehouse=ops.wh, reason="霉变",
                                lines=[(ops.sku, ops.defective, 3, None)])
    with pytest.raises(Conflict):
        actions.post_scrap(note, user=ops.keeper)  # not approved yet
    with pytest.raises(NotAllowed):
        actions.approve_scrap(note, user=ops.keeper)  # no approval right
    own = actions.create_scrap(user=ops.supervisor, client=ops.org.client_a, warehouse=ops.wh, reason="x",
                               lines=[(ops.sku, ops.defective, 1, None)])
    with pytest.raises(NotAllowed, match="制单人以外"):
        actions.approve_scrap(own, user=ops.supervisor)
    actions.approve_scrap(note, user=ops.supervisor)
    note = actions.post_scrap(note, user=ops.keeper)
    assert note.state == ScrapState.POSTED and on_hand(ops.defective, ops.sku) == 1
    assert all(m.to_bin is None for m in inventory.moves_of(actions.scrap_doc(note)))
    assert differences() == []


def test_wms08_count_loss_cannot_take_reserved_goods_and_nothing_is_half_posted(ops):
    ops.put(ops.sku, 3)
    reservations.reserve(doc=DocRef("order", "O1", "O1"), lines=[(ops.sku.pk, 2)], warehouse=ops.wh)
    sheet = sheet_for(ops)
    actions.record_count(sheet, user=ops.counter, bin=ops.a1, sku=ops.sku, quantity=0)
    actions.submit_count(sheet, user=ops.counter)
    actions.explain_difference(sheet.lines.get(), user=ops.counter, reason="丢失")
    with pytest.raises(BusinessError, match="不足"):
        actions.approve_count(sheet, user=ops.supervisor)
    sheet.refresh_from_db()
    assert sheet.state == CountState.SUBMITTED and on_hand(ops.a1, ops.sku) == 3 and differences() == []

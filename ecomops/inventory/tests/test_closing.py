"""Daily close (日清日结, WMS-13) and the monthly in/out/balance report (WMS-19)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.inventory import actions, closing, report
from ecomops.inventory.enums import DocKind, OutboundReason
from ecomops.inventory.ledger import DocRef, Move, post_moves
from ecomops.inventory.models import DailyClose, StockBalance
from ecomops.inventory.tests import support
from ecomops.inventory.tests.support import make_user

wh = support.wh  # the fixture


def _outbound(wh, sku, qty):
    doc = actions.create_document(user=wh.keeper, kind=DocKind.OUTBOUND, warehouse=wh.wh, client=sku.client,
                                  reason=OutboundReason.SALE, reference="ORD-1")
    actions.add_line(doc, user=wh.keeper, sku=sku, quantity=qty)
    actions.post_document(doc, user=wh.keeper)
    return doc


def test_wms13_close_refused_while_drafts_are_open_and_lists_them(wh):
    """WMS-13: an unposted document blocks the close; the refusal names it."""
    wh.put(wh.sku, 5)
    draft = actions.create_document(user=wh.keeper, kind=DocKind.BIN_MOVE, warehouse=wh.wh, client=wh.org.client_a)
    actions.add_line(draft, user=wh.keeper, sku=wh.sku, quantity=2, from_bin=wh.a1, to_bin=wh.a2)
    today = timezone.localdate()
    with pytest.raises(closing.DayNotClosable) as info:
        closing.close_day(wh.wh, today, wh.keeper)
    assert draft.number in info.value.message and info.value.documents[0][1] == draft.number
    assert not DailyClose.objects.exists()
    actions.post_document(draft, user=wh.keeper)
    close = closing.close_day(wh.wh, today, wh.keeper)
    assert close.closed_by == wh.keeper


def test_wms13_empty_or_cancelled_drafts_do_not_block_and_other_warehouse_drafts_neither(wh):
    empty = actions.create_document(user=wh.keeper, kind=DocKind.OPENING, warehouse=wh.wh, client=wh.org.client_a)
    actions.cancel_document(empty, user=wh.keeper)
    other = actions.create_document(user=wh.keeper, kind=DocKind.OPENING, warehouse=wh.wh2, client=wh.org.client_a)
    actions.add_line(other, user=wh.keeper, sku=wh.sku, quantity=1, to_bin=wh.b1)
    assert closing.open_documents(wh.wh, timezone.localdate()) == []
    closing.close_day(wh.wh, timezone.localdate(), wh.keeper)


def test_wms13_registered_modules_block_the_close(wh):
    """Modules register their unfinished documents (e.g. unsigned receipts)."""
    closing.register_open_documents("test", lambda w, d: [("RC-1", "入库单未签收", "/x/")] if w == wh.wh else [])
    try:
        with pytest.raises(closing.DayNotClosable, match="RC-1"):
            closing.close_day(wh.wh, timezone.localdate(), wh.keeper)
    finally:
        closing._registry.pop("test")


def test_wms13_close_needs_the_permission_and_happens_once_and_not_in_the_future(wh, org):
    clerk = make_user("clerk", "inventory.view_dailyclose", client=org.client_a)
    today = timezone.localdate()
    with pytest.raises(NotAllowed):
        closing.close_day(wh.wh, today, clerk)
    with pytest.raises(BusinessError) as info:
        closing.close_day(wh.wh, today + timedelta(days=1), wh.keeper)
    assert info.value.field == "day"
    closing.close_day(wh.wh, today, wh.keeper)
    with pytest.raises(Conflict):
        closing.close_day(wh.wh, today, wh.keeper)


def test_wms13_closed_day_freezes_summary_and_refuses_postings(wh):
    """WMS-13: the day's in/out/balance per SKU is frozen; nothing more is posted into that day."""
    lot = wh.put(wh.sku, 10)
    post_moves([Move(wh.sku.pk, lot.pk, 4, from_bin=wh.a1, to_bin=wh.a2)], doc=DocRef("bin_move", "1", "YK"),
               user=wh.keeper)
    _outbound(wh, wh.sku, 3)
    wh.put(wh.sku_b, 6)
    close = closing.close_day(wh.wh, timezone.localdate(), wh.keeper)
    rows = {r["sku_code"]: r for r in close.summary["rows"]}
    assert (rows[wh.sku.sku_code]["opening"], rows[wh.sku.sku_code]["in"], rows[wh.sku.sku_code]["out"],
            rows[wh.sku.sku_code]["closing"]) == (0, 10, 3, 7)
    assert rows[wh.sku_b.sku_code]["closing"] == 6
    assert close.summary["documents"]["outbound"] == 1
    with pytest.raises(BusinessError, match="WMS-13"):
        wh.put(wh.sku, 1)


def _on_hand(warehouse, sku):
    return sum(StockBalance.objects.filter(warehouse=warehouse, sku=sku).values_list("on_hand", flat=True))


def test_wms19_monthly_report_equals_the_ledger_and_balances(wh):
    """WMS-19: opening + in − out = closing, and closing equals the balances; bin moves are not in/out,
    transfers to another warehouse are."""
    today = timezone.localdate()
    month = today.strftime("%Y-%m")
    first = today.replace(day=1)
    earlier = timezone.now() - timedelta(days=today.day + 3)
    lot_old = wh.put(wh.sku, 20, received_on=first - timedelta(days=5))
    # Re-date that posting's ledger rows to last month is not possible (append-only): post one directly.
    old = actions.open_lot(client=wh.sku.client, source=DocRef("opening", "o", "O"), received_on=earlier.date())
    post_moves([Move(wh.sku.pk, old.pk, 7, to_bin=wh.a1)], doc=DocRef("opening", "o", "O"), user=wh.keeper,
               at=earlier)
    post_moves([Move(wh.sku.pk, lot_old.pk, 5, from_bin=wh.a1, to_bin=wh.a2)], doc=DocRef("bin_move", "2", "YK2"),
               user=wh.keeper)
    post_moves([Move(wh.sku.pk, lot_old.pk, 2, from_bin=wh.a2, to_bin=wh.b1)], doc=DocRef("transfer", "3", "DB3"),
               user=wh.keeper)
    _outbound(wh, wh.sku, 4)
    wh.put(wh.sku2, 3)
    wh.put(wh.sku_b, 9)
    rows = {r.sku_code: r for r in report.monthly_rows(wh.admin, wh.wh, month)}
    r = rows[wh.sku.sku_code]
    assert (r.opening, r.inbound, r.outbound, r.closing) == (7, 20, 6, 21)
    assert r.closing == _on_hand(wh.wh, wh.sku)
    assert rows[wh.sku2.sku_code].closing == _on_hand(wh.wh, wh.sku2) == 3
    sh = {r.sku_code: r for r in report.monthly_rows(wh.admin, wh.wh2, month)}
    assert sh[wh.sku.sku_code].inbound == 2 == _on_hand(wh.wh2, wh.sku)


def test_wms19_report_is_scoped_by_client_and_xlsx_matches(wh):
    """DAT-02: a client-A keeper's report (page figures and .xlsx) has no row of client B."""
    wh.put(wh.sku, 5)
    wh.put(wh.sku_b, 9)
    month = timezone.localdate().strftime("%Y-%m")
    rows = report.monthly_rows(wh.keeper, wh.wh, month)
    assert [r.sku_code for r in rows] == [wh.sku.sku_code]
    assert report.monthly_rows(wh.keeper, wh.wh, month, client_id=wh.org.client_b.pk) == []
    out = io.BytesIO()
    report.write_monthly_xlsx(wh.wh, month, rows, out)
    sheet = load_workbook(io.BytesIO(out.getvalue())).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][0] == wh.sku.sku_code and values[1][5:] == [0, 5, 0, 5]
    assert wh.sku_b.sku_code not in str(values)


def test_wms19_bad_month_is_refused_with_a_message():
    for bad in ("2026-13", "2026/11", "", "11-2026"):
        with pytest.raises(BusinessError) as info:
            report.parse_month(bad)
        assert info.value.field == "month" and "YYYY-MM" in info.value.message


def test_wms19_stock_report_command_writes_xlsx(wh, tmp_path, capsys):
    wh.put(wh.sku, 5)
    target = tmp_path / "r.xlsx"
    call_command("stock-report", "--month", timezone.localdate().strftime("%Y-%m"), "--warehouse", "HZ",
                 "-o", str(target))
    sheet = load_workbook(target).worksheets[0]
    assert sheet.cell(row=2, column=1).value == wh.sku.sku_code and sheet.cell(row=2, column=9).value == 5
    assert "1 SKU row(s)" in capsys.readouterr().out


def test_wms19_report_cells_never_run_as_formulas(wh):
    """A style name starting with - (or = + @) is text in the report; the quantities stay numbers."""
    from ecomops.catalog.models import Style

    hostile = "-2+3+cmd|' /C calc'!A0"
    Style.objects.filter(pk=wh.sku.style_id).update(name=hostile)
    wh.put(wh.sku, 5)
    month = timezone.localdate().strftime("%Y-%m")
    out = io.BytesIO()
    report.write_monthly_xlsx(wh.wh, month, report.monthly_rows(wh.keeper, wh.wh, month), out)
    row = list(load_workbook(io.BytesIO(out.getvalue())).worksheets[0].iter_rows())[1]
    assert row[2].data_type == "s" and row[2].value == "'" + hostile
    assert row[8].data_type == "n" and row[8].value == 5

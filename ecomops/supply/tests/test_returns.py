"""WMS-16 supplier returns: collect → ready → handed over (out of the defective bins), the daily/weekly
rhythm, the month-end list to purchasing and finance, and the daily close."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from ecomops.audit.models import DueItem
from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.inventory.enums import DocKind
from ecomops.inventory.ledger import DocRef, Move, post_moves
from ecomops.inventory.models import StockBalance, StockMove
from ecomops.inventory.verify import differences
from ecomops.supply.closing import open_documents
from ecomops.supply.daily import run_daily
from ecomops.supply.enums import ReturnState, SupplierSource
from ecomops.supply.models import SupplierReturn
from ecomops.supply.owners import warehouse_owners
from ecomops.supply.returns import (
    RETURN_PICKUP_DUE,
    RETURN_UNCOLLECTED_DUE,
    ReturnItem,
    cancel_return,
    hand_over_return,
    mark_return_ready,
    pickup_due_on,
    raise_supplier_return,
    set_return_terms,
    uncollected_in_month,
)

from .conftest import supplier_lot

SIGN = {"collector": "王师傅", "collector_signature": "王建国", "keeper_signature": "李仓管"}


def collecting(stock, supplier, quantity=3):
    lot = supplier_lot(stock, supplier, quantity=quantity, bin_=stock.defective)
    return raise_supplier_return(
        client=stock.org.client_a, supplier=supplier, warehouse=stock.wh,
        items=[ReturnItem(stock.sku, lot, stock.defective, quantity)], user=stock.keeper)


def test_hand_over_posts_the_goods_out_of_the_defective_bin(stock, supplier, keeper):
    """WMS-16: ready → handed over to the supplier's collector (who, when, name, signatures): the goods
    leave the defective bin as a 退厂单 (to nowhere) in the same transaction."""
    ret = collecting(stock, supplier)
    with pytest.raises(Conflict, match="收集中"):
        hand_over_return(ret, user=keeper, **SIGN)  # out of order: not ready yet
    mark_return_ready(ret, user=keeper)
    with pytest.raises(BusinessError) as error:
        hand_over_return(ret, user=keeper, **{**SIGN, "collector_signature": " "})
    assert error.value.field == "collector_signature"
    done = hand_over_return(ret, user=keeper, collector_phone="13800000000", **SIGN)
    assert done.state == ReturnState.COLLECTED and done.handed_over_by == keeper and done.collector == "王师傅"
    assert done.collector_signature == "王建国" and done.keeper_signature == "李仓管"
    move = StockMove.objects.get(doc_kind=DocKind.SUPPLIER_RETURN, doc_id=str(ret.pk))
    assert move.from_bin == stock.defective and move.to_bin is None and move.quantity == 3
    assert StockBalance.objects.get(bin=stock.defective).on_hand == 0
    with pytest.raises(Conflict):
        hand_over_return(ret, user=keeper, **SIGN)
    assert differences() == []


def test_hand_over_is_refused_when_the_goods_are_gone(stock, supplier, keeper):
    """WMS-16: goods no longer in the defective bin → refused, nothing posted, still ready."""
    ret = collecting(stock, supplier)
    mark_return_ready(ret, user=keeper)
    line = ret.lines.get()
    post_moves([Move(sku_id=stock.sku.pk, lot_id=line.lot_id, quantity=2, from_bin=stock.defective)],
               doc=DocRef(DocKind.SCRAP, "X1", "BF1"), user=keeper)
    with pytest.raises(Conflict, match="不在次品库位"):
        hand_over_return(ret, user=keeper, **SIGN)
    ret.refresh_from_db()
    assert ret.state == ReturnState.READY and not StockMove.objects.filter(doc_kind=DocKind.SUPPLIER_RETURN).exists()
    assert differences() == []


def test_client_b_returns_are_out_of_reach_and_cancel_needs_a_reason(stock, supplier, supplier_b, keeper):
    lot = supplier_lot(stock, supplier_b, sku=stock.sku_b, quantity=1, bin_=stock.defective)
    ret_b = raise_supplier_return(client=stock.org.client_b, supplier=supplier_b, warehouse=stock.wh,
                                          items=[ReturnItem(stock.sku_b, lot, stock.defective, 1)])
    with pytest.raises(NotAllowed):
        mark_return_ready(ret_b, user=keeper)
    ret = collecting(stock, supplier)
    with pytest.raises(BusinessError) as error:
        cancel_return(ret, user=keeper, reason="")
    assert error.value.field == "reason"
    assert cancel_return(ret, user=keeper, reason="改为报废").state == ReturnState.CANCELLED
    with pytest.raises(Conflict):
        mark_return_ready(ret, user=keeper)


def test_manufacturer_returns_daily_and_traders_weekly(stock, supplier, keeper):
    """WMS-16: the manufacturer's goods are due back the next day, purchased goods a week later; the
    daily run raises the pick-up item to the warehouse once, and the hand-over completes it."""
    ret = collecting(stock, supplier)
    today = timezone.localdate()
    assert pickup_due_on(ret) == today + timedelta(days=7)  # no terms: trader, weekly
    assert run_daily(today + timedelta(days=6)).pickups == 0
    set_return_terms(supplier, user=keeper, source=SupplierSource.MANUFACTURER)
    assert pickup_due_on(ret) == today + timedelta(days=1)
    assert run_daily(today).pickups == 0
    assert run_daily(today + timedelta(days=1)).pickups == 1
    run_daily(today + timedelta(days=1))
    items = DueItem.objects.filter(kind=RETURN_PICKUP_DUE, clause="WMS-16")
    assert items.count() == len(warehouse_owners(stock.wh)) >= 1
    mark_return_ready(ret, user=keeper)
    hand_over_return(ret, user=keeper, **SIGN)
    assert not DueItem.objects.open().filter(kind=RETURN_PICKUP_DUE).exists()
    # the next return of that supplier is due one day after the last hand-over
    nxt = collecting(stock, supplier, quantity=1)
    assert pickup_due_on(nxt) == today + timedelta(days=1)
    with pytest.raises(BusinessError) as error:
        set_return_terms(supplier, user=keeper, source="weird")
    assert error.value.field == "source"


def test_month_end_list_goes_to_purchasing_and_finance(stock, supplier, keeper, capsys):
    """WMS-16: returns not collected within their month are listed (due items to purchasing and
    finance, and the month-end list); one handed over within the month is not."""
    ret = collecting(stock, supplier)
    today = timezone.localdate()
    last_month_day = today.replace(day=1) - timedelta(days=1)
    SupplierReturn.objects.filter(pk=ret.pk).update(
        created_at=timezone.now() - timedelta(days=(today - last_month_day).days + 1))
    ret.refresh_from_db()
    call_command("supply-daily", "--date", today.isoformat())
    assert "1 not collected" in capsys.readouterr().out
    assert DueItem.objects.filter(kind=RETURN_UNCOLLECTED_DUE, clause="WMS-16").exists()
    listed = uncollected_in_month(last_month_day.year, last_month_day.month)
    assert list(listed) == [ret]
    mark_return_ready(ret, user=keeper)
    hand_over_return(ret, user=keeper, **SIGN)
    assert list(uncollected_in_month(last_month_day.year, last_month_day.month)) == [ret]  # late
    assert list(uncollected_in_month(today.year, today.month)) == []
    assert not DueItem.objects.open().filter(kind=RETURN_UNCOLLECTED_DUE).exists()


def test_ready_returns_keep_the_day_open(stock, supplier, keeper):
    """WMS-13 with WMS-16: a return marked ready and not handed over is an open document of the day."""
    from ecomops.inventory import closing

    ret = collecting(stock, supplier)
    today = timezone.localdate()
    assert open_documents(stock.wh, today) == []
    mark_return_ready(ret, user=keeper)
    assert [n for n, _d, _u in open_documents(stock.wh, today)] == [ret.number]
    assert "supply" in closing.registered()

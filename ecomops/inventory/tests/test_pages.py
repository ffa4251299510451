"""The warehouse pages: stock query with drill-down and barcode scan, locations, ledger, documents
with FIFO split (WMS-10), posting and reversal (WMS-13), board, daily close, report, trace (CAT-05),
holds (WMS-11); scoped (DAT-02: client B's stock is a 404 or absent for a client-A keeper)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from ecomops.audit import dues
from ecomops.inventory import actions, holds
from ecomops.inventory.enums import BinKind, DocKind, DocState
from ecomops.inventory.models import Bin, DailyClose, Reversal, StockDocument
from ecomops.inventory.tests import support
from ecomops.inventory.tests.support import web

wh = support.wh  # the fixture


def test_stock_page_lists_visible_skus_only_and_barcode_scan_opens_the_sku(wh):
    """DAT-02: client B's SKU is invisible in the list and its drill-down is 404."""
    wh.put(wh.sku, 5)
    wh.put(wh.sku_b, 9)
    http = web(wh.keeper)
    body = http.get(reverse("inventory:stock")).content.decode()
    assert wh.sku.sku_code in body and wh.sku_b.sku_code not in body
    scanned = http.get(reverse("inventory:stock"), {"barcode": wh.sku.barcode})
    assert scanned.status_code == 302 and scanned.url == reverse("inventory:stock_sku", args=[wh.sku.pk])
    detail = http.get(scanned.url).content.decode()
    assert "A-01-01" in detail and 'data-testid="available">5<' in detail
    assert http.get(reverse("inventory:stock_sku", args=[wh.sku_b.pk])).status_code == 404
    assert http.get(reverse("inventory:stock"), {"barcode": wh.sku_b.barcode}).status_code == 200


def test_wms07_warehouse_zone_bin_pages_go_through_actions(wh):
    http = web(wh.keeper)
    response = http.post(reverse("inventory:bin_create", args=[wh.wh.pk]),
                         {"code": "RET-01", "zone": "", "kind": BinKind.RETURNS, "pick_order": 5, "is_active": "on"})
    assert response.status_code == 302
    assert Bin.objects.get(warehouse=wh.wh, code="RET-01").kind == BinKind.RETURNS
    duplicate = http.post(reverse("inventory:bin_create", args=[wh.wh.pk]),
                          {"code": "RET-01", "kind": BinKind.NORMAL, "pick_order": 1, "is_active": "on"})
    assert duplicate.status_code == 400 and "已经存在" in duplicate.content.decode()
    wh.put(wh.sku, 1)
    refused = http.post(reverse("inventory:bin_edit", args=[wh.a1.pk]),
                        {"code": "A-01-01", "zone": wh.zone.pk, "kind": BinKind.DEFECTIVE, "pick_order": 1,
                         "is_active": "on"})
    assert refused.status_code == 400 and "仍有库存" in refused.content.decode()
    page = http.get(reverse("inventory:warehouse_detail", args=[wh.wh.pk])).content.decode()
    assert "RET-01" in page and "TRANSIT" in page
    zone = http.post(reverse("inventory:zone_create", args=[wh.wh.pk]),
                     {"code": "B", "name": "鞋区", "is_active": "on"})
    assert zone.status_code == 302


def test_wms10_outbound_page_scan_fifo_split_post_and_reverse(wh):
    """WMS-10: outbound only with a reference; a scanned line is split FIFO by lot; posted documents are
    read-only and corrected by a reversal naming who, when and why (WMS-13)."""
    old = wh.put(wh.sku, 3, received_on=timezone.localdate().replace(day=1))
    new = wh.put(wh.sku, 5, wh.a2)
    http = web(wh.keeper)
    missing = http.post(reverse("inventory:document_create"),
                        {"kind": DocKind.OUTBOUND, "warehouse": wh.wh.pk, "client": wh.org.client_a.pk,
                         "reason": "sale", "reference": ""})
    assert missing.status_code == 400 and "WMS-10" in missing.content.decode()
    created = http.post(reverse("inventory:document_create"),
                        {"kind": DocKind.OUTBOUND, "warehouse": wh.wh.pk, "client": wh.org.client_a.pk,
                         "reason": "sale", "reference": "ORD-9"})
    document = StockDocument.objects.get(reference="ORD-9")
    assert created.url == reverse("inventory:document_detail", args=[document.pk])
    bad = http.post(reverse("inventory:document_add_line", args=[document.pk]),
                    {"barcode": wh.sku_b.barcode, "quantity": 1})
    assert bad.status_code == 400 and "不是该委托方的 SKU" in bad.content.decode()
    too_many = http.post(reverse("inventory:document_add_line", args=[document.pk]),
                         {"barcode": wh.sku.barcode, "quantity": 99})
    assert too_many.status_code == 400 and "不足" in too_many.content.decode()
    http.post(reverse("inventory:document_add_line", args=[document.pk]), {"barcode": wh.sku.barcode, "quantity": 4})
    lines = list(document.lines.order_by("pk"))
    assert [(line.lot_id, line.quantity) for line in lines] == [(old.pk, 3), (new.pk, 1)]
    assert http.post(reverse("inventory:document_post", args=[document.pk])).status_code == 302
    document.refresh_from_db()
    assert document.state == DocState.POSTED
    page = http.get(reverse("inventory:document_detail", args=[document.pk])).content.decode()
    assert 'data-testid="line-form"' not in page and 'data-testid="reverse"' in page
    again = http.post(reverse("inventory:document_add_line", args=[document.pk]),
                      {"barcode": wh.sku.barcode, "quantity": 1})
    assert again.status_code == 400 and "已过账" in again.content.decode()
    no_reason = http.post(reverse("inventory:document_reverse", args=[document.pk]), {"reason": ""})
    assert no_reason.status_code == 400
    http.post(reverse("inventory:document_reverse", args=[document.pk]), {"reason": "订单取消"})
    reversal = Reversal.objects.get()
    assert reversal.original_number == document.number and reversal.by == wh.keeper
    listing = http.get(reverse("inventory:reversals")).content.decode()
    assert reversal.number in listing and "订单取消" in listing


def test_documents_of_client_b_are_404_for_a_client_a_keeper(wh):
    document = actions.create_document(user=wh.keeper_b, kind=DocKind.OPENING, warehouse=wh.wh,
                                       client=wh.org.client_b)
    http = web(wh.keeper)
    assert http.get(reverse("inventory:document_detail", args=[document.pk])).status_code == 404
    assert http.post(reverse("inventory:document_post", args=[document.pk])).status_code == 404
    assert document.number not in http.get(reverse("inventory:documents")).content.decode()


def test_ledger_page_filters_and_shows_quantities_after_scoped(wh):
    lot = wh.put(wh.sku, 5)
    wh.put(wh.sku_b, 9)
    http = web(wh.keeper)
    page = http.get(reverse("inventory:ledger"), {"lot": lot.number}).content.decode()
    assert lot.number in page and wh.sku_b.sku_code not in page
    assert ">5<" in page
    bad = http.get(reverse("inventory:ledger"), {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert "截止日期不能早于起始日期" in bad.content.decode()


def test_wms13_close_page_lists_blocking_drafts_then_closes(wh):
    wh.put(wh.sku, 5)
    draft = actions.create_document(user=wh.keeper, kind=DocKind.OPENING, warehouse=wh.wh, client=wh.org.client_a)
    actions.add_line(draft, user=wh.keeper, sku=wh.sku, quantity=1, to_bin=wh.a1)
    http = web(wh.keeper)
    today = timezone.localdate().isoformat()
    refused = http.post(reverse("inventory:close_day"), {"warehouse": wh.wh.pk, "day": today})
    assert refused.status_code == 400 and draft.number in refused.content.decode()
    board = http.get(reverse("inventory:board"), {"warehouse": wh.wh.pk}).content.decode()
    assert draft.number in board
    actions.post_document(draft, user=wh.keeper)
    done = http.post(reverse("inventory:close_day"), {"warehouse": wh.wh.pk, "day": today})
    close = DailyClose.objects.get()
    assert done.url == reverse("inventory:close_detail", args=[close.pk])
    detail = http.get(done.url).content.decode()
    assert wh.sku.sku_code in detail


def test_close_detail_hides_client_b_rows(wh):
    wh.put(wh.sku, 2)
    wh.put(wh.sku_b, 3)
    from ecomops.inventory import closing

    close = closing.close_day(wh.wh, timezone.localdate(), wh.keeper)
    page = web(wh.keeper).get(reverse("inventory:close_detail", args=[close.pk])).content.decode()
    assert wh.sku.sku_code in page and wh.sku_b.sku_code not in page


def test_board_shows_late_warehouse_dues_per_owner_and_expiring_holds(wh):
    now = timezone.now()
    dues.raise_due(kind="t.sample", owner=wh.keeper, title="样品逾期未还 SMP-1",
                   due_at=now - timezone.timedelta(days=1), source=wh.a1, clause="WMS-12")
    dues.raise_due(kind="t.publish", owner=wh.keeper, title="新品三日内上架", due_at=now + timezone.timedelta(days=2),
                   source=wh.a2, clause="CAT-08")
    dues.raise_due(kind="t.other", owner=wh.keeper, title="与仓库无关", due_at=now, source=wh.a1, clause="HR-01")
    wh.put(wh.sku, 3)
    hold = holds.create_hold(user=wh.sales, sku=wh.sku, warehouse=wh.wh, quantity=1, customer="客户")
    from ecomops.inventory.models import CustomerHold

    CustomerHold.objects.filter(pk=hold.pk).update(expires_at=now + timezone.timedelta(hours=3))
    page = web(wh.keeper).get(reverse("inventory:board")).content.decode()
    assert "样品逾期未还 SMP-1" in page and "新品三日内上架" in page and "与仓库无关" not in page
    assert 'data-testid="late-count">1<' in page and hold.number in page


def test_monthly_report_page_and_download_are_scoped(wh):
    wh.put(wh.sku, 5)
    wh.put(wh.sku_b, 9)
    http = web(wh.keeper)
    month = timezone.localdate().strftime("%Y-%m")
    page = http.get(reverse("inventory:report"), {"warehouse": wh.wh.pk, "month": month}).content.decode()
    assert wh.sku.sku_code in page and wh.sku_b.sku_code not in page
    download = http.get(reverse("inventory:report_xlsx"), {"warehouse": wh.wh.pk, "month": month})
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert download.content[:2] == b"PK"
    bad = http.get(reverse("inventory:report"), {"warehouse": wh.wh.pk, "month": "2026-13"})
    assert bad.status_code == 400 and "YYYY-MM" in bad.content.decode()


def test_cat05_trace_pages_lot_to_moves_and_sku_back_to_receipt(wh):
    lot = wh.put(wh.sku, 5)
    lot_b = wh.put(wh.sku_b, 1)
    http = web(wh.keeper)
    assert http.get(reverse("inventory:trace"), {"q": lot.number}).url == reverse("inventory:trace_lot", args=[lot.pk])
    page = http.get(reverse("inventory:trace_lot", args=[lot.pk])).content.decode()
    assert lot.source_number in page and "A-01-01" in page
    assert http.get(reverse("inventory:trace"), {"q": wh.sku.barcode}).url == reverse("inventory:trace_sku",
                                                                                      args=[wh.sku.pk])
    assert lot.number in http.get(reverse("inventory:trace_sku", args=[wh.sku.pk])).content.decode()
    assert http.get(reverse("inventory:trace_lot", args=[lot_b.pk])).status_code == 404
    assert http.get(reverse("inventory:trace"), {"q": lot_b.number}).status_code == 400


def test_wms11_hold_pages_create_extend_release(wh):
    wh.put(wh.sku, 4)
    http = web(wh.sales)
    created = http.post(reverse("inventory:hold_create"), {"barcode": wh.sku.barcode, "warehouse": wh.wh.pk,
                                                           "quantity": 2, "customer": "李先生"})
    assert created.status_code == 302
    from ecomops.inventory.models import CustomerHold

    hold = CustomerHold.objects.get()
    no_note = http.post(reverse("inventory:hold_extend", args=[hold.pk]), {"note": ""})
    assert no_note.status_code == 400
    assert http.post(reverse("inventory:hold_extend", args=[hold.pk]), {"note": "客户下周来"}).status_code == 302
    assert hold.extensions.count() == 1
    assert http.post(reverse("inventory:hold_release", args=[hold.pk]), {"reason": "不要了"}).status_code == 302
    hold.refresh_from_db()
    assert hold.state == "released"
    too_many = http.post(reverse("inventory:hold_create"), {"barcode": wh.sku.barcode, "warehouse": wh.wh.pk,
                                                            "quantity": 9, "customer": "李先生"})
    assert too_many.status_code == 400 and "库存不足" in too_many.content.decode()
    other = http.post(reverse("inventory:hold_create"), {"barcode": wh.sku_b.barcode, "warehouse": wh.wh.pk,
                                                         "quantity": 1, "customer": "x"})
    assert other.status_code == 400 and "没有找到" in other.content.decode()


def test_hold_of_client_b_is_404_and_pages_need_permissions(wh, org):
    wh.put(wh.sku_b, 4)
    from ecomops.inventory.tests.support import SALES_PERMS, make_user

    sales_b = make_user("sales_b", *SALES_PERMS, client=org.client_b)
    hold = holds.create_hold(user=sales_b, sku=wh.sku_b, warehouse=wh.wh, quantity=1, customer="x")
    assert web(wh.sales).get(reverse("inventory:hold_detail", args=[hold.pk])).status_code == 404
    assert web(wh.sales).get(reverse("inventory:closes")).status_code == 403
    assert web(org.member_a).get(reverse("inventory:board")).status_code == 404


def test_every_page_renders(wh):
    lot = wh.put(wh.sku, 2)
    http = web(wh.keeper)
    for name, args in (("stock", []), ("board", []), ("warehouses", []), ("warehouse_create", []),
                       ("warehouse_edit", [wh.wh.pk]), ("zone_edit", [wh.zone.pk]), ("bin_edit", [wh.a1.pk]),
                       ("ledger", []), ("documents", []), ("document_create", []), ("reversals", []),
                       ("closes", []), ("report", []), ("trace", []), ("trace_lot", [lot.pk]),
                       ("trace_sku", [wh.sku.pk]), ("holds", []), ("hold_create", [])):
        response = http.get(reverse(f"inventory:{name}", args=args))
        assert response.status_code == 200, name

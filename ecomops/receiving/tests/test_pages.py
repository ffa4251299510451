"""Pages of receiving (WMS-01…05, WMS-25): the list, a receipt, QC by scanning, put-away by scanning,
labels, QC report; Chinese errors naming the field; another client's receipt is a 404."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient

from ecomops.inventory import verify
from ecomops.inventory.models import StockBalance
from ecomops.receiving import actions
from ecomops.receiving.enums import ReceiptState
from ecomops.receiving.models import Receipt


def login(user):
    http = HttpClient()
    http.force_login(user)
    return http


def test_pages_receive_sign_and_book_a_delivery(rc):
    """WMS-01/03 on the pages: create from a PO, scan lines (errors name the field), sign twice, book."""
    order = rc.po((rc.sku, 10))
    http = login(rc.receiver)
    response = http.post("/receiving/new/", {"purchase_order": order.pk, "delivery_note_no": "DN-9"})
    assert response.status_code == 302
    receipt = order.receipts.get()
    url = f"/receiving/{receipt.pk}/"
    bad = http.post(url, {"sku": rc.sku.barcode, "noted_quantity": 10, "counted_quantity": 9})
    assert bad.status_code == 200 and "请填写差异说明" in bad.content.decode()
    assert 'name="mismatch_reason"' in bad.content.decode() and "is-invalid" in bad.content.decode()
    unknown = http.post(url, {"sku": "NOPE", "noted_quantity": 1, "counted_quantity": 1})
    assert "商品条码 / SKU 不存在" in unknown.content.decode()
    ok = http.post(url, {"sku": rc.sku.barcode, "noted_quantity": 10, "counted_quantity": 10, "state_ok": "on",
                         "spec_ok": "on"})
    assert ok.status_code == 302
    assert http.post(f"{url}sign/receiver/").status_code == 302
    again = http.post(f"{url}sign/receiver/", follow=True)
    assert "收货员已签字" in again.content.decode()
    boss = login(rc.supervisor)
    boss.post(f"{url}sign/supervisor/")
    boss.post(f"{url}book/")
    receipt.refresh_from_db()
    assert receipt.state == ReceiptState.BOOKED
    listing = http.get("/receiving/?state=booked").content.decode()
    assert receipt.number in listing
    assert receipt.number not in http.get("/receiving/?state=completed").content.decode()
    pdf = http.get(f"{url}labels.pdf")
    assert pdf["Content-Type"] == "application/pdf" and b"/FontFile2" in pdf.content
    assert len(re.findall(rb"/Type /Page\b(?!s)", pdf.content)) == 10


def test_qc_page_works_with_a_scanner_alone(rc):
    """WMS-25 on the QC page: scanning the SKU barcode selects its line; the page says what to sample
    and the outcome; a full inspection puts the defects in the defective bin."""
    receipt = rc.booked((rc.sku, 50))
    http = login(rc.inspector)
    url = f"/receiving/{receipt.pk}/qc/"
    wrong = http.post(url, {"barcode": "XYZ"})
    assert "扫描商品条码：XYZ 不在本入库单上" in wrong.content.decode()
    scanned = http.post(url, {"barcode": rc.sku.barcode})
    line = rc.line(receipt, rc.sku)
    assert scanned.status_code == 302 and scanned["Location"].endswith(f"?line={line.pk}")
    page = http.get(scanned["Location"]).content.decode()
    assert "待首次抽检 5 件" in page
    refused = http.post(scanned["Location"], {"failed": 1})
    assert "有不合格品时请填写问题描述" in refused.content.decode()
    http.post(scanned["Location"], {"failed": 1, "reason": "污渍"})
    assert "有不合格，再抽检 5 件" in http.get(scanned["Location"]).content.decode()
    http.post(scanned["Location"], {"failed": 1, "reason": "污渍"})
    page = http.get(scanned["Location"]).content.decode()
    assert "合格率 80.00%，全检" in page
    http.post(scanned["Location"], {"defective": 4, "reason": "污渍"})
    assert StockBalance.objects.get(sku=rc.sku, bin=rc.stock.defective).on_hand == 4
    report = http.get(f"/receiving/{receipt.pk}/qc/report/").content.decode()
    assert "污渍" in report and "WMS-25" in report
    assert http.get(f"/receiving/{receipt.pk}/defect-labels.pdf")["Content-Type"] == "application/pdf"


def test_putaway_page_steps_through_scans_and_suggests_the_bin(rc):
    """WMS-05: scan SKU (the bin where it lies is suggested), scan bin, quantity; completes the receipt."""
    rc.stock.put(rc.sku, 3, rc.stock.a2)
    receipt = rc.booked((rc.sku, 6))
    actions.record_sample(receipt, rc.line(receipt, rc.sku), user=rc.inspector, failed=0)
    http = login(rc.keeper)
    url = f"/receiving/{receipt.pk}/putaway/"
    step1 = http.post(url, {"sku": rc.sku.barcode}).content.decode()
    assert 'data-testid="suggested-bin">A-01-02<' in step1
    step2 = http.post(url, {"sku": rc.sku.barcode, "bin": "NOPE"}).content.decode()
    assert "扫描库位码：本仓没有库位 NOPE" in step2
    step3 = http.post(url, {"sku": rc.sku.barcode, "bin": "A-01-02"}).content.decode()
    assert 'value="6"' in step3
    too_many = http.post(url, {"sku": rc.sku.barcode, "bin": "A-01-02", "quantity": 7}).content.decode()
    assert "待上架 6 件" in too_many
    done = http.post(url, {"sku": rc.sku.barcode, "bin": "A-01-02", "quantity": 6})
    assert done.status_code == 302
    receipt.refresh_from_db()
    assert receipt.state == ReceiptState.COMPLETED
    assert verify.differences() == []


@pytest.mark.parametrize("path", ["", "qc/", "putaway/", "qc/report/", "labels.pdf"])
def test_another_clients_receipt_is_404_on_pages(rc, path):
    """DAT-02: a user granted only client B gets 404 for client A's receipt."""
    receipt = rc.booked((rc.sku, 5))
    assert login(rc.receiver_b).get(f"/receiving/{receipt.pk}/{path}").status_code == 404
    assert login(rc.stock.org.member_a).get(f"/receiving/{receipt.pk}/{path}").status_code == 404
    assert receipt.number not in login(rc.receiver_b).get("/receiving/").content.decode()


def test_pages_refuse_out_of_order_and_missing_rights(rc):
    """WMS-04: QC page forbids without the inspector's right; put-away before QC is refused."""
    receipt = rc.booked((rc.sku, 5))
    assert login(rc.receiver).get(f"/receiving/{receipt.pk}/qc/").status_code == 403
    keeper = login(rc.keeper)
    page = keeper.get(f"/receiving/{receipt.pk}/putaway/").content.decode()
    assert "质检完成后才能上架" in page


def test_admin_is_read_only_for_receipts(rc):
    """WMS-13: receipts cannot be edited or deleted in the admin."""
    receipt = rc.booked((rc.sku, 5))
    http = login(rc.stock.admin)
    assert http.post(f"/admin/receiving/receipt/{receipt.pk}/delete/", {"post": "yes"}).status_code == 403
    assert http.get("/admin/receiving/receipt/add/").status_code == 403
    assert Receipt.objects.filter(pk=receipt.pk).exists()


def _focus(html: str) -> list[str]:
    """The names of the inputs that take the cursor when the page opens."""
    inputs = re.findall(r"<input[^>]*>", html)
    return [re.search(r'name="([^"]+)"', tag).group(1) for tag in inputs if re.search(r"\bautofocus\b", tag)]


def _value(html: str, name: str) -> str | None:
    tag = re.search(r'<input[^>]*name="%s"[^>]*>' % re.escape(name), html)  # noqa: UP031
    found = tag and re.search(r'value="([^"]*)"', tag.group(0))
    return found.group(1) if found else None


def test_a_receipt_line_accepts_a_scan_and_enter_then_asks_for_the_count(rc):
    """Issue 15: the scanner types the code and presses Enter. The line is looked up at once (no
    "这个字段是必填项" on the empty quantities), comes back with the expected quantity filled in and
    the cursor on the count; the next Enter records it. A wrong code is said on the code alone."""
    order = rc.po((rc.sku, 10))
    receipt = rc.receipt(order)
    http = login(rc.receiver)
    url = f"/receiving/{receipt.pk}/"
    assert _focus(http.get(url).content.decode()) == ["sku"]
    scanned = http.post(url, {"sku": rc.sku.barcode, "noted_quantity": "", "counted_quantity": "",
                              "mismatch_reason": ""})
    html = scanned.content.decode()
    assert scanned.status_code == 200 and "必填" not in html and "is-invalid" not in html
    assert _focus(html) == ["counted_quantity"]
    assert _value(html, "sku") == rc.sku.barcode and _value(html, "noted_quantity") == "10"
    assert not receipt.lines.exists()  # a scan alone records nothing
    done = http.post(url, {"sku": rc.sku.barcode, "noted_quantity": "10", "counted_quantity": "10",
                           "state_ok": "on", "spec_ok": "on"})
    assert done.status_code == 302 and rc.line(receipt, rc.sku).counted_quantity == 10
    # Scanned again: the line entered so far comes back to be corrected.
    again = http.post(url, {"sku": rc.sku.sku_code}).content.decode()
    assert _value(again, "counted_quantity") == "10"
    unknown = http.post(url, {"sku": "NOPE"}).content.decode()
    assert "商品条码 / SKU 不存在：NOPE" in unknown and "必填" not in unknown
    # One quantity typed, the other forgotten: that is an incomplete line, not a scan.
    half = http.post(url, {"sku": rc.sku.barcode, "noted_quantity": "10"}).content.decode()
    assert "必填" in half


def test_after_a_qc_scan_the_cursor_is_on_the_failed_count(rc):
    """Issue 15: once a scan selected the line, the cursor waits on 不合格件数, not on the scan field."""
    receipt = rc.booked((rc.sku, 50))
    http = login(rc.inspector)
    url = f"/receiving/{receipt.pk}/qc/"
    assert _focus(http.get(url).content.decode()) == ["barcode"]
    scanned = http.post(url, {"barcode": rc.sku.barcode})
    assert _focus(http.get(scanned["Location"]).content.decode()) == ["failed"]

"""The station page (FUL-02…04) and the manifest pages (ORD-01): scans through htmx, the red alert on
a refusal, packing and weighing on the same page, the manifest's scan box, PDFs and the platforms'
batch-shipment files; the API's routes alike."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
from django.test import Client as HttpClient
from django.urls import reverse

from ecomops.fulfilment import actions
from ecomops.fulfilment.enums import CheckState
from ecomops.fulfilment.models import PackCheck
from ecomops.orders.enums import OrderState
from ecomops.orders.models import Order

from .conftest import make_user

HTMX = {"HTTP_HX_REQUEST": "true"}


def http(user) -> HttpClient:
    client = HttpClient()
    client.force_login(user)
    return client


def test_ful02_the_station_page_renders_for_a_scanner(st):
    page = http(st.packer).get(reverse("fulfilment:station"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="scan-code"' in html and "autofocus" in html and 'hx-post="/fulfilment/scan/"' in html
    assert "fulfilment/station.js" in html and 'name="viewport"' in html
    # A client's own user never sees the warehouse's page (AGY-07), nor someone without the right.
    assert http(make_user("viewer_station", "orders.view_order", client=st.org.client_a)).get(
        reverse("fulfilment:station")).status_code == 403


def test_ful02_a_wrong_item_answers_the_red_alert_and_the_page_walks_to_the_weight(st):
    order = st.ready("PG1", qty=1)
    client = http(st.packer)
    url = reverse("fulfilment:station_scan")
    started = client.post(url, {"code": order.tracking_no, "check": ""}, **HTMX)
    assert started.status_code == 200 and 'id="station-panel"' in started.content.decode()
    check = PackCheck.objects.live().get(order=order)
    wrong = client.post(url, {"code": "6900000000099", "check": check.pk}, **HTMX).content.decode()
    assert 'role="alert"' in wrong and "错货" in wrong and 'data-eo-beep="error"' in wrong
    assert "<html" not in wrong  # the panel only
    done = client.post(url, {"code": st.od.sku.barcode, "check": check.pk}, **HTMX).content.decode()
    assert "验货通过" in done and 'data-testid="pack-form"' in done and 'data-eo-focus="pack"' in done
    packed = client.post(reverse("fulfilment:station_pack"), {"check": check.pk, "material": st.carton.pk,
                                                              "quantity": "1"}, **HTMX).content.decode()
    assert 'data-testid="weigh-form"' in packed and "350 g ± 50 g" in packed
    far = client.post(reverse("fulfilment:station_weigh"), {"check": check.pk, "weight_g": "900"},
                      **HTMX).content.decode()
    assert 'role="alert"' in far and "复核" in far and 'name="recheck_reason"' in far
    client.post(reverse("fulfilment:station_weigh"), {"check": check.pk, "weight_g": "360"}, **HTMX)
    assert PackCheck.objects.get(pk=check.pk).state == CheckState.WEIGHED
    # Without scripts: the same form answers the whole page.
    full = client.post(url, {"code": "NOPE", "check": ""}).content.decode()
    assert "<html" in full and 'role="alert"' in full and "找不到运单号或订单号" in full
    # The packing list of the order, with the Chinese font embedded.
    pdf = client.get(reverse("fulfilment:check_packing_list", args=[check.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and b"NotoSansSC" in pdf.content


def test_dat02_another_clients_check_is_not_found_on_the_pages(st):
    order = st.ready("PG2")
    check = actions.start_check(order.tracking_no, user=st.packer)
    other = http(st.packer_b)
    assert other.get(reverse("fulfilment:check_packing_list", args=[check.pk])).status_code == 404
    answer = other.post(reverse("fulfilment:station_scan"), {"code": order.tracking_no, "check": ""}, **HTMX)
    assert "找不到运单号或订单号" in answer.content.decode()
    assert other.post(reverse("fulfilment:station_pack"), {"check": check.pk, "material": st.carton.pk,
                                                           "quantity": "1"}).status_code == 404


def _weighed(st, number):
    order = st.ready(number, qty=1)
    check = actions.start_check(order.tracking_no, user=st.packer)
    actions.scan_item(check, st.od.sku.barcode, user=st.packer)
    actions.pack(check, user=st.packer, material=st.carton, quantity=1)
    actions.weigh(check, user=st.packer, weight_g=350)
    return order


def test_ord01_the_manifest_page_scans_out_closes_and_exports_for_the_platform(st):
    order = _weighed(st, "HP1")
    client = http(st.packer)
    opened = client.post(reverse("fulfilment:handover_open"), {"carrier": "sf_express", "warehouse": st.wh.hz.pk})
    assert opened.status_code == 302
    handover = actions.visible_handovers(st.packer).get()
    page = client.get(reverse("fulfilment:handover", args=[handover.pk])).content.decode()
    assert 'data-testid="handover-scan-form"' in page
    scan = reverse("fulfilment:handover_scan", args=[handover.pk])
    done = client.post(scan, {"code": order.tracking_no}, **HTMX).content.decode()
    assert "已出库" in done and order.tracking_no in done
    again = client.post(scan, {"code": order.tracking_no}, **HTMX).content.decode()
    assert 'role="alert"' in again and "已在本交接单上" in again
    assert Order.objects.get(pk=order.pk).state == OrderState.SHIPPED
    # Taobao's 批量发货 file: CSV in GB18030 with 订单编号, 物流公司, 运单号.
    export = client.get(reverse("fulfilment:handover_export", args=[handover.pk, "taobao"]))
    assert export.status_code == 200 and export["Content-Disposition"].endswith('.csv"')
    rows = list(csv.reader(io.StringIO(export.content.decode("gb18030"))))
    assert rows == [["订单编号", "物流公司", "运单号"], ["HP1", "顺丰速运", order.tracking_no]]
    assert client.get(reverse("fulfilment:handover_export", args=[handover.pk, "jd"])).status_code == 302
    manifest = client.get(reverse("fulfilment:handover_pdf", args=[handover.pk]))
    assert manifest.status_code == 200 and manifest.content.startswith(b"%PDF")
    client.post(reverse("fulfilment:handover_close", args=[handover.pk]), {"receiver_name": "王师傅"})
    handover.refresh_from_db()
    assert handover.state == "closed" and handover.receiver_name == "王师傅"
    closed = client.get(reverse("fulfilment:handover", args=[handover.pk])).content.decode()
    assert 'data-testid="handover-scan-form"' not in closed and "王师傅" in closed
    # Client B's packer does not see the manifest that holds only client A's parcels.
    assert http(st.packer_b).get(reverse("fulfilment:handover", args=[handover.pk])).status_code == 404


def _on_platform(order, code: str) -> None:
    """Move the order's store to another platform, to read that platform's file for the same parcel."""
    from ecomops.org.models import Platform

    store = order.store
    store.platform = Platform.objects.get(code=code)
    store.save(update_fields=["platform"])


def _sheet_rows(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [list(r) for r in sheet.iter_rows(values_only=True)]


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_ord01_each_platforms_batch_ship_file_has_its_headers_file_type_and_encoding(st):
    """ORD-01: per platform, the header row(s), the kind of file and its encoding (exports.py says
    which of them were checked against public sources and which are still best guesses)."""
    from ecomops.fulfilment.exports import FORMATS, OTHER, batch_ship_file

    order = _weighed(st, "HX1")
    handover = actions.open_handover("sf_express", st.wh.hz, user=st.packer)
    actions.scan_out(handover, order.tracking_no, user=st.packer)
    tracking = order.tracking_no

    # Taobao and Tmall: CSV in GB18030, 订单编号 / 物流公司 / 运单号, the carrier by its Chinese name.
    content, kind, name = batch_ship_file(handover, st.packer, "taobao")
    assert kind == "text/csv; charset=gb18030" and name == f"{handover.number}-taobao.csv"
    assert list(csv.reader(io.StringIO(content.decode("gb18030")))) == [["订单编号", "物流公司", "运单号"],
                                                                       ["HX1", "顺丰速运", tracking]]
    assert FORMATS["tmall"] == FORMATS["taobao"]

    # Pinduoduo: .xlsx with the Chinese header row, then the template's field names.
    _on_platform(order, "pinduoduo")
    content, kind, name = batch_ship_file(handover, st.packer, "pinduoduo")
    assert kind == XLSX and name == f"{handover.number}-pinduoduo.xlsx" and content.startswith(b"PK")
    assert _sheet_rows(content) == [["订单号", "快递公司", "快递单号"], ["order_sn", "shipping_name", "shipping_sn"],
                                    ["HX1", "顺丰速运", tracking]]

    # JD: .xlsx, 订单号 / 物流公司 / 运单号.
    _on_platform(order, "jd")
    content, kind, name = batch_ship_file(handover, st.packer, "jd")
    assert kind == XLSX and name.endswith("-jd.xlsx")
    assert _sheet_rows(content) == [["订单号", "物流公司", "运单号"], ["HX1", "顺丰速运", tracking]]

    # Douyin (抖店): .xlsx, 订单编号 / 物流公司 / 运单号.
    _on_platform(order, "douyin")
    content, kind, name = batch_ship_file(handover, st.packer, "douyin")
    assert kind == XLSX and name.endswith("-douyin.xlsx")
    assert _sheet_rows(content) == [["订单编号", "物流公司", "运单号"], ["HX1", "顺丰速运", tracking]]

    # Amazon: the shipping confirmation flat file, tab-separated UTF-8 .txt with the eight columns;
    # order-item-id and quantity blank (the whole order ships), SF Express by Amazon's carrier code.
    _on_platform(order, "amazon")
    content, kind, name = batch_ship_file(handover, st.packer, "amazon")
    assert kind == "text/tab-separated-values; charset=utf-8" and name.endswith("-amazon.txt")
    assert not content.startswith(b"\xef\xbb\xbf")
    lines = content.decode("utf-8").split("\r\n")
    assert lines[0].split("\t") == ["order-id", "order-item-id", "quantity", "ship-date", "carrier-code",
                                    "carrier-name", "tracking-number", "ship-method"]
    row = lines[1].split("\t")
    assert row[:3] == ["HX1", "", ""] and row[4:] == ["SF Express", "", tracking, "Standard"]
    assert len(row[3]) == 10 and row[3][4] == "-"  # ship-date as YYYY-MM-DD
    assert lines[2:] == [""]

    # Any other platform: the Taobao columns as UTF-8 CSV with a BOM.
    _on_platform(order, "kuaishou")
    assert FORMATS.get("kuaishou") is None
    content, kind, name = batch_ship_file(handover, st.packer, "kuaishou")
    assert kind == "text/csv; charset=utf-8-sig" and OTHER.heads == FORMATS["taobao"].heads
    assert content.startswith(b"\xef\xbb\xbf")
    assert list(csv.reader(io.StringIO(content.decode("utf-8-sig")))) == [["订单编号", "物流公司", "运单号"],
                                                                         ["HX1", "顺丰速运", tracking]]


def test_ord01_amazon_names_a_carrier_without_an_amazon_code_as_other(st):
    from ecomops.fulfilment.exports import batch_ship_file

    order = st.ready("HZ1", qty=1, courier="zto", tracking="ZT123")
    check = actions.start_check(order.tracking_no, user=st.packer)
    actions.scan_item(check, st.od.sku.barcode, user=st.packer)
    actions.pack(check, user=st.packer, material=st.carton, quantity=1)
    actions.weigh(check, user=st.packer, weight_g=350)
    handover = actions.open_handover("zto", st.wh.hz, user=st.packer)
    actions.scan_out(handover, "ZT123", user=st.packer)
    _on_platform(order, "amazon")
    content, _kind, _name = batch_ship_file(handover, st.packer, "amazon")
    row = content.decode("utf-8").split("\r\n")[1].split("\t")
    assert row[4:7] == ["Other", "ZTO Express", "ZT123"]


def test_ful02_ord01_the_api_walks_one_order_from_scan_to_manifest(st):
    order = st.ready("AP1", qty=1)
    client = http(st.packer)

    def post(path, body):
        return client.post(f"/api/v1/{path}", json.dumps(body), content_type="application/json")

    started = post("fulfilment/checks", {"code": order.tracking_no})
    assert started.status_code == 201, started.content
    check_id = started.json()["id"]
    wrong = post(f"fulfilment/checks/{check_id}/scan", {"code": "WRONG-1"})
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "wrong_item"
    scanned = post(f"fulfilment/checks/{check_id}/scan", {"code": st.od.sku.barcode}).json()
    assert scanned["complete"] and scanned["check"]["state"] == "verified"
    assert post(f"fulfilment/checks/{check_id}/pack", {"material_id": st.carton.pk, "quantity": 1}).status_code == 200
    far = post(f"fulfilment/checks/{check_id}/weigh", {"weight_g": 2000})
    assert far.status_code == 400 and far.json()["error"]["code"] == "recheck"
    weighed = post(f"fulfilment/checks/{check_id}/weigh", {"weight_g": 2000, "recheck_reason": "内附说明书"})
    assert weighed.status_code == 200 and weighed.json()["recheck"] is True
    opened = post("fulfilment/handovers", {"carrier": "sf_express", "warehouse_id": st.wh.hz.pk})
    assert opened.status_code == 201
    handover_id = opened.json()["id"]
    out = post(f"fulfilment/handovers/{handover_id}/scan", {"code": order.tracking_no})
    assert out.status_code == 201 and out.json()["platform_order_no"] == "AP1"
    assert post(f"fulfilment/handovers/{handover_id}/scan", {"code": order.tracking_no}).status_code == 409
    closed = post(f"fulfilment/handovers/{handover_id}/close", {"receiver_name": "李师傅"})
    assert closed.status_code == 200 and closed.json()["state"] == "closed" and closed.json()["parcels"] == 1
    detail = client.get(f"/api/v1/fulfilment/handovers/{handover_id}").json()
    assert [p["tracking_no"] for p in detail["items"]] == [order.tracking_no]
    listed = client.get("/api/v1/fulfilment/handovers").json()
    assert listed["count"] == 1
    # Another client's user: the check and the manifest are not found.
    other = http(st.packer_b)
    assert other.get(f"/api/v1/fulfilment/checks/{check_id}").status_code == 404
    assert other.get(f"/api/v1/fulfilment/handovers/{handover_id}").status_code == 404

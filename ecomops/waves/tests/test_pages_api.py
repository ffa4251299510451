"""FUL-01 pages and API: the wave list and detail, the scan box (htmx, a red message with
role="alert" on a wrong scan), the short-pick form, the sort box with the slot, the pick list PDF in
Chinese; DAT-02: a wave with another client's order is not found, and a wave of a shared batch holds
only what its creator sees."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from ecomops.orders.enums import OrderState
from ecomops.orders.models import Order
from ecomops.orders.tests.conftest import Api, make_user
from ecomops.reports.tests.pdftext import pdf_pages
from ecomops.stockops.models import CountSheet
from ecomops.waves import actions
from ecomops.waves.models import PickLine, PickState, Wave, WaveState

from .conftest import PICKER, printed_batch, reviewed


def _http(user):
    http = HttpClient()
    http.force_login(user)
    return http


@pytest.fixture
def wave(od, org, floor):
    orders = [reviewed(od, org, f"P{i}", {"P-1": 1, "P-2": 1}) for i in range(6)]
    batch = printed_batch(orders, printer=floor.printer)
    return actions.create_wave(batch, user=floor.picker).wave


def test_ful01_pages_list_detail_scan_short_and_pdf(od, org, floor, wave):
    http = _http(floor.picker)
    page = http.get(reverse("waves:list")).content.decode()
    assert wave.number in page
    page = http.get(reverse("waves:detail", args=[wave.pk])).content.decode()
    assert 'data-testid="pick-code"' in page and "autofocus" in page and "B-01-01" in page
    assert page.index("A-02-01") < page.index("B-01-01")  # walking order
    url = reverse("waves:scan", args=[wave.pk])
    wrong = http.post(url, {"code": "Z-99"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'role="alert"' in wrong and "不在本波次" in wrong and "<html" not in wrong
    ok = http.post(url, {"code": "A-02-01"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'role="alert"' not in ok and 'value="A-02-01"' in ok
    bad = http.post(url, {"code": "CUP-01", "bin": "A-02-01"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'role="alert"' in bad and "A-02-01" in bad
    good = http.post(url, {"code": "2000000000015", "bin": "A-02-01"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="scan-last"' in good
    assert PickLine.objects.get(wave=wave, bin_code="A-02-01").picked == 1
    cups = PickLine.objects.get(wave=wave, bin_code="B-01-01")
    answer = http.post(reverse("waves:short", args=[wave.pk]), {"line": cups.pk, "found": 5, "reason": "少一件"})
    assert answer.status_code == 302
    cups.refresh_from_db()
    assert cups.state == PickState.SHORT and CountSheet.objects.count() == 1
    assert Order.objects.filter(state=OrderState.ON_HOLD, platform_order_no__startswith="P").count() == 1
    pdf = http.get(reverse("waves:pdf", args=[wave.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    text = "\n".join(pdf_pages(pdf.content))
    assert wave.number in text and "拣货波次" in text and "分拣" in text and "B-01-01" in text


def test_ful01_sort_page_shows_the_slot(od, org, floor, wave):
    http = _http(floor.picker)
    for line in PickLine.objects.filter(wave=wave):
        actions.scan_pick(wave, user=floor.picker, bin_code=line.bin_code, sku_code=line.sku.sku_code,
                          quantity=line.quantity)
    assert http.post(reverse("waves:finish", args=[wave.pk])).status_code == 302
    page = http.get(reverse("waves:detail", args=[wave.pk])).content.decode()
    assert 'data-testid="sort-code"' in page
    answer = http.post(reverse("waves:sort", args=[wave.pk]), {"code": "CUP-01"}, HTTP_HX_REQUEST="true")
    body = answer.content.decode()
    assert 'data-testid="sort-slot">1<' in body
    wrong = http.post(reverse("waves:sort", args=[wave.pk]), {"code": "NOPE"}, HTTP_HX_REQUEST="true")
    assert 'role="alert"' in wrong.content.decode()


def test_ful01_create_from_the_list_page(od, org, floor):
    orders = [reviewed(od, org, f"C{i}", {"P-1": 1}) for i in range(2)]
    batch = printed_batch(orders, printer=floor.printer)
    http = _http(floor.picker)
    page = http.get(reverse("waves:list")).content.decode()
    assert batch.number in page
    answer = http.post(reverse("waves:create"), {"batch": batch.pk})
    made = Wave.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("waves:detail", args=[made.pk])


def test_ful01_api_create_pick_short_sort_finish(od, org, floor):
    orders = [reviewed(od, org, f"Q{i}", {"P-1": 1}) for i in range(6)]
    batch = printed_batch(orders, printer=floor.printer)
    api = Api(floor.picker)
    made = api.post("waves", {"batch_id": batch.pk})
    assert made.status_code == 201, made.content
    wave_id = made.json()["wave"]["id"]
    assert [line["bin_code"] for line in made.json()["wave"]["lines"]] == ["A-02-01"]
    wrong = api.post(f"waves/{wave_id}/pick", {"bin_code": "B-01-01", "sku_code": "TEA-001-250"})
    assert wrong.status_code == 400 and wrong.json()["error"]["field"] == "bin"
    over = api.post(f"waves/{wave_id}/pick", {"bin_code": "A-02-01", "sku_code": "TEA-001-250", "quantity": 7})
    assert over.status_code == 400 and over.json()["error"]["field"] == "quantity"
    assert api.post(f"waves/{wave_id}/pick", {"bin_code": "A-02-01", "sku_code": "TEA-001-250",
                                              "quantity": 5}).status_code == 200
    line_id = made.json()["wave"]["lines"][0]["id"]
    short = api.post(f"waves/{wave_id}/short", {"line_id": line_id, "found": 5, "reason": "破损"})
    assert short.status_code == 200, short.content
    assert short.json()["held_order_ids"] == [orders[5].pk] and short.json()["count_numbers"]
    assert api.post(f"waves/{wave_id}/finish").json()["state"] == "picked"
    slots = [api.post(f"waves/{wave_id}/sort", {"sku_code": "TEA-001-250"}).json()["slot"] for _ in range(5)]
    assert slots == [1, 2, 3, 4, 5]
    assert api.post(f"waves/{wave_id}/finish").json()["state"] == "sorted"
    assert api.get(f"waves/{wave_id}").json()["orders"][5]["live"] is False
    assert api.get("waves").json()[0]["id"] == wave_id


def test_dat02_a_wave_holds_only_what_its_creator_sees_and_is_hidden_from_others(od, org, floor, wh):
    """A shared batch with both clients' orders: client A's picker makes a wave of A's orders only;
    a wave holding client A's orders is not found for client B's picker (page, API, acts)."""
    from ecomops.catalog.models import SKU, PlatformSKU
    from ecomops.orders.models import StoreWarehouse

    sku_b = SKU.objects.create(client=org.client_b, style=_style_b(org), sku_code="B-TEE", colour="", size="M",
                               barcode="2000000000046", barcode_source="external")
    PlatformSKU.objects.create(store=org.store_b1, sku=sku_b, platform_sku_code="PB-1")
    StoreWarehouse.objects.create(store=org.store_b1, warehouse=wh.hz, priority=1)
    wh.put(floor.b_b, 10, sku_b)
    mine = [reviewed(od, org, f"MA{i}", {"P-1": 1}) for i in range(2)]
    theirs = reviewed(od, org, "MB1", {"PB-1": 1}, store=org.store_b1, user=od.clerk_b)
    printer_all = make_user("printer_all", "dispatch.view_shipbatch", "dispatch.print_shipbatch",
                            "orders.view_order", client=org.client_a)
    from ecomops.org.models import ClientGrant

    ClientGrant.objects.create(user=printer_all, client=org.client_b)
    printer_all = type(printer_all).objects.get(pk=printer_all.pk)
    batch = printed_batch([*mine, theirs], printer=printer_all)
    assert Order.objects.get(pk=theirs.pk).state == OrderState.AWAITING_SHIPMENT
    wave = actions.create_wave(batch, user=floor.picker).wave
    assert set(wave.orders.values_list("order_id", flat=True)) == {o.pk for o in mine}
    assert not PickLine.objects.filter(wave=wave, sku=sku_b).exists()
    picker_b = make_user("picker_b", *PICKER, client=org.client_b)
    assert _http(picker_b).get(reverse("waves:detail", args=[wave.pk])).status_code == 404
    assert _http(picker_b).get(reverse("waves:pdf", args=[wave.pk])).status_code == 404
    assert wave.number not in _http(picker_b).get(reverse("waves:list")).content.decode()
    api = Api(picker_b)
    assert api.get(f"waves/{wave.pk}").status_code == 404
    assert api.post(f"waves/{wave.pk}/pick", {"bin_code": "A-02-01", "sku_code": "TEA-001-250"}).status_code == 404
    assert api.post(f"waves/{wave.pk}/cancel", {"reason": "x"}).status_code == 404
    # B's picker makes B's own wave of the same batch
    wave_b = actions.create_wave(batch, user=picker_b).wave
    assert list(wave_b.orders.values_list("order_id", flat=True)) == [theirs.pk]
    assert wave_b.number not in _http(floor.picker).get(reverse("waves:list")).content.decode()
    assert Wave.objects.get(pk=wave.pk).state == WaveState.OPEN


def _style_b(org):
    from decimal import Decimal

    from ecomops.catalog.models import Style

    return Style.objects.create(client=org.client_b, style_no="TEE-B", name="T恤", unit_cost=Decimal("10.00"),
                                price=Decimal("30.00"))



"""The catalogue pages (CAT-04, CAT-07): scoped lists and details (DAT-02: another client's product is a
404), the style form generating the colour × size matrix, SKU and platform-code forms, price history,
and the import page that reports every bad row and writes nothing."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as WebClient
from django.urls import reverse
from openpyxl import load_workbook

from ecomops.catalog import actions
from ecomops.catalog.models import SKU, Brand, Category, PlatformSKU, Style

from .conftest import row, xlsx_bytes

pytestmark = pytest.mark.django_db


def web(user) -> WebClient:
    client = WebClient()
    client.force_login(user)
    return client


@pytest.fixture
def style_b(cat):
    return actions.create_style(user=cat.user_b, client=cat.client_b, style_no="B100", name="乙的外套",
                                unit_cost="200", price="599", colours=["灰"], sizes=["M"])


def test_dat_02_list_shows_only_granted_clients(cat, style_a, style_b):
    page = web(cat.user_a).get(reverse("catalog:styles"))
    assert page.status_code == 200
    assert "D001" in page.content.decode() and "B100" not in page.content.decode()
    assert "B100" not in web(cat.member_a).get(reverse("catalog:styles")).content.decode()
    assert "D001" in web(cat.member_a).get(reverse("catalog:styles")).content.decode()


def test_dat_02_another_clients_style_pages_are_404(cat, style_a, style_b):
    browser = web(cat.user_a)
    sku_b = style_b.skus.get()
    for url in (reverse("catalog:style_detail", args=[style_b.pk]), reverse("catalog:style_edit", args=[style_b.pk]),
                reverse("catalog:sku_edit", args=[sku_b.pk])):
        assert browser.get(url).status_code == 404, url
    response = browser.post(reverse("catalog:sku_platform_codes", args=[sku_b.pk]),
                            {"codes-store": cat.store_b1.pk, "codes-codes": "X"})
    assert response.status_code == 404
    assert browser.get(reverse("catalog:export"), {"client": cat.client_b.pk}).status_code == 404
    assert not PlatformSKU.objects.exists()


def test_list_searches_by_barcode_and_filters(cat, style_a):
    sku = style_a.skus.first()
    browser = web(cat.user_a)
    assert "D001" in browser.get(reverse("catalog:styles"), {"q": sku.barcode}).content.decode()
    assert "D001" not in browser.get(reverse("catalog:styles"), {"q": "nothing-like-it"}).content.decode()
    assert "D001" in browser.get(reverse("catalog:styles"), {"category": cat.womens.pk}).content.decode()
    assert "D001" not in browser.get(reverse("catalog:styles"), {"status": "active"}).content.decode()


def test_detail_shows_matrix_platform_codes_and_price_history(cat, style_a):
    red_m = style_a.skus.get(sku_code="D001-RED-M")
    actions.set_platform_codes(red_m, cat.store_a1, ["TB-556"], user=cat.user_a)
    actions.change_price(style_a, user=cat.user_a, price="369", reason="换季")
    page = web(cat.user_a).get(reverse("catalog:style_detail", args=[style_a.pk])).content.decode()
    assert 'data-testid="sku-matrix"' in page and "D001-C01-S" in page
    assert "TB-556" in page and "换季" in page and "369.00" in page
    tea = actions.create_style(user=cat.user_a, client=cat.client_a, style_no="LJ", name="龙井",
                               category=Category.objects.create(code="green", name="绿茶", parent=cat.tea),
                               unit_cost="1", price="2")
    page = web(cat.user_a).get(reverse("catalog:style_detail", args=[tea.pk])).content.decode()
    assert "食品" in page  # STO-04: special goods class inherited from 茶叶


def test_create_style_generates_the_matrix(cat):
    response = web(cat.user_a).post(reverse("catalog:style_create"), {
        "client": cat.client_a.pk, "style_no": "K200", "name": "针织开衫", "brand": cat.brand_a.pk,
        "category": cat.womens.pk, "status": "draft", "unit_cost": "88.00", "price": "259.00",
        "return_class": "allowed", "colours": "米白, 墨绿", "sizes": "S\nM", "attributes_text": "面料: 羊毛",
    })
    assert response.status_code == 302, response.content.decode()
    style = Style.objects.get(style_no="K200")
    assert style.skus.count() == 4 and style.attributes == {"面料": "羊毛"}


def test_create_style_shows_refusals_on_the_field(cat, style_a):
    response = web(cat.user_a).post(reverse("catalog:style_create"), {
        "client": cat.client_a.pk, "style_no": "D001", "name": "重复", "status": "draft", "unit_cost": "1",
        "price": "2", "return_class": "allowed",
    })
    assert response.status_code == 200
    assert "款号 D001 已存在" in response.content.decode()


def test_client_outside_scope_is_not_offered_and_not_accepted(cat):
    response = web(cat.user_a).post(reverse("catalog:style_create"), {
        "client": cat.client_b.pk, "style_no": "Z1", "name": "越权", "status": "draft", "unit_cost": "1",
        "price": "2", "return_class": "allowed",
    })
    assert response.status_code == 200 and not Style.objects.filter(style_no="Z1").exists()


def test_edit_adds_sizes_and_records_price_change(cat, style_a):
    response = web(cat.user_a).post(reverse("catalog:style_edit", args=[style_a.pk]), {
        "style_no": "D001", "name": "真丝连衣裙", "brand": cat.brand_a.pk, "category": cat.womens.pk,
        "status": "active", "unit_cost": "120.00", "price": "379.00", "return_class": "allowed",
        "reason": "新季定价", "colours": "黑色, Red", "sizes": "XL",
    })
    assert response.status_code == 302, response.content.decode()
    style_a.refresh_from_db()
    assert style_a.price == Decimal("379.00") and style_a.skus.count() == 8
    assert Style.history.filter(id=style_a.pk).latest("history_date").history_change_reason == "新季定价"


def test_sku_edit_and_platform_codes(cat, style_a):
    sku = style_a.skus.get(sku_code="D001-RED-L")
    browser = web(cat.user_a)
    response = browser.post(reverse("catalog:sku_edit", args=[sku.pk]), {
        "sku-colour": "Red", "sku-size": "L", "sku-barcode": "6901234567891", "sku-is_active": "on"})
    assert response.status_code == 200 and "校验位" in response.content.decode()
    response = browser.post(reverse("catalog:sku_platform_codes", args=[sku.pk]),
                            {"codes-store": cat.store_a2.pk, "codes-codes": "JD-1, JD-2"})
    assert response.status_code == 302
    assert sorted(PlatformSKU.objects.filter(sku=sku).values_list("platform_sku_code", flat=True)) == ["JD-1", "JD-2"]


def test_import_page_lists_bad_rows_and_offers_the_errors_file(cat):
    data = xlsx_bytes([row(style_no="G1", name="甲", unit_cost="1", price="-2"),
                       row(style_no="G2", name="乙", unit_cost="1", price="2", barcode="4006381333932")])
    browser = web(cat.user_a)
    response = browser.post(reverse("catalog:import"), {
        "client": cat.client_a.pk, "file": SimpleUploadedFile("商品.xlsx", data)})
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="import-errors"' in page
    assert "不能为负数" in page and "校验位错误" in page
    assert not Style.objects.exists()
    token = response.context["error_token"]
    download = browser.get(reverse("catalog:import_errors", args=[token]))
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True).worksheets[0]
    assert [r[:2] for r in sheet.iter_rows(values_only=True)][1:] == [(2, "销售价"), (3, "条码")]
    # Another session cannot fetch this person's error list.
    assert web(cat.admin).get(reverse("catalog:import_errors", args=[token])).status_code == 404


def test_import_page_imports_and_reports_the_summary(cat):
    data = xlsx_bytes([row(style_no="G1", name="甲", colour="红", size="M", unit_cost="1", price="2")])
    response = web(cat.user_a).post(reverse("catalog:import"), {
        "client": cat.client_a.pk, "file": SimpleUploadedFile("商品.xlsx", data)})
    assert response.status_code == 200 and 'data-testid="import-result"' in response.content.decode()
    assert SKU.objects.filter(style__style_no="G1").count() == 1


def test_import_into_a_client_outside_scope_is_refused(cat):
    data = xlsx_bytes([row(style_no="G1", name="甲", unit_cost="1", price="2")])
    response = web(cat.user_b).post(reverse("catalog:import"), {
        "client": cat.client_a.pk, "file": SimpleUploadedFile("商品.xlsx", data)})
    assert response.status_code == 200 and not Style.objects.exists()


def test_template_and_export_downloads(cat, style_a):
    browser = web(cat.user_a)
    template = browser.get(reverse("catalog:import_template"))
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxmlformats")
    export = browser.get(reverse("catalog:export"), {"client": cat.client_a.pk})
    rows = list(load_workbook(io.BytesIO(export.content), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "款号" and len(rows) == 7
    csv = browser.get(reverse("catalog:export"), {"client": cat.client_a.pk, "format": "csv"})
    assert csv.content.startswith("\ufeff款号".encode())


def test_pages_need_the_permission(cat):
    assert web(cat.nobody).get(reverse("catalog:styles")).status_code == 403
    assert web(cat.member_a).get(reverse("catalog:style_create")).status_code == 403
    assert web(cat.member_a).get(reverse("catalog:import")).status_code == 403


def test_navigation_offers_the_catalogue_to_those_who_may_read_it(cat):
    assert reverse("catalog:styles") in web(cat.user_a).get(reverse("home")).content.decode()
    assert reverse("catalog:styles") not in web(cat.nobody).get(reverse("home")).content.decode()


def test_brands_page_lists_scoped_brands_and_adds_one(cat):
    actions.create_brand(user=cat.admin, client=cat.client_b, name="乙牌")
    browser = web(cat.user_a)
    page = browser.get(reverse("catalog:brands")).content.decode()
    assert "山岚" in page and "乙牌" not in page
    response = browser.post(reverse("catalog:brands"), {"client": cat.client_a.pk, "name": "云栖"})
    assert response.status_code == 302
    response = browser.post(reverse("catalog:brands"), {"client": cat.client_a.pk, "name": "云栖"})
    assert response.status_code == 200 and "该委托方已有品牌 云栖" in response.content.decode()
    refused = browser.post(reverse("catalog:brands"), {"client": cat.client_b.pk, "name": "越权"})
    assert refused.status_code == 200
    assert not Brand.objects.filter(name="越权").exists()


def test_import_page_refuses_a_zip_bomb_before_opening_it(cat, tmp_path, monkeypatch):
    """A small .xlsx declaring hundreds of MB of XML is refused from its archive's directory with a
    clear message; openpyxl never sees it, nothing is written."""
    import openpyxl

    from ecomops.core.tests.test_spreadsheets import zip_bomb

    bomb = zip_bomb(tmp_path / "商品.xlsx").read_bytes()
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("the bomb was opened"))
    response = web(cat.user_a).post(reverse("catalog:import"), {
        "client": cat.client_a.pk, "file": SimpleUploadedFile("商品.xlsx", bomb)})
    assert response.status_code == 200 and "压缩炸弹" in response.content.decode()
    assert not Style.objects.exists()

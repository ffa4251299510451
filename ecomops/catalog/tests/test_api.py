"""CAT-04, CAT-07 through the API: styles with their SKUs, SKUs found by code, barcode or a store's
platform SKU code, and the platform codes themselves — scoped by client (DAT-02: another client's
product is a 404, listing shows only granted clients, a client's own user sees its own)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ecomops.catalog import actions
from ecomops.catalog.models import SKU, PlatformSKU, Style
from ecomops.core.tests.conftest import assert_error

from .conftest import with_perms

pytestmark = pytest.mark.django_db


@pytest.fixture
def style_b(cat):
    return actions.create_style(user=cat.user_b, client=cat.client_b, style_no="B100", name="乙的外套",
                                unit_cost="200", price="599", colours=["灰"], sizes=["M", "L"])


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["style_no"] for item in response.json()["items"]]


def test_dat_02_style_list_shows_only_granted_clients(cat, api_as, style_a, style_b):
    assert numbers(api_as(cat.user_a).get("catalog/styles")) == ["D001"]
    assert numbers(api_as(cat.user_b).get("catalog/styles")) == ["B100"]
    assert numbers(api_as(cat.admin).get("catalog/styles")) == ["D001", "B100"]
    # A client's own user sees its own catalogue, whatever else was granted to the account.
    assert numbers(api_as(cat.member_a).get("catalog/styles")) == ["D001"]
    # CAT-04: a store grant opens the catalogue of the store's client for reading (test_store_grant_reads).
    assert numbers(api_as(cat.user_a1).get("catalog/styles")) == ["D001"]
    assert numbers(api_as(with_perms(cat.nobody, "catalog.view_style")).get("catalog/styles")) == []


def test_dat_02_another_clients_style_and_sku_are_404(cat, api_as, style_a, style_b):
    api = api_as(cat.user_a)
    sku_b = style_b.skus.first()
    for response in (api.get(f"catalog/styles/{style_b.pk}"), api.get(f"catalog/skus/{sku_b.pk}"),
                     api.patch(f"catalog/styles/{style_b.pk}", {"name": "改名"}),
                     api.patch(f"catalog/skus/{sku_b.pk}", {"is_active": False}),
                     api.put(f"catalog/skus/{sku_b.pk}/platform-codes", {"store_id": cat.store_b1.pk, "codes": ["X"]})):
        assert_error(response, 404, "not_found", None)
    assert api.get(f"catalog/styles/{style_b.pk}").json() == api.get("catalog/styles/999999").json()
    assert Style.objects.get(pk=style_b.pk).name == "乙的外套"
    assert numbers(api.get("catalog/styles", {"client_id": cat.client_b.pk})) == []
    assert api.get("catalog/skus", {"sku_code": sku_b.sku_code}).json()["count"] == 0


def test_dat_02_creating_in_another_clients_scope_reads_as_missing(cat, api_as):
    api = api_as(cat.user_a)
    body = {"client_id": cat.client_b.pk, "style_no": "X1", "name": "越权", "unit_cost": "1", "price": "2"}
    assert_error(api.post("catalog/styles", body), 400, "not_found", "client_id")
    brand_b = actions.create_brand(user=cat.admin, client=cat.client_b, name="乙牌")
    body = {"client_id": cat.client_a.pk, "style_no": "X1", "name": "甲", "unit_cost": "1", "price": "2",
            "brand_id": brand_b.pk}
    assert_error(api.post("catalog/styles", body), 400, "not_found", "brand_id")
    assert not Style.objects.filter(style_no="X1").exists()


def test_create_style_with_matrix_and_get_it_with_skus(cat, api_as):
    api = api_as(cat.user_a)
    response = api.post("catalog/styles", {
        "client_id": cat.client_a.pk, "style_no": "LJ-2026", "name": "西湖龙井", "category_id": cat.tea.pk,
        "brand_id": cat.brand_a.pk, "unit_cost": "80.50", "price": 298, "is_hero": True,
        "return_class": "excluded_with_confirmation", "attributes": {"产地": "杭州", "净含量": "250g"},
        "sizes": ["250g", "500g"],
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["is_hero"] is True and body["return_class"] == "excluded_with_confirmation"
    assert Decimal(body["unit_cost"]) == Decimal("80.50") and Decimal(body["price"]) == Decimal("298")
    assert [s["sku_code"] for s in body["skus"]] == ["LJ-2026-250G", "LJ-2026-500G"]
    assert body["sku_count"] == 2 and body["brand"]["name"] == "山岚" and body["category"]["code"] == "tea"
    assert api.get(f"catalog/styles/{body['id']}").json() == body


@pytest.mark.parametrize("price, field", [("-1", "price"), ("1.005", "price"), ("abc", "price")])
def test_bad_money_is_a_422_naming_the_field(cat, api_as, price, field):
    body = {"client_id": cat.client_a.pk, "style_no": "M1", "name": "甲", "unit_cost": "1", "price": price}
    assert_error(api_as(cat.user_a).post("catalog/styles", body), 422, "invalid", field)


def test_patch_style_adds_missing_skus_and_needs_the_price_right_for_prices(cat, api_as, style_a):
    api = api_as(cat.user_a)
    response = api.patch(f"catalog/styles/{style_a.pk}", {"sizes": ["XL"], "colours": ["黑色"],
                                                          "price": "359", "reason": "季末调价"})
    assert response.status_code == 200, response.content
    assert len(response.json()["skus"]) == 7 and Decimal(response.json()["price"]) == Decimal("359")
    assert Style.history.filter(id=style_a.pk).latest("history_date").history_change_reason == "季末调价"
    no_price_right = api_as(cat.user_b)
    from ecomops.org.models import ClientGrant

    ClientGrant.objects.create(user=cat.user_b, client=cat.client_a)
    assert_error(no_price_right.patch(f"catalog/styles/{style_a.pk}", {"price": "1"}), 403, "forbidden")
    assert Style.objects.get(pk=style_a.pk).price == Decimal("359")


def test_sku_filters_find_by_code_barcode_and_store_platform_code(cat, api_as, style_a):
    api = api_as(cat.user_a)
    red_m = style_a.skus.get(sku_code="D001-RED-M")
    response = api.put(f"catalog/skus/{red_m.pk}/platform-codes", {"store_id": cat.store_a1.pk, "codes": ["TB-88"]})
    assert response.status_code == 200, response.content
    assert response.json()["platform_codes"][0]["platform_sku_code"] == "TB-88"

    def codes(params):
        result = api.get("catalog/skus", params)
        assert result.status_code == 200, result.content
        return [s["sku_code"] for s in result.json()["items"]]

    assert codes({"barcode": red_m.barcode}) == ["D001-RED-M"]
    assert codes({"sku_code": "D001-RED-M"}) == ["D001-RED-M"]
    assert codes({"platform_sku_code": "TB-88", "store_id": cat.store_a1.pk}) == ["D001-RED-M"]
    assert codes({"platform_sku_code": "TB-88", "store_id": cat.store_a2.pk}) == []
    assert len(codes({"style_id": style_a.pk})) == 6


def test_platform_code_unique_per_store_and_store_of_the_skus_client(cat, api_as, style_a):
    api = api_as(cat.admin)
    red_m, red_l = style_a.skus.get(sku_code="D001-RED-M"), style_a.skus.get(sku_code="D001-RED-L")
    api.put(f"catalog/skus/{red_m.pk}/platform-codes", {"store_id": cat.store_a1.pk, "codes": ["TB-1"]})
    assert_error(api.put(f"catalog/skus/{red_l.pk}/platform-codes", {"store_id": cat.store_a1.pk, "codes": ["TB-1"]}),
                 400, "duplicate", "codes")
    assert_error(api.put(f"catalog/skus/{red_l.pk}/platform-codes", {"store_id": cat.store_b1.pk, "codes": ["TB-1"]}),
                 400, "invalid", "store_id")
    assert list(PlatformSKU.objects.values_list("sku__sku_code", flat=True)) == ["D001-RED-M"]


def test_sku_patch_barcode_check_digit_and_price_override(cat, api_as, style_a):
    api = api_as(cat.user_a)
    sku = style_a.skus.first()
    error = assert_error(api.patch(f"catalog/skus/{sku.pk}", {"barcode": "6901234567891"}), 400, "invalid", "barcode")
    assert "校验位" in error["message"]
    response = api.patch(f"catalog/skus/{sku.pk}", {"price": "419.00"})
    assert Decimal(response.json()["effective_price"]) == Decimal("419.00")
    response = api.patch(f"catalog/skus/{sku.pk}", {"price": None})
    assert response.json()["price"] is None and Decimal(response.json()["effective_price"]) == Decimal("399.00")
    assert SKU.objects.get(pk=sku.pk).price is None


def test_member_reads_but_cannot_write_without_the_permission(cat, api_as, style_a):
    api = api_as(cat.member_a)
    assert api.get(f"catalog/styles/{style_a.pk}").status_code == 200
    assert_error(api.patch(f"catalog/styles/{style_a.pk}", {"name": "改"}), 403, "forbidden")


def test_reading_needs_the_view_permission(cat, api_as, style_a):
    assert_error(api_as(cat.nobody).get("catalog/styles"), 403, "forbidden")
    assert_error(api_as(cat.nobody).get("catalog/skus"), 403, "forbidden")


def test_brands_scoped_and_categories_shared(cat, api_as):
    actions.create_brand(user=cat.admin, client=cat.client_b, name="乙牌")
    brands = api_as(cat.user_a).get("catalog/brands").json()["items"]
    assert [b["name"] for b in brands] == ["山岚"]
    response = api_as(cat.user_a).post("catalog/brands", {"client_id": cat.client_b.pk, "name": "越权"})
    assert_error(response, 400, "not_found", "client_id")
    created = api_as(cat.user_a).post("catalog/categories", {"code": "cosmetics", "name": "美妆",
                                                             "special_goods": "cosmetics"})
    assert created.status_code == 201, created.content
    codes = [c["code"] for c in api_as(cat.user_b).get("catalog/categories", {"page_size": 200}).json()["items"]]
    assert "cosmetics" in codes and "tea" in codes

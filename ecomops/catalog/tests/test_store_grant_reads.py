"""CAT-04 / DAT-02: a user granted only a store (not its client) reads the catalogue of the store's client
(styles, SKUs, brands) on the pages and through the API, to find what the store sells; changing it needs
the client itself (a client grant or all clients). Another client's catalogue stays a 404."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from ecomops.catalog import actions
from ecomops.catalog.models import Style
from ecomops.core.errors import NotAllowed

from .conftest import EDITOR_PERMS, PRICE_PERM, with_perms

pytestmark = pytest.mark.django_db


@pytest.fixture
def store_staff(cat):
    """user_a1: store A1 only, with every catalogue right (so only the scope can refuse)."""
    return with_perms(cat.user_a1, *EDITOR_PERMS, PRICE_PERM)


@pytest.fixture
def style_b(cat):
    return actions.create_style(user=cat.user_b, client=cat.client_b, style_no="B100", name="乙的外套",
                                unit_cost="200", price="599", colours=["灰"], sizes=["M"])


def browser(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def test_store_grant_reads_the_clients_catalogue_on_the_pages(cat, store_staff, style_a, style_b):
    http = browser(store_staff)
    listing = http.get(reverse("catalog:styles")).content.decode()
    assert "D001" in listing and "B100" not in listing
    assert reverse("catalog:style_create") not in listing  # nothing to add to: no client granted whole
    detail = http.get(reverse("catalog:style_detail", args=[style_a.pk]))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert style_a.skus.first().sku_code in html
    assert reverse("catalog:style_edit", args=[style_a.pk]) not in html  # read only
    assert reverse("catalog:sku_edit", args=[style_a.skus.first().pk]) not in html
    brands = http.get(reverse("catalog:brands")).content.decode()
    assert "山岚" in brands
    export = http.get(reverse("catalog:export"), {"client": cat.client_a.pk, "format": "csv"})
    assert export.status_code == 200 and "D001" in export.content.decode("utf-8")
    # Another client's catalogue is still missing, not forbidden.
    assert http.get(reverse("catalog:style_detail", args=[style_b.pk])).status_code == 404
    assert http.get(reverse("catalog:export"), {"client": cat.client_b.pk}).status_code == 404


def test_store_grant_may_not_change_the_catalogue_on_the_pages(cat, store_staff, style_a, style_b):
    http = browser(store_staff)
    sku = style_a.skus.first()
    assert http.get(reverse("catalog:style_edit", args=[style_a.pk])).status_code == 403
    refused = http.post(reverse("catalog:style_edit", args=[style_a.pk]), {"name": "改名"})
    assert refused.status_code == 403
    assert http.get(reverse("catalog:sku_edit", args=[sku.pk])).status_code == 403
    assert http.post(reverse("catalog:sku_platform_codes", args=[sku.pk]),
                     {"codes-store": cat.store_a1.pk, "codes-codes": "TB-9"}).status_code == 403
    assert http.get(reverse("catalog:style_edit", args=[style_b.pk])).status_code == 404
    style_a.refresh_from_db()
    assert style_a.name == "真丝连衣裙" and not sku.platform_codes.exists()


def test_store_grant_reads_through_the_api_and_is_refused_changes(cat, store_staff, api_as, style_a, style_b):
    api = api_as(store_staff)
    sku = style_a.skus.first()
    assert [s["style_no"] for s in api.get("catalog/styles").json()["items"]] == ["D001"]
    first = style_a.skus.order_by("pk")[0].sku_code
    assert api.get(f"catalog/styles/{style_a.pk}").json()["skus"][0]["sku_code"] == first
    assert api.get(f"catalog/skus/{sku.pk}").status_code == 200
    assert {s["client_id"] for s in api.get("catalog/skus").json()["items"]} == {cat.client_a.pk}
    assert [b["name"] for b in api.get("catalog/brands").json()["items"]] == ["山岚"]
    for response in (api.patch(f"catalog/styles/{style_a.pk}", {"name": "改名"}),
                     api.patch(f"catalog/styles/{style_a.pk}", {"sizes": ["XL"]}),
                     api.patch(f"catalog/skus/{sku.pk}", {"is_active": False}),
                     api.put(f"catalog/skus/{sku.pk}/platform-codes", {"store_id": cat.store_a1.pk, "codes": ["X"]})):
        assert response.status_code == 403, response.content
    assert api.post("catalog/styles", {"client_id": cat.client_a.pk, "style_no": "N1", "name": "新款",
                                       "unit_cost": "1.00", "price": "2.00"}).status_code == 400
    for path in (f"catalog/styles/{style_b.pk}", f"catalog/skus/{style_b.skus.first().pk}"):
        assert api.get(path).status_code == 404
    assert api.patch(f"catalog/styles/{style_b.pk}", {"name": "改名"}).status_code == 404
    style_a.refresh_from_db()
    assert style_a.name == "真丝连衣裙" and style_a.skus.count() == 6 and not Style.objects.filter(style_no="N1")


def test_store_grant_is_refused_by_the_actions_themselves(cat, store_staff, style_a):
    with pytest.raises(NotAllowed):
        actions.update_style(style_a, user=store_staff, name="改名")
    with pytest.raises(NotAllowed):
        actions.change_price(style_a, user=store_staff, price=Decimal("1.00"))
    with pytest.raises(NotAllowed):
        actions.update_sku(style_a.skus.first(), user=store_staff, is_active=False)
    assert set(Style.objects.readable_by(store_staff)) == {style_a}
    assert not Style.objects.visible_to(store_staff).exists()  # the working scope is unchanged

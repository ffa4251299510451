"""CAT-01 / CAT-04: a client's brand is corrected on its own page (name, English name, trademark number,
active), through ``catalog.actions.update_brand``; only staff holding the client whole may change it."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from ecomops.catalog import actions
from ecomops.catalog.models import Brand

from .conftest import EDITOR_PERMS, with_perms

pytestmark = pytest.mark.django_db


def browser(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def test_cat04_brand_is_edited_on_its_page(cat):
    http = browser(cat.user_a)
    url = reverse("catalog:brand_edit", args=[cat.brand_a.pk])
    assert url in http.get(reverse("catalog:brands")).content.decode()
    page = http.get(url)
    assert page.status_code == 200 and 'name="client"' not in page.content.decode()
    saved = http.post(url, {"name": "山岚", "name_en": "Shanlan Tea", "trademark_no": "12345678"})
    assert saved.status_code == 302
    cat.brand_a.refresh_from_db()
    assert (cat.brand_a.name_en, cat.brand_a.trademark_no, cat.brand_a.is_active) == ("Shanlan Tea", "12345678", False)


def test_cat04_brand_name_must_stay_unique_within_the_client(cat):
    actions.create_brand(user=cat.admin, client=cat.client_a, name="松间")
    response = browser(cat.user_a).post(reverse("catalog:brand_edit", args=[cat.brand_a.pk]),
                                        {"name": "松间", "is_active": "on"})
    assert response.status_code == 400 and "该委托方已有品牌 松间" in response.content.decode()
    assert Brand.objects.get(pk=cat.brand_a.pk).name == "山岚"


def test_cat04_brand_edit_needs_the_client_whole(cat):
    url = reverse("catalog:brand_edit", args=[cat.brand_a.pk])
    store_staff = with_perms(cat.user_a1, *EDITOR_PERMS)  # reads client A through store A1
    assert browser(store_staff).get(url).status_code == 403
    assert reverse("catalog:brand_edit", args=[cat.brand_a.pk]) not in browser(store_staff).get(
        reverse("catalog:brands")).content.decode()
    assert browser(cat.user_b).get(url).status_code == 404
    assert browser(cat.user_b).post(url, {"name": "改"}).status_code == 404
    assert Brand.objects.get(pk=cat.brand_a.pk).name == "山岚"

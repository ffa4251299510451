"""Fixtures of the catalogue tests: product editors scoped to one client, a category tree, a brand, and
spreadsheet helpers that build real .xlsx and CSV files in memory."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from ecomops.catalog import actions
from ecomops.catalog.enums import SpecialGoods
from ecomops.catalog.importing import COLUMNS
from ecomops.catalog.models import Category
from ecomops.catalog.sheets import read_table, write_xlsx

EDITOR_PERMS = (
    "catalog.view_style", "catalog.add_style", "catalog.change_style", "catalog.view_brand", "catalog.add_brand",
    "catalog.change_brand", "catalog.view_category", "catalog.add_category", "catalog.change_category",
    "catalog.view_platformsku", "catalog.change_platformsku",
)
PRICE_PERM = "catalog.change_style_price"
HEADERS = [c.header for c in COLUMNS]


def with_perms(user, *perms):
    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def cat(org):
    """``org`` plus: user_a and user_b as product editors of their client (user_a may change prices),
    member_a (client A's own login) reading A's catalogue, a small category tree and a brand of A."""
    org.user_a = with_perms(org.user_a, *EDITOR_PERMS, PRICE_PERM)
    org.user_b = with_perms(org.user_b, *EDITOR_PERMS)
    org.member_a = with_perms(org.member_a, "catalog.view_style", "catalog.view_brand", "catalog.view_category",
                              "catalog.view_platformsku")
    org.user_a1 = with_perms(org.user_a1, "catalog.view_style", "catalog.view_platformsku")
    org.clothing = Category.objects.create(code="clothing", name="服装")
    org.womens = Category.objects.create(code="womens", name="女装", parent=org.clothing)
    org.tea = Category.objects.create(code="tea", name="茶叶", special_goods=SpecialGoods.FOOD)
    org.brand_a = actions.create_brand(user=org.admin, client=org.client_a, name="山岚", name_en="Shanlan")
    return org


@pytest.fixture
def style_a(cat):
    """A dress of client A in two colours and three sizes."""
    return actions.create_style(
        user=cat.user_a, client=cat.client_a, style_no="D001", name="真丝连衣裙", brand=cat.brand_a,
        category=cat.womens, unit_cost=Decimal("120.00"), price=Decimal("399.00"),
        colours=["黑色", "Red"], sizes=["S", "M", "L"],
    )


def row(**values) -> list[str]:
    """A data row in template column order; unnamed cells are empty."""
    keys = [c.key for c in COLUMNS]
    unknown = set(values) - set(keys)
    assert not unknown, unknown
    return ["" if values.get(k) is None else str(values[k]) for k in keys]


def xlsx_bytes(rows, headers=None) -> bytes:
    out = io.BytesIO()
    write_xlsx([("商品", headers or HEADERS, rows, {})], out)
    return out.getvalue()


def csv_bytes(rows, *, encoding="utf-8", headers=None) -> bytes:
    import csv

    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(headers or HEADERS)
    writer.writerows(rows)
    return text.getvalue().encode(encoding)


def table_of(rows, headers=None):
    return read_table(xlsx_bytes(rows, headers), filename="products.xlsx")


@pytest.fixture
def api_as():
    """``api_as(user)``: an API client with that user's session (see ecomops/core/tests/conftest.py)."""
    from django.test import Client

    from ecomops.core.tests.conftest import ApiClient

    def _login(user):
        client = Client()
        client.force_login(user)
        return ApiClient(client)

    return _login


@pytest.fixture(autouse=True)
def _private_var_dir(settings, tmp_path):
    """Files the pages keep (the import error lists) go to a directory of the test's own."""
    settings.VAR_DIR = tmp_path

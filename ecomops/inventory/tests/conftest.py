"""Fixtures for the warehouse core: one warehouse with a few bins, SKUs of clients A and B, a keeper
who may post and reverse for client A, and a helper that puts stock into a bin through the ledger."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from ecomops.catalog.models import SKU, Style
from ecomops.inventory import actions
from ecomops.inventory.enums import BinKind, DocKind
from ecomops.inventory.ledger import DocRef, Move, post_moves
from ecomops.org.models import ClientGrant

_doc_ids = itertools.count(1)

KEEPER_PERMS = (
    "inventory.view_warehouse", "inventory.add_warehouse", "inventory.change_warehouse", "inventory.post_stock",
    "inventory.reverse_stock", "inventory.reserve_stock", "inventory.verify_stock", "inventory.add_stockdocument",
    "inventory.view_stockdocument", "inventory.view_stockbalance", "inventory.view_stockmove",
    "inventory.view_dailyclose",  # the board (issue 15: for those who answer for the warehouse's day)
)


def give(user, *perms):
    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))


def make_sku(client, style_no, colour="黑", size="M", *, hero=False):
    style, _ = Style.objects.get_or_create(
        client=client, style_no=style_no,
        defaults={"name": f"测试款 {style_no}", "unit_cost": Decimal("10"), "price": Decimal("20"), "is_hero": hero},
    )
    code = f"{style_no}-{colour}-{size}"
    return SKU.objects.create(
        client=client, style=style, colour=colour, size=size, sku_code=code.replace("黑", "BK").replace("白", "WH"),
        barcode=f"BC{client.pk}{SKU.objects.count() + 1:08d}", barcode_source="external",
    )


class Stock:
    """The world of one warehouse test."""

    def put(self, sku, quantity, bin_=None, *, lot=None, received_on=None):
        """Receive ``quantity`` of ``sku`` into ``bin_`` (default A-01-01) as a new lot (or ``lot``)."""
        bin_ = bin_ or self.a1
        doc = DocRef(kind=DocKind.OPENING, id=f"T{next(_doc_ids)}", number="TEST")
        lot = lot or actions.open_lot(client=sku.client, source=doc, received_on=received_on)
        post_moves([Move(sku_id=sku.pk, lot_id=lot.pk, quantity=quantity, to_bin=bin_)], doc=doc, user=self.keeper)
        return lot


@pytest.fixture
def stock(org, django_user_model):
    s = Stock()
    s.org = org
    s.admin = django_user_model.objects.create_superuser("wh_admin", password=None)
    s.keeper = django_user_model.objects.create_user("keeper", password=org.password)
    give(s.keeper, *KEEPER_PERMS, "org.view_client", "org.view_store")
    ClientGrant.objects.create(user=s.keeper, client=org.client_a)
    s.wh = actions.create_warehouse(user=s.admin, code="HZ", name="杭州仓")
    s.wh2 = actions.create_warehouse(user=s.admin, code="SH", name="上海仓")
    s.zone = actions.create_zone(s.wh, user=s.admin, code="A", name="服装区")
    s.a1 = actions.create_bin(s.wh, user=s.admin, code="A-01-01", zone=s.zone, pick_order=1)
    s.a2 = actions.create_bin(s.wh, user=s.admin, code="A-01-02", zone=s.zone, pick_order=2)
    s.defective = actions.create_bin(s.wh, user=s.admin, code="BAD-01", kind=BinKind.DEFECTIVE)
    s.inspection = actions.create_bin(s.wh, user=s.admin, code="QC-01", kind=BinKind.INSPECTION)
    s.b1 = actions.create_bin(s.wh2, user=s.admin, code="B-01-01")
    s.sku = make_sku(org.client_a, "DRESS1")
    s.sku2 = make_sku(org.client_a, "DRESS1", "白", "L")
    s.sku_b = make_sku(org.client_b, "TEA1")
    return s

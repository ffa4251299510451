"""Fixtures of the supplier library tests (CAT-06): a purchasing clerk and a recall handler granted
client A, styles of A and B, a supplier of A, a shared supplier and a supplier of B."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient

from ecomops.catalog.models import SKU, Style
from ecomops.org.models import ClientGrant
from ecomops.suppliers.models import Supplier

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

VIEW = ("suppliers.view_supplier", "suppliers.view_suppliercontact", "suppliers.view_qualityagreement",
        "suppliers.view_supplierrating", "suppliers.view_samplingcheck", "suppliers.view_recallcase",
        "catalog.view_style")
PURCHASING = (*VIEW, "suppliers.add_supplier", "suppliers.change_supplier", "suppliers.add_suppliercontact",
              "suppliers.change_suppliercontact", "suppliers.add_qualityagreement", "suppliers.add_supplierrating",
              "suppliers.add_stylesupplier", "suppliers.delete_stylesupplier", "suppliers.add_samplingcheck")
RECALL = (*VIEW, "suppliers.change_recallcase", "suppliers.add_recallaffectedorder")


def make_user(username: str, *perms: str, client=None):
    user = get_user_model().objects.create_user(username=username, password="x")
    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    if client is not None:
        ClientGrant.objects.create(user=user, client=client)
    return get_user_model().objects.get(pk=user.pk)


def pdf(name: str = "report.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def sup(org):
    class Data:
        pass

    d = Data()
    d.clerk = make_user("clerk_a", *PURCHASING, client=org.client_a)
    d.handler = make_user("handler_a", *RECALL, client=org.client_a)
    d.clerk_b = make_user("clerk_b", *PURCHASING, *RECALL, client=org.client_b)
    d.member = org.member_a
    for perm in VIEW:
        app, codename = perm.split(".")
        d.member.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    d.member = get_user_model().objects.get(pk=d.member.pk)
    d.style_a = Style.objects.create(client=org.client_a, style_no="TEA-001", name="西湖龙井 250g",
                                     unit_cost=Decimal("80.00"), price=Decimal("198.00"))
    d.sku_a = SKU.objects.create(client=org.client_a, style=d.style_a, sku_code="TEA-001-250", colour="",
                                 size="250g", barcode="2000000000015", barcode_source="external")
    d.style_b = Style.objects.create(client=org.client_b, style_no="B-001", name="乙品牌T恤",
                                     unit_cost=Decimal("20.00"), price=Decimal("59.00"))
    d.supplier_a = Supplier.objects.create(code="SUP-A", name="杭州茶叶有限公司", client=org.client_a,
                                           created_by=org.admin)
    d.shared = Supplier.objects.create(code="SUP-S", name="本公司包材供应商", client=None, created_by=org.admin)
    d.supplier_b = Supplier.objects.create(code="SUP-B", name="乙品牌服装厂", client=org.client_b, created_by=org.admin)
    return d


class Api:
    """JSON calls to /api/v1 with a user's session."""

    def __init__(self, user):
        self.http = HttpClient()
        if user is not None:
            self.http.force_login(user)

    def _url(self, path: str) -> str:
        return path if path.startswith("/") else f"/api/v1/{path}"

    def get(self, path, params=None):
        return self.http.get(self._url(path), params or {})

    def post(self, path, body=None):
        return self.http.post(self._url(path), json.dumps(body or {}), content_type="application/json")

    def patch(self, path, body=None):
        return self.http.patch(self._url(path), json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def api():
    return Api

"""WMS-13: posted documents and ledger rows cannot be edited or deleted through the admin, not even by a
superuser; the admin only shows them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ecomops.inventory import actions
from ecomops.inventory.enums import DocKind
from ecomops.inventory.models import DailyClose, StockBalance, StockDocument, StockMove
from ecomops.inventory.tests import support
from ecomops.inventory.tests.support import web

wh = support.wh  # the fixture


@pytest.fixture
def posted(wh):
    wh.admin.is_staff = True
    wh.admin.save()
    document = actions.create_document(user=wh.admin, kind=DocKind.OPENING, warehouse=wh.wh, client=wh.org.client_a)
    actions.add_line(document, user=wh.admin, sku=wh.sku, quantity=3, to_bin=wh.a1)
    actions.post_document(document, user=wh.admin)
    return document


def test_wms13_admin_refuses_to_change_or_delete_posted_documents_and_ledger(wh, posted):
    http = web(wh.admin)
    move = StockMove.objects.get(doc_id=str(posted.pk))
    balance = StockBalance.objects.get(sku=wh.sku)
    for model, obj in (("stockdocument", posted), ("stockmove", move), ("stockbalance", balance)):
        change = reverse(f"admin:inventory_{model}_change", args=[obj.pk])
        page = http.get(change)
        assert page.status_code == 200  # viewable
        assert 'name="_save"' not in page.content.decode()
        assert http.post(change, {"quantity": 99, "note": "改"}).status_code == 403
        assert http.post(reverse(f"admin:inventory_{model}_delete", args=[obj.pk]), {"post": "yes"}).status_code \
            in (403, 302)
        assert http.get(reverse(f"admin:inventory_{model}_add")).status_code == 403
    posted.refresh_from_db()
    assert posted.is_posted and StockMove.objects.get(pk=move.pk).quantity == 3
    assert StockDocument.objects.filter(pk=posted.pk).exists() and StockMove.objects.filter(pk=move.pk).exists()


def test_wms13_admin_has_no_delete_or_add_anywhere_in_inventory(wh, posted):
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = wh.admin
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label != "inventory":
            continue
        assert not model_admin.has_delete_permission(request), model
        assert not model_admin.has_add_permission(request), model
        assert not model_admin.has_change_permission(request), model
    assert DailyClose in admin.site._registry

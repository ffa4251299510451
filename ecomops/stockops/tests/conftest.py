"""Fixtures of the warehouse operations tests (WMS-08, WMS-09, WMS-12): the inventory core's ``stock``
world (warehouses HZ and SH, bins, SKUs of clients A and B, a keeper granted A) plus keepers on both
sides of a transfer, a counter, a supervisor who approves, a samples bin and a keeper of client B."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client as HttpClient

from ecomops.inventory import actions as inventory
from ecomops.inventory.enums import BinKind
from ecomops.inventory.tests.conftest import KEEPER_PERMS, give, make_sku, stock  # noqa: F401
from ecomops.org.models import ClientGrant

VIEW = ("stockops.view_transfer", "stockops.view_countsheet", "stockops.view_scrapnote", "stockops.view_sampleloan")
KEEPER = (*KEEPER_PERMS, *VIEW, "org.view_client", "org.view_store",
          "stockops.add_transfer", "stockops.change_transfer", "stockops.ship_transfer", "stockops.receive_transfer",
          "stockops.add_countsheet", "stockops.change_countsheet", "stockops.add_scrapnote",
          "stockops.change_scrapnote", "stockops.add_sampleloan", "stockops.change_sampleloan")
SUPERVISOR = (*KEEPER, "stockops.approve_countsheet", "stockops.approve_scrapnote", "stockops.settle_transfer",
              "stockops.approve_sampleloanextension")


def make_user(username, *perms, client=None):
    user = get_user_model().objects.create_user(username=username, password="x")
    give(user, *perms)
    if client is not None:
        ClientGrant.objects.create(user=user, client=client)
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def ops(stock, org):  # noqa: F811
    s = stock
    s.keeper = make_user("hz_keeper", *KEEPER, client=org.client_a)
    s.keeper2 = make_user("sh_keeper", *KEEPER, client=org.client_a)
    s.counter = make_user("counter", *KEEPER, client=org.client_a)
    s.supervisor = make_user("supervisor", *SUPERVISOR, client=org.client_a)
    s.keeper_b = make_user("keeper_b", *SUPERVISOR, client=org.client_b)
    s.finance = make_user("finance", "org.view_client")
    s.b2 = inventory.create_bin(s.wh2, user=s.admin, code="B-01-02")
    s.samples = inventory.create_bin(s.wh, user=s.admin, code="SMP-01", kind=BinKind.SAMPLES)
    s.wh.supervisor = s.supervisor
    s.wh.save()
    s.make_sku = make_sku
    return s


class Api:
    def __init__(self, user):
        self.http = HttpClient()
        self.http.force_login(user)

    def _url(self, path: str) -> str:
        return f"/api/v1/{path}"

    def get(self, path, params=None):
        return self.http.get(self._url(path), params or {})

    def post(self, path, body=None):
        return self.http.post(self._url(path), json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def api():
    return Api

"""Helpers of the page, API, close, report and hold tests (imported by those modules; the core's
conftest stays as it is): the ``wh`` fixture adds to ``stock`` a supervisor-keeper with the rights of
the pages, a keeper of client B only, and a sales person for customer holds."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client as HttpClient

from ecomops.inventory.tests.conftest import KEEPER_PERMS, give
from ecomops.org.models import ClientGrant

PAGE_PERMS = (
    "inventory.view_reversal", "inventory.view_dailyclose", "inventory.close_day", "inventory.view_customerhold",
    "inventory.add_customerhold", "inventory.change_customerhold", "inventory.view_zone", "inventory.view_bin",
    "inventory.view_lot",
)
SALES_PERMS = ("inventory.view_customerhold", "inventory.add_customerhold", "inventory.change_customerhold",
               "inventory.view_stockbalance")


def fresh(user):
    return get_user_model().objects.get(pk=user.pk)


def make_user(username, *perms, client=None):
    user = get_user_model().objects.create_user(username=username, password="x")
    give(user, *perms)
    if client is not None:
        ClientGrant.objects.create(user=user, client=client)
    return fresh(user)


@pytest.fixture
def wh(stock):
    give(stock.keeper, *PAGE_PERMS)
    stock.keeper = fresh(stock.keeper)
    stock.keeper_b = make_user("keeper_b", *KEEPER_PERMS, *PAGE_PERMS, client=stock.org.client_b)
    stock.sales = make_user("sales_a", *SALES_PERMS, client=stock.org.client_a)
    return stock


class Api:
    """JSON calls to /api/v1 with a user's session."""

    def __init__(self, user):
        self.http = HttpClient()
        self.http.force_login(user)

    def get(self, path, params=None):
        return self.http.get(f"/api/v1/{path}", params or {})

    def post(self, path, body=None):
        return self.http.post(f"/api/v1/{path}", json.dumps(body or {}), content_type="application/json")


def web(user) -> HttpClient:
    client = HttpClient()
    client.force_login(user)
    return client

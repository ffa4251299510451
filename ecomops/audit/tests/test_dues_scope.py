"""DAT-04 due items under DAT-02 / AGY-07: an item of a client or a store is raised only to people who
may see it (falling back to someone who may), and a person's lists never show an item of a client they
cannot see."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from ecomops.audit import dues
from ecomops.audit.models import DueItem

DUE = timezone.now() + timedelta(days=1)


def owners(items) -> list[str]:
    return sorted(item.owner.username for item in items)


def _raise(**kwargs):
    return dues.raise_dues(kind=kwargs.pop("kind", "test.item"), title="事项", due_at=DUE, **kwargs)


def test_dat02_a_clients_item_goes_only_to_people_who_see_the_client(org):
    assert owners(_raise(owners=[org.user_a, org.user_b, org.user_a1], client=org.client_a)) == ["user_a"]
    # A store grant sees the store's items, not the client's own (the DueItem scope rule).
    assert owners(_raise(kind="store.item", owners=[org.user_a1, org.user_b], store=org.store_a1)) == ["user_a1"]
    item = DueItem.objects.get(kind="store.item")
    assert item.client == org.client_a and item.store == org.store_a1


def test_dat02_when_nobody_given_may_see_it_the_fallback_and_then_the_superusers_get_it(org):
    assert owners(_raise(kind="k1", owners=[org.user_b], client=org.client_a, fallback=[org.user_b, org.user_a]))\
        == ["user_a"]
    assert owners(_raise(kind="k2", owners=[org.user_b], client=org.client_a, fallback=lambda: [org.user_a1]))\
        == ["admin"]
    assert owners(_raise(kind="k3", owners=[], client=org.client_b)) == ["admin"]
    single = dues.raise_due(kind="k4", owner=org.user_b, title="事项", due_at=DUE, client=org.client_a)
    assert single.owner == org.admin
    assert not DueItem.objects.filter(owner=org.user_b).exists()


def test_dat02_the_client_and_store_are_taken_from_the_source(org):
    """A caller that names neither still raises a scoped item: the source's own client and store."""
    items = _raise(owners=[org.user_a, org.user_b], source=org.store_b1)
    assert owners(items) == ["user_b"]
    assert (items[0].client, items[0].store) == (org.client_b, org.store_b1)


def test_dat04_the_companys_own_items_go_to_whoever_they_are_given_to(org):
    assert owners(_raise(owners=[org.user_b, org.nobody])) == ["nobody", "user_b"]


@pytest.fixture
def mixed_items(org):
    """Items of user_a: one of client A, one of the company, and one of client B raised before this rule."""
    make = DueItem.objects.create
    return [make(kind="k", title="甲的事项", owner=org.user_a, due_at=DUE, client=org.client_a, source_id="1"),
            make(kind="k", title="公司事项", owner=org.user_a, due_at=DUE, source_id="2"),
            make(kind="k", title="乙的到货通知", owner=org.user_a, due_at=DUE, client=org.client_b, source_id="3"),
            make(kind="k", title="乙店的事项", owner=org.user_a, due_at=DUE, client=org.client_b, store=org.store_b1,
                 source_id="4")]


def test_dat02_my_due_items_in_the_api_hide_other_clients_items(org, mixed_items):
    http = HttpClient()
    http.force_login(org.user_a)
    body = http.get("/api/v1/me/due-items").json()
    assert sorted(i["title"] for i in body["items"]) == ["公司事项", "甲的事项"] and body["count"] == 2
    assert "乙" not in http.get("/api/v1/me/due-items", {"open": "true"}).content.decode()
    assert "乙" not in http.get("/api/v1/me/due-items", {"late": "false"}).content.decode()


def test_dat02_the_home_page_hides_other_clients_items(org, mixed_items):
    http = HttpClient()
    http.force_login(org.user_a)
    page = http.get(reverse("home")).content.decode()
    assert "甲的事项" in page and "公司事项" in page and "乙的到货通知" not in page and "乙店的事项" not in page


def test_dat02_a_user_seeing_every_client_sees_all_their_items(org):
    for n, client in enumerate([org.client_a, org.client_b, None]):
        DueItem.objects.create(kind="k", title=f"事项{n}", owner=org.admin, due_at=DUE, client=client, source_id=n)
    assert DueItem.objects.of_user(org.admin).count() == 3


def test_dat02_the_warehouse_owner_pickers_keep_to_the_client(org):
    """WMS-12 / WMS-16: a warehouse's supervisor of another client is not picked for a client's matter;
    for the company's own (packaging, promotions) the warehouse's people are."""
    from ecomops.inventory import actions as stock
    from ecomops.inventory.models import Warehouse
    from ecomops.stockops.actions import warehouse_supervisors
    from ecomops.supply.owners import purchasing_finance_owners, warehouse_owners

    wh = stock.create_warehouse(user=org.admin, code="HZ", name="杭州仓")
    Warehouse.objects.filter(pk=wh.pk).update(supervisor=org.user_b)
    wh.refresh_from_db()
    assert warehouse_supervisors(wh, org.client_b.pk) == [org.user_b]
    assert warehouse_supervisors(wh, org.client_a.pk) == [org.admin]
    assert warehouse_owners(wh, org.client_a.pk) == [org.admin] and org.user_b in warehouse_owners(wh)
    assert org.user_b not in purchasing_finance_owners(org.client_a.pk)

"""WMS-15 arrival notices under DAT-02 / AGY-07: the notice of a client's receipt goes only to the sales
and warehouse people who see that client — a warehouse clerk of another client (the demo's cangku)
never gets it — and each owner can open it from their list."""

from __future__ import annotations

from django.test import Client as HttpClient

from ecomops.audit.models import DueItem
from ecomops.org.models import ClientGrant
from ecomops.receiving import actions

from .conftest import person


def test_wms15_arrival_notice_goes_only_to_people_who_see_the_client(rc):
    org = rc.stock.org
    ClientGrant.objects.create(user=rc.wh_clerk, client=org.client_a)
    clerk_b = person("cangku_b", position="warehouse_clerk", client=org.client_b, admin=rc.stock.admin)
    receipt = rc.booked((rc.sku, 10))
    actions.record_sample(receipt, rc.line(receipt, rc.sku), user=rc.inspector, failed=0)
    actions.put_away(receipt, user=rc.keeper, sku=rc.sku, bin=rc.stock.a1, quantity=10)
    notices = DueItem.objects.filter(kind=actions.NOTICE_DUE_KIND)
    owners = set(notices.values_list("owner__username", flat=True))
    assert {"sales_a", "wh_clerk"} <= owners
    assert not owners & {"cangku_b", "sales_b"}
    assert set(notices.values_list("client", flat=True)) == {org.client_a.pk}
    # The other client's clerk sees nothing of it in their list.
    http = HttpClient()
    http.force_login(clerk_b)
    assert http.get("/api/v1/me/due-items").json()["count"] == 0


def test_wms15_a_warehouse_clerk_without_the_client_is_not_an_owner(rc):
    receipt = rc.booked((rc.sku, 4))
    owners = {u.username for u in actions._notice_owners(receipt)}
    assert "sales_a" in owners and "wh_clerk" not in owners and "sales_b" not in owners

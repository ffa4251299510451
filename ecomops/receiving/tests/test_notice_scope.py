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


def test_wms15_the_owner_acknowledges_the_notice_on_the_receipt_page(rc):
    """Issue 15: the salesperson who got the arrival notice opens it from home (sales_cs may view
    receipts by default) and marks it read with one button; the button is gone afterwards, the due item
    is done, and somebody else's notice is untouched."""
    ClientGrant.objects.create(user=rc.wh_clerk, client=rc.stock.org.client_a)
    receipt = rc.booked((rc.sku, 6))
    actions.record_sample(receipt, rc.line(receipt, rc.sku), user=rc.inspector, failed=0)
    actions.put_away(receipt, user=rc.keeper, sku=rc.sku, bin=rc.stock.a1, quantity=6)
    mine = DueItem.objects.get(kind=actions.NOTICE_DUE_KIND, owner=rc.sales)
    http = HttpClient()
    http.force_login(rc.sales)
    page = http.get(mine.link)
    assert page.status_code == 200 and b'data-testid="acknowledge-notice"' in page.content
    done = http.post(f"/receiving/{receipt.pk}/acknowledge/", follow=True)
    assert done.status_code == 200 and "已确认知悉到货通知" in done.content.decode()
    assert b'data-testid="acknowledge-notice"' not in done.content
    mine.refresh_from_db()
    assert mine.done_at is not None and mine.done_by == rc.sales
    others = DueItem.objects.filter(kind=actions.NOTICE_DUE_KIND).exclude(owner=rc.sales)
    assert others.exists() and not others.filter(done_at__isnull=False).exists()
    # Another client's salesperson cannot reach the receipt at all.
    http.force_login(rc.sales_b)
    assert http.post(f"/receiving/{receipt.pk}/acknowledge/").status_code == 404


def test_wms13_another_clients_open_receipt_blocks_the_close_but_is_shown_without_a_link(rc):
    """Issue 15 / WMS-13: the warehouse's day closes only when every document of every client is done,
    so a clerk of one client is told about another client's open receipt (number and what is missing)
    but gets no link to a page that would answer 404; the receipt's own client's people get the link."""
    from django.utils import timezone

    from ecomops.inventory import closing

    receipt = rc.receipt(rc.po((rc.sku, 5)), (rc.sku, 5, 5))
    blocking = closing.open_documents(rc.stock.wh, timezone.localdate())
    assert [number for _label, number, *_ in blocking] == [receipt.number]
    [(label, number, description, url)] = closing.as_seen_by(rc.receiver_b, blocking)
    assert (number, url) == (receipt.number, "") and description
    [(_label, _number, _description, url)] = closing.as_seen_by(rc.receiver, blocking)
    assert url == f"/receiving/{receipt.pk}/"
    http = HttpClient()
    http.force_login(rc.receiver_b)
    assert http.get(f"/receiving/{receipt.pk}/").status_code == 404

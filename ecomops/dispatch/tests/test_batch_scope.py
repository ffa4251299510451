"""DAT-02 / AGY-07 on ship batches (ORD-05): a wave is shared by every client, so a person's print or
assign touches only the orders they may see. Printing is recorded per entry; the batch is printed when
its last entry is; the pick list, the pages and the API show only the person's part."""

from __future__ import annotations

from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client as HttpClient
from django.urls import reverse

from ecomops.core.errors import Conflict
from ecomops.dispatch import actions, picklist
from ecomops.dispatch.models import BatchOrder, BatchState, LateFlag, ShipBatch
from ecomops.orders import actions as order_actions
from ecomops.orders.actions import LineInput
from ecomops.orders.enums import OrderState
from ecomops.orders.models import Order
from ecomops.orders.tests.conftest import Api, new_order

from .test_batches import DAY, when

S = OrderState
# Client B's order: its number is long enough never to turn up by chance inside a page's random CSRF token.
B_ORDER = "MIXED-CLIENT-B-ORDER-0001"


def _grant(user, *perms):
    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def printers(od):
    both = ("dispatch.view_shipbatch", "dispatch.print_shipbatch")
    return _grant(od.clerk, *both), _grant(od.clerk_b, *both)


def _reviewed(user, store, number, *, placed=None):
    order = new_order(user, store, number, placed_at=placed or when(9),
                      lines=[LineInput(quantity=1, unit_price=Decimal("50.00"), platform_sku_code="P-1")])
    order_actions.mark_paid(order, user=user, paid_at=placed or when(9))
    Order.objects.filter(pk=order.pk).update(state=S.REVIEWED)
    return Order.objects.get(pk=order.pk)


@pytest.fixture
def mixed(od, org, printers):
    """One wave holding two orders of client A and one of client B."""
    a1 = _reviewed(od.clerk, org.store_a1, "MA1")
    a2 = _reviewed(od.clerk, org.store_a2, "MA2")
    b1 = _reviewed(od.clerk_b, org.store_b1, B_ORDER)
    assert actions.assign_many([a1.pk, a2.pk, b1.pk], at=when(9, 30)) == 3
    return a1, a2, b1, ShipBatch.objects.get()


def test_dat02_printing_a_shared_wave_prints_only_the_callers_orders(od, printers, mixed):
    clerk_a, clerk_b = printers
    a1, a2, b1, batch = mixed
    b_events = b1.events.count()
    response = Api(clerk_a).post(f"ship-batches/{batch.pk}/print")
    assert response.status_code == 200, response.content
    body = response.json()
    assert sorted(body["printed"]) == sorted([a1.pk, a2.pk]) and body["skipped"] == []
    assert B_ORDER not in response.content.decode() and b1.pk not in body["printed"]
    # The other client's order is untouched: still reviewed, its entry unprinted, no event in A's name.
    b1.refresh_from_db()
    assert b1.state == S.REVIEWED and b1.events.count() == b_events
    assert BatchOrder.objects.get(order=b1).printed_at is None
    entry = BatchOrder.objects.get(order=a1)
    assert entry.printed_at is not None and entry.printed_by == clerk_a
    # The wave is not printed while B's part waits; A's part reads as printed, B's as not.
    batch.refresh_from_db()
    assert batch.state == BatchState.OPEN and batch.printed_at is None
    assert body["batch"]["state"] == "printed" and body["batch"]["printed_orders"] == 2
    b_view = Api(clerk_b).get(f"ship-batches/{batch.pk}").json()
    assert b_view["state"] == "open" and b_view["printed_at"] is None and b_view["orders"] == 1
    assert [e["platform_order_no"] for e in b_view["entries"]] == [B_ORDER]
    # A again: nothing left to print for A.
    assert Api(clerk_a).post(f"ship-batches/{batch.pk}/print").status_code == 409
    # B prints its part; now the whole wave is printed.
    second = Api(clerk_b).post(f"ship-batches/{batch.pk}/print").json()
    assert second["printed"] == [b1.pk]
    batch.refresh_from_db()
    assert batch.state == BatchState.PRINTED and batch.printed_by == clerk_b and batch.printed_at is not None
    assert Order.objects.filter(state=S.AWAITING_SHIPMENT).count() == 3


def test_dat02_a_user_seeing_every_client_prints_the_whole_wave_at_once(org, mixed):
    a1, a2, b1, batch = mixed
    result = actions.print_batch(batch, user=org.admin)
    assert {o.pk for o in result.printed} == {a1.pk, a2.pk, b1.pk}
    batch.refresh_from_db()
    assert batch.state == BatchState.PRINTED and not BatchOrder.objects.filter(printed_at__isnull=True).exists()
    with pytest.raises(Conflict):
        actions.print_batch(batch, user=org.admin)


def test_dat02_the_print_page_and_its_messages_cover_only_the_users_part(od, printers, mixed):
    clerk_a, _clerk_b = printers
    a1, a2, b1, batch = mixed
    http = HttpClient()
    http.force_login(clerk_a)
    page = http.post(reverse("dispatch:batch_print", args=[batch.pk]), follow=True).content.decode()
    assert "已打印 2 单" in page and B_ORDER not in page
    assert Order.objects.get(pk=b1.pk).state == S.REVIEWED
    # The batch page and the board show A's part as printed, with the pick list and no print button.
    assert 'data-testid="print"' not in page and 'data-testid="pick-list"' in page
    board = http.get(reverse("dispatch:board") + "?day=2026-03-02").content.decode()
    assert "已打印" in board


def test_dat02_the_pick_list_lists_only_the_users_printed_orders(od, org, printers, mixed):
    clerk_a, _clerk_b = printers
    a1, a2, b1, batch = mixed
    actions.print_batch(batch, user=org.admin)
    listed = []
    real = picklist.ordered_entries

    def spy(*args, **kwargs):
        entries = real(*args, **kwargs)
        listed.extend(e.order.platform_order_no for e in entries)
        return entries

    http = HttpClient()
    http.force_login(clerk_a)
    with mock.patch.object(picklist, "ordered_entries", spy):
        pdf = http.get(reverse("dispatch:batch_pdf", args=[batch.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert sorted(listed) == ["MA1", "MA2"]


def test_dat02_the_print_right_is_checked_before_anything_else(od, org, mixed):
    """The view right alone neither prints nor assigns, in the API and on the pages."""
    a1, a2, b1, batch = mixed
    viewer = _grant(od.cs, "dispatch.view_shipbatch")
    assert Api(viewer).post(f"ship-batches/{batch.pk}/print").status_code == 403
    assert Api(viewer).post("ship-batches/assign").status_code == 403
    http = HttpClient()
    http.force_login(viewer)
    assert http.post(reverse("dispatch:batch_print", args=[batch.pk])).status_code == 403
    assert http.post(reverse("dispatch:assign")).status_code == 403
    assert not BatchOrder.objects.filter(printed_at__isnull=False).exists()


def test_dat02_assign_takes_only_the_callers_reviewed_orders(od, org, printers):
    clerk_a, _clerk_b = printers
    mine = _reviewed(od.clerk, org.store_a1, "PA1")
    theirs = _reviewed(od.clerk_b, org.store_b1, "PB1")
    response = Api(clerk_a).post("ship-batches/assign")
    assert response.json() == {"assigned": 1}
    assert BatchOrder.objects.filter(order=mine).exists() and not BatchOrder.objects.filter(order=theirs).exists()
    http = HttpClient()
    http.force_login(clerk_a)
    http.post(reverse("dispatch:assign"))
    assert not BatchOrder.objects.filter(order=theirs).exists()
    # The scheduled run (no user) still takes every client's.
    assert actions.assign_pending() == 1 and BatchOrder.objects.filter(order=theirs).exists()


def test_ord05_late_flags_follow_each_entrys_print_time(od, org, printers):
    """A's part printed in time is not late; B's part of the same wave, never printed, is."""
    clerk_a, _clerk_b = printers
    a1 = _reviewed(od.clerk, org.store_a1, "LA1", placed=when(9))
    b1 = _reviewed(od.clerk_b, org.store_b1, "LB1", placed=when(9))
    actions.assign_many([a1.pk, b1.pk], at=when(9, 30))
    with mock.patch("django.utils.timezone.now", return_value=when(10)):
        actions.print_batch(ShipBatch.objects.get(), user=clerk_a)
    assert actions.flag_late(DAY, at=when(17, 31)) == 1
    assert list(LateFlag.objects.values_list("order__platform_order_no", flat=True)) == ["LB1"]


def test_dat02_a_late_joiner_of_a_printed_wave_can_still_be_printed(od, org, printers, mixed):
    """An entry that joined while the last part was being printed is not stranded."""
    a1, a2, b1, batch = mixed
    actions.print_batch(batch, user=org.admin)
    straggler = _reviewed(od.clerk, org.store_a1, "MA9")
    BatchOrder.objects.create(batch=batch, order=straggler, joined_at=when(9, 40))
    clerk_a, _clerk_b = printers
    assert Api(clerk_a).get(f"ship-batches/{batch.pk}").json()["state"] == "closed"
    assert actions.print_batch(batch, user=clerk_a).printed == [straggler]

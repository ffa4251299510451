"""ORD-05: ship batches by the policy's cut-offs, SF Express first in the last batch, printing with the
ORD-04 payment check, and the 17:00 same-day flag against the clerk."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.test import Client as HttpClient
from django.urls import reverse

from ecomops.audit.models import DueItem
from ecomops.dispatch import actions
from ecomops.dispatch.models import BatchOrder, BatchState, LateFlag, ShipBatch
from ecomops.orders import actions as order_actions
from ecomops.orders.actions import LineInput
from ecomops.orders.enums import OrderState
from ecomops.orders.models import Order
from ecomops.orders.tests.conftest import SH, new_order

S = OrderState
DAY = datetime(2026, 3, 2, tzinfo=SH).date()


def when(hour, minute=0, second=0, day=2):
    return datetime(2026, 3, day, hour, minute, second, tzinfo=SH)


@pytest.fixture
def clerk(od):
    for perm in ("dispatch.view_shipbatch", "dispatch.print_shipbatch"):
        app, codename = perm.split(".")
        od.clerk.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=od.clerk.pk)


def reviewed(od, org, number, *, placed=None, courier="", paid=True):
    order = new_order(od.clerk, org.store_a1, number, placed_at=placed or when(9),
                      lines=[LineInput(quantity=1, unit_price=Decimal("50.00"), platform_sku_code="P-1")])
    if paid:
        order_actions.mark_paid(order, user=od.clerk, paid_at=(placed or when(9)))
    Order.objects.filter(pk=order.pk).update(state=S.REVIEWED, courier=courier)
    return Order.objects.get(pk=order.pk)


@pytest.mark.parametrize(("at", "seq", "day"), [
    (when(8, 0), 1, 2), (when(10, 29, 59), 1, 2), (when(10, 30, 0), 1, 2), (when(10, 30, 1), 2, 2),
    (when(12, 0), 2, 2), (when(16, 31), 5, 2), (when(17, 30), 5, 2), (when(17, 30, 1), 1, 3), (when(23, 59), 1, 3),
])
def test_ord05_an_order_joins_the_first_cutoff_at_or_after_its_review(db, at, seq, day):
    got_day, got_seq, cutoff, is_last, citation = actions.slot_for(at)
    assert (got_day.day, got_seq) == (day, seq) and "ORD-05" in citation
    assert is_last == (seq == 5)


def test_ord05_assign_creates_each_batch_once_and_an_order_joins_once(od, org):
    first = reviewed(od, org, "A1")
    second = reviewed(od, org, "A2")
    assert actions.assign(first, at=when(11)).batch.number == "SB20260302-2"
    assert actions.assign(second, at=when(11, 30)).batch == BatchOrder.objects.get(order=first).batch
    assert actions.assign(first, at=when(13)) is None  # already in a batch
    assert ShipBatch.objects.count() == 1
    batch = ShipBatch.objects.get()
    assert batch.cutoff == time(12, 0) and not batch.is_last


def test_ord05_sf_express_first_only_in_the_last_batch(od, org):
    for n, courier in enumerate(["zto", "sf_express", "yto", "sf_express"]):
        order = reviewed(od, org, f"L{n}", courier=courier)
        Order.objects.filter(pk=order.pk).update(paid_at=when(9, n))
        actions.assign(Order.objects.get(pk=order.pk), at=when(17, 10))
        actions.assign(reviewed(od, org, f"E{n}", courier=courier), at=when(10, 0))
    last = ShipBatch.objects.get(seq=5)
    assert last.is_last
    couriers = [e.order.courier for e in actions.ordered_entries(last)]
    assert couriers == ["sf_express", "sf_express", "zto", "yto"]
    early = [e.order.platform_order_no for e in actions.ordered_entries(ShipBatch.objects.get(seq=1))]
    assert early == ["E0", "E1", "E2", "E3"]  # payment order, no carrier priority


def test_ord04_printing_takes_unpaid_and_changed_orders_out_and_moves_the_rest(od, org, clerk):
    good = reviewed(od, org, "P1")
    unpaid = reviewed(od, org, "P2", paid=False)
    for order in (good, unpaid):
        actions.assign(order, at=when(9))
    batch = ShipBatch.objects.get()
    result = actions.print_batch(batch, user=clerk)
    assert [o.platform_order_no for o in result.printed] == ["P1"]
    assert [(o.platform_order_no, why) for o, why in result.skipped] == [("P2", "未付款")]
    assert Order.objects.get(pk=good.pk).state == S.AWAITING_SHIPMENT
    assert Order.objects.get(pk=unpaid.pk).state == S.REVIEWED and not BatchOrder.objects.filter(order=unpaid)
    batch.refresh_from_db()
    assert batch.state == BatchState.PRINTED and batch.printed_by == clerk
    from ecomops.core.errors import Conflict, NotAllowed

    with pytest.raises(Conflict):
        actions.print_batch(batch, user=clerk)
    with pytest.raises(NotAllowed):
        actions.print_batch(batch, user=od.cs)


def test_ord05_orders_placed_before_1700_not_printed_by_the_last_cutoff_are_flagged(od, org, clerk):
    late = reviewed(od, org, "F1", placed=when(16, 59))
    after = reviewed(od, org, "F2", placed=when(17, 1))
    printed = reviewed(od, org, "F3", placed=when(9))
    actions.assign(printed, at=when(9, 30))
    actions.print_batch(ShipBatch.objects.get(), user=clerk)
    ShipBatch.objects.update(printed_at=when(10, 0))
    BatchOrder.objects.update(printed_at=when(10, 0))  # printing is recorded per entry
    assert actions.flag_late(DAY, at=when(17, 29)) == 0  # not before the last cut-off
    assert actions.flag_late(DAY, at=when(17, 31)) == 1
    assert actions.flag_late(DAY, at=when(18, 0)) == 0  # once
    flag = LateFlag.objects.get()
    assert flag.order == late and "16:59" in flag.reason and "17:30" in flag.reason
    assert not LateFlag.objects.filter(order__in=[after, printed]).exists()
    assert DueItem.objects.filter(kind=actions.LATE_DUE_KIND, clause="ORD-05").exists()


def test_ord05_a_reviewed_order_joins_its_batch_when_the_review_commits(od, org, django_capture_on_commit_callbacks):
    from ecomops.inventory import actions as stock
    from ecomops.inventory.enums import DocKind
    from ecomops.inventory.ledger import DocRef, Move, post_moves
    from ecomops.orders import review

    wh = stock.create_warehouse(user=org.admin, code="HZ", name="杭州仓")
    bin_ = stock.create_bin(wh, user=org.admin, code="A-01")
    doc = DocRef(kind=DocKind.OPENING, id="1", number="O")
    lot = stock.open_lot(client=org.client_a, source=doc)
    post_moves([Move(sku_id=od.sku.pk, lot_id=lot.pk, quantity=3, to_bin=bin_)], doc=doc, user=org.admin)
    order = new_order(od.clerk, org.store_a1, "H1")
    order_actions.mark_paid(order, user=od.clerk, paid_at=when(9))
    with django_capture_on_commit_callbacks(execute=True):
        review.auto_review(user=od.clerk)
    assert BatchOrder.objects.filter(order=order).exists()


def test_ord05_board_batch_page_pick_list_and_scoping(od, org, clerk):
    # Long enough never to turn up by chance inside a page's random CSRF token ("V1" once did).
    number = "SCOPE-CHECK-ORDER-0001"
    order = reviewed(od, org, number, courier="sf_express")
    actions.assign(order, at=when(17, 0))
    batch = ShipBatch.objects.get()
    http = HttpClient()
    http.force_login(clerk)
    board = http.get(reverse("dispatch:board") + "?day=2026-03-02").content.decode()
    assert batch.number in board and "最后一批" in board
    assert number in http.get(reverse("dispatch:batch", args=[batch.pk])).content.decode()
    http.post(reverse("dispatch:batch_print", args=[batch.pk]))
    pdf = http.get(reverse("dispatch:batch_pdf", args=[batch.pk]))
    assert pdf["Content-Type"] == "application/pdf" and b"FontFile2" in pdf.content  # the CJK font is embedded
    other = HttpClient()
    for perm in ("dispatch.view_shipbatch",):
        app, codename = perm.split(".")
        od.clerk_b.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    other.force_login(od.clerk_b)
    assert other.get(reverse("dispatch:batch", args=[batch.pk])).status_code == 404
    assert number not in other.get(reverse("dispatch:board") + "?day=2026-03-02").content.decode()


def test_ord05_many_reviewed_orders_join_in_one_go_once(od, org):
    orders = [reviewed(od, org, f"M{n}") for n in range(3)]
    not_reviewed = new_order(od.clerk, org.store_a1, "M9")
    ids = [o.pk for o in orders] + [not_reviewed.pk]
    assert actions.assign_many(ids, at=when(11)) == 3
    assert actions.assign_many(ids, at=when(11, 5)) == 0  # already in
    assert set(BatchOrder.objects.values_list("batch__seq", flat=True)) == {2}
    # A wave already printed sends later orders on to the next open one.
    ShipBatch.objects.update(state=BatchState.PRINTED)
    late = reviewed(od, org, "M4")
    assert actions.assign_many([late.pk], at=when(11, 10)) == 1
    assert BatchOrder.objects.get(order=late).batch.seq == 3


def test_ord05_api_lists_the_day_shows_print_order_prints_and_is_scoped(od, org, clerk):
    from ecomops.orders.tests.conftest import Api

    plain = reviewed(od, org, "W1")
    sf = reviewed(od, org, "W2", courier="sf_express")
    unpaid = reviewed(od, org, "W3", paid=False)
    for order in (plain, sf, unpaid):
        actions.assign(order, at=when(17, 0))
    batch = ShipBatch.objects.get()
    api = Api(clerk)
    listed = api.get("ship-batches", {"day": "2026-03-02"}).json()
    assert [(b["number"], b["seq"], b["is_last"], b["orders"]) for b in listed] == [(batch.number, 5, True, 3)]
    assert api.get("ship-batches", {"day": "2026-13-40"}).status_code == 422
    detail = api.get(f"ship-batches/{batch.pk}").json()
    assert [e["platform_order_no"] for e in detail["entries"]][0] == "W2"  # SF first in the last batch
    printed = api.post(f"ship-batches/{batch.pk}/print").json()
    assert sorted(printed["printed"]) == sorted([plain.pk, sf.pk])
    assert printed["skipped"] == [{"order_id": unpaid.pk, "platform_order_no": "W3", "reason": "未付款"}]
    assert printed["batch"]["state"] == "printed"
    again = api.post(f"ship-batches/{batch.pk}/print")
    assert again.status_code == 409
    # Without the print right: refused; another client's clerk does not see the batch at all.
    for perm in ("dispatch.view_shipbatch",):
        app, codename = perm.split(".")
        od.clerk_b.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    other = Api(od.clerk_b)
    assert other.get(f"ship-batches/{batch.pk}").status_code == 404
    assert other.get("ship-batches", {"day": "2026-03-02"}).json()[0]["orders"] == 0
    # The print right is checked first (the view right alone never prints); with it, still 404.
    assert other.post(f"ship-batches/{batch.pk}/print").status_code == 403
    assert other.post("ship-batches/assign").status_code == 403
    od.clerk_b.user_permissions.add(Permission.objects.get(content_type__app_label="dispatch",
                                                           codename="print_shipbatch"))
    other = Api(od.clerk_b)
    assert other.post(f"ship-batches/{batch.pk}/print").status_code == 404
    assert Api(od.cs).get("ship-batches").status_code == 403
    # Late flags of the day, only the caller's.
    late = reviewed(od, org, "W4", placed=when(16, 0))
    assert actions.flag_late(DAY, at=when(18)) >= 1
    flags = api.get("ship-batches/late-flags", {"day": "2026-03-02"}).json()
    assert "W4" in {f["platform_order_no"] for f in flags} and late.pk
    assert other.get("ship-batches/late-flags", {"day": "2026-03-02"}).json() == []
    assigned = api.post("ship-batches/assign").json()
    assert assigned == {"assigned": 2}  # W4, and W3 taken out at printing (it still looks reviewed)

"""Discarding a packing-station check (作废, FUL-02/03, issue 18): a supervisor discards a check before its
parcel leaves, with a reason; the order is then checked again on a new check. ``start_check`` discards
a stale check by itself when the order's lines changed. Through the actions, the station page and the
API."""

from __future__ import annotations

import json

import pytest
from django.db import IntegrityError, transaction
from django.test import Client as HttpClient
from django.urls import reverse

from ecomops.core.errors import Conflict, NotAllowed
from ecomops.fulfilment import actions
from ecomops.fulfilment.enums import CheckState
from ecomops.fulfilment.models import PackCheck
from ecomops.orders import actions as order_actions
from ecomops.orders import review
from ecomops.orders.enums import OrderEventKind, OrderState
from ecomops.orders.models import Order, OrderLine

from .conftest import STATION, make_user
from .test_station import balance, refused, verified, weighed

C = CheckState
DISCARD = "fulfilment.discard_packcheck"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def boss(st):
    """A warehouse supervisor of client A: the station's rights and the right to discard a check."""
    return make_user("supervisor_a", *STATION, DISCARD, client=st.org.client_a)



def hold(st, order, reason="买家改地址"):
    return order_actions.hold(Order.objects.get(pk=order.pk), user=st.od.clerk, reason=reason)


def back_to_shipping(st, order) -> Order:
    """Released from the hold: reviewed and allocated again, then released to the warehouse."""
    order_actions.release_hold(Order.objects.get(pk=order.pk), user=st.od.clerk, reason="地址已确认")
    review.auto_review([order.pk], user=st.od.clerk)
    order = Order.objects.get(pk=order.pk)
    if order.state != OrderState.AWAITING_SHIPMENT:
        order = order_actions.release_to_shipping(order, user=st.od.clerk)
    Order.objects.filter(pk=order.pk).update(tracking_no=f"SF{order.platform_order_no}")
    order = Order.objects.get(pk=order.pk)
    assert order.state == OrderState.AWAITING_SHIPMENT
    return order


def test_a_packed_check_discarded_while_held_then_the_order_is_checked_and_packed_again(st, boss):
    order, check = verified(st, "D1", qty=2)
    actions.pack(check, user=st.packer, material=st.carton, quantity=1)
    assert balance(st) == 19
    hold(st, order)
    # Held: nothing changes by itself, the parcel may wait.
    assert PackCheck.objects.get(pk=check.pk).state == C.PACKED
    actions.discard_check(check, user=boss, reason="买家改地址，需重新面单")
    check.refresh_from_db()
    assert check.state == C.DISCARDED and check.discarded_by == boss and check.discarded_at is not None
    assert check.discard_reason == "买家改地址，需重新面单"
    assert check.history.first().history_change_reason.startswith("作废")
    assert balance(st) == 19  # the carton used is not returned by itself
    event = order.events.get(kind=OrderEventKind.CHECK_DISCARDED)
    assert event.actor == boss and event.note == "买家改地址，需重新面单"
    assert event.data == {"check": check.pk, "from": "packed", "packaging_returned": False, "auto": False}
    # A discarded check takes no more steps.
    for call in (lambda: actions.scan_item(check, st.od.sku.barcode, user=st.packer),
                 lambda: actions.finish_check(check, user=st.packer),
                 lambda: actions.pack(check, user=st.packer, material=st.carton, quantity=1),
                 lambda: actions.weigh(check, user=st.packer, weight_g=600)):
        assert "已作废" in refused(call).message
    assert isinstance(refused(actions.discard_check, check, user=boss, reason="再次"), Conflict)

    order = back_to_shipping(st, order)
    again = actions.start_check(order.tracking_no, user=st.packer)
    assert again.pk != check.pk and again.state == C.VERIFYING and actions.live_check(order) == again
    for _n in range(2):
        actions.scan_item(again, st.od.sku.barcode, user=st.packer)
    actions.pack(again, user=st.packer, material=st.carton, quantity=1)
    again.refresh_from_db()
    assert again.state == C.PACKED and balance(st) == 18
    assert PackCheck.objects.filter(order=order).count() == 2
    assert PackCheck.objects.live().filter(order=order).count() == 1
    kinds = list(order.events.order_by("at", "pk").values_list("kind", flat=True))
    steps = [k for k in kinds if k in (OrderEventKind.PACKED, OrderEventKind.CHECK_DISCARDED,
                                      OrderEventKind.CHECK_STARTED)]
    assert steps == [OrderEventKind.CHECK_STARTED, OrderEventKind.PACKED, OrderEventKind.CHECK_DISCARDED,
                     OrderEventKind.CHECK_STARTED, OrderEventKind.PACKED]


def test_one_live_check_per_order_in_the_database(st, boss):
    order, check = verified(st, "D2")
    with pytest.raises(IntegrityError), transaction.atomic():
        PackCheck.objects.create(order=order, started_by=st.packer)
    actions.discard_check(check, user=boss, reason="重新验货")
    PackCheck.objects.create(order=order, started_by=st.packer)  # beside the discarded one


def test_discard_is_refused_after_the_handover(st, boss):
    order, check = weighed(st, "D3")
    handover = actions.open_handover("sf_express", st.wh.hz, user=st.packer)
    actions.scan_out(handover, order.tracking_no, user=st.packer)
    late = refused(actions.discard_check, check, user=boss, reason="买家改地址")
    assert isinstance(late, Conflict) and "已交接出库" in late.message and "D3" in late.message
    assert PackCheck.objects.get(pk=check.pk).state == C.HANDED_OVER
    assert not Order.objects.get(pk=order.pk).events.filter(kind=OrderEventKind.CHECK_DISCARDED).exists()


def test_discard_needs_a_reason(st, boss):
    order, check = weighed(st, "D4")
    for blank in ("", "   ", None):
        missing = refused(actions.discard_check, check, user=boss, reason=blank)
        assert missing.field == "reason" and missing.message == "请填写作废原因"
    assert refused(actions.discard_check, check, user=boss, reason="x" * 201).field == "reason"
    assert PackCheck.objects.get(pk=check.pk).state == C.WEIGHED
    assert not order.events.filter(kind=OrderEventKind.CHECK_DISCARDED).exists()


def test_discard_needs_the_right(st):
    order, check = verified(st, "D5")
    with pytest.raises(NotAllowed):
        actions.discard_check(check, user=st.packer, reason="买家改地址")
    assert PackCheck.objects.get(pk=check.pk).state == C.VERIFIED
    assert not order.events.filter(kind=OrderEventKind.CHECK_DISCARDED).exists()


def test_another_clients_check_is_not_found_in_the_same_words(st):
    _order, check = verified(st, "D6")
    boss_b = make_user("supervisor_b", *STATION, DISCARD, client=st.org.client_b)
    hidden = refused(actions.discard_check, check, user=boss_b, reason="买家改地址")
    absent = refused(actions.discard_check, PackCheck(pk=check.pk + 1000), user=boss_b, reason="买家改地址")
    assert hidden.code == absent.code == "not_found" and hidden.message == absent.message == "验货记录不存在"
    assert PackCheck.objects.get(pk=check.pk).state == C.VERIFIED


def test_start_check_discards_a_stale_check_whose_lines_changed(st):
    order, check = verified(st, "D7", qty=2)
    actions.pack(check, user=st.packer, material=st.carton, quantity=1)
    hold(st, order, reason="买家加购一件")
    OrderLine.objects.filter(order=order).update(quantity=3)
    order = back_to_shipping(st, order)
    fresh = actions.start_check(order.tracking_no, user=st.packer)
    check.refresh_from_db()
    assert check.state == C.DISCARDED and check.discard_reason == "订单明细已变更" and check.discarded_by == st.packer
    assert fresh.pk != check.pk and fresh.state == C.VERIFYING
    assert [(x.expected, x.scanned) for x in fresh.lines.all()] == [(3, 0)]
    event = order.events.get(kind=OrderEventKind.CHECK_DISCARDED)
    assert event.note == "订单明细已变更" and event.data["auto"] is True and event.data["from"] == "packed"
    assert balance(st) == 19  # the first carton stays used


def test_start_check_still_refuses_a_packed_check_whose_lines_match_and_names_the_way_out(st, boss):
    order, check = verified(st, "D8")
    actions.pack(check, user=st.packer, material=st.carton, quantity=1)
    hold(st, order)
    order = back_to_shipping(st, order)
    again = refused(actions.start_check, order.tracking_no, user=st.packer)
    assert isinstance(again, Conflict) and "已打包" in again.message and "作废" in again.message
    assert PackCheck.objects.get(pk=check.pk).state == C.PACKED
    actions.discard_check(check, user=boss, reason="重新验货")
    assert actions.start_check(order.tracking_no, user=st.packer).pk != check.pk


def test_start_check_resumes_a_verifying_check_whose_lines_match(st):
    order = st.ready("D9", qty=2)
    check = actions.start_check(order.tracking_no, user=st.packer)
    actions.scan_item(check, st.od.sku.barcode, user=st.packer)
    hold(st, order)
    order = back_to_shipping(st, order)
    assert actions.start_check(order.tracking_no, user=st.packer).pk == check.pk
    assert not order.events.filter(kind=OrderEventKind.CHECK_DISCARDED).exists()


# --- the station page and the API -------------------------------------------------------------------------


def http(user) -> HttpClient:
    client = HttpClient()
    client.force_login(user)
    return client


def test_the_station_shows_the_discard_form_to_a_supervisor_only_and_discards(st, boss):
    order, check = verified(st, "DP1")
    actions.pack(check, user=st.packer, material=st.carton, quantity=1)
    hold(st, order, reason="买家改地址")
    url = reverse("fulfilment:station") + f"?check={check.pk}"
    mine = http(st.packer).get(url).content.decode()
    assert 'data-testid="held-info"' in mine and 'data-testid="discard-form"' not in mine
    assert http(st.packer).post(reverse("fulfilment:station_discard"),
                                {"check": check.pk, "reason": "x"}).status_code == 403
    client = http(boss)
    page = client.get(url).content.decode()
    assert 'data-testid="discard-form"' in page and 'hx-post="/fulfilment/discard/"' in page
    blank = client.post(reverse("fulfilment:station_discard"), {"check": check.pk, "reason": ""}, **HTMX)
    assert 'role="alert"' in blank.content.decode() and "请填写作废原因" in blank.content.decode()
    done = client.post(reverse("fulfilment:station_discard"), {"check": check.pk, "reason": "买家改地址"},
                       **HTMX).content.decode()
    assert "已作废订单 DP1 的验货记录" in done and 'data-testid="check-card"' not in done
    shown = client.get(url).content.decode()
    assert 'data-testid="discarded-info"' in shown and "买家改地址" in shown and "supervisor_a" in shown
    assert 'data-testid="discard-form"' not in shown
    # Another client's supervisor: not found.
    boss_b = make_user("supervisor_b", *STATION, DISCARD, client=st.org.client_b)
    assert http(boss_b).post(reverse("fulfilment:station_discard"),
                             {"check": check.pk, "reason": "x"}).status_code == 404


def test_the_api_discards_a_check(st, boss):
    order, check = verified(st, "DA1")
    client = http(boss)

    def post(check_id, body):
        return client.post(f"/api/v1/fulfilment/checks/{check_id}/discard", json.dumps(body),
                           content_type="application/json")

    blank = post(check.pk, {"reason": ""})
    assert blank.status_code == 400 and blank.json()["error"]["field"] == "reason"
    assert post(check.pk, {}).status_code == 400
    assert http(st.packer).post(f"/api/v1/fulfilment/checks/{check.pk}/discard", json.dumps({"reason": "x"}),
                                content_type="application/json").status_code == 403
    boss_b = make_user("supervisor_b", *STATION, DISCARD, client=st.org.client_b)
    assert http(boss_b).post(f"/api/v1/fulfilment/checks/{check.pk}/discard", json.dumps({"reason": "x"}),
                             content_type="application/json").status_code == 404
    done = post(check.pk, {"reason": "买家改地址"})
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["state"] == "discarded" and body["discard_reason"] == "买家改地址" and body["discarded_at"]
    assert post(check.pk, {"reason": "再次"}).status_code == 409
    assert order.events.filter(kind=OrderEventKind.CHECK_DISCARDED).count() == 1


def test_the_seeded_supervisor_may_discard_but_not_the_packer(st):
    from ecomops.org.models import Position

    supervisor = Position.objects.get(code="warehouse_supervisor").group.permissions
    packer = Position.objects.get(code="packer").group.permissions
    verifier = Position.objects.get(code="verifier_weigher").group.permissions
    assert supervisor.filter(codename="discard_packcheck").exists()
    assert not packer.filter(codename="discard_packcheck").exists()
    assert not verifier.filter(codename="discard_packcheck").exists()

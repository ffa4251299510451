"""Issue 15: the order list in bulk — batch actions on selected rows (scoped, per-action permission,
each order on its own, failures reported by order number), status tabs with counts in one grouped
query, search by order number / SKU / receiver / phone / tracking number (keyed hashes, nothing
decrypted), sorting by whitelisted columns, column choice and saved filters per user."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ecomops.core import crypto
from ecomops.dispatch.models import BatchOrder
from ecomops.orders import actions, bulk
from ecomops.orders.actions import LineInput
from ecomops.orders.enums import OrderEventKind, OrderState
from ecomops.orders.models import Order, OrderEvent, OrderListPreference, SavedOrderFilter
from ecomops.orders.queries import search_orders, tab_counts

from .conftest import CLERK, VIEW, at, make_user, new_order

S = OrderState
BULK = reverse("orders:bulk")
LIST = reverse("orders:orders")


def http(user):
    client = HttpClient()
    client.force_login(user)
    return client


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def post(user, act, orders, **data):
    return http(user).post(BULK, {"act": act, "ids": [o.pk for o in orders], **data})


def state(order) -> str:
    return Order.objects.get(pk=order.pk).state


# --- batch actions ------------------------------------------------------------------------------


def test_hold_several_orders_at_once_each_with_the_reason(od, org):
    third = new_order(od.clerk, org.store_a1, "TB1002")
    response = post(od.clerk, "hold", [od.a1, od.a2, third], text="买家要求暂缓发货", next="state=placed")
    assert response.status_code == 302 and response["Location"] == f"{LIST}?state=placed"
    assert [state(o) for o in (od.a1, od.a2, third)] == [S.ON_HOLD] * 3
    assert Order.objects.get(pk=od.a1.pk).exception_reason == "买家要求暂缓发货"
    assert OrderEvent.objects.filter(order=od.a2, kind=OrderEventKind.HELD, actor=od.clerk).exists()
    assert "挂起：3 成功，0 失败" in said(response)


def test_an_order_that_cannot_be_held_fails_alone_with_its_number_and_reason(od, org):
    cancelled = new_order(od.clerk, org.store_a1, "TB1003")
    actions.cancel(cancelled, user=od.clerk, reason="买家取消")
    response = post(od.clerk, "hold", [od.a1, cancelled], text="缺货")
    assert state(od.a1) == S.ON_HOLD and state(cancelled) == S.CANCELLED
    messages = said(response)
    assert "挂起：1 成功，1 失败" in messages
    assert any(m.startswith("TB1003：") and "已取消" in m for m in messages)


def test_release_hold_in_bulk_and_a_not_held_order_fails(od):
    actions.hold(od.a1, user=od.clerk, reason="核实地址")
    response = post(od.clerk, "release", [od.a1, od.a2], text="地址已核实")
    assert state(od.a1) == S.PLACED and state(od.a2) == S.PLACED
    assert "解除挂起：1 成功，1 失败" in said(response)
    assert any("JD2001" in m and "没有挂起" in m for m in said(response))


def test_hold_without_a_reason_does_nothing(od):
    response = post(od.clerk, "hold", [od.a1], text="  ")
    assert state(od.a1) == S.PLACED and any("原因" in m for m in said(response))


def test_another_clients_order_in_the_selection_refuses_everything(od):
    response = post(od.clerk, "hold", [od.a1, od.b1], text="x")
    assert response.status_code == 404
    assert state(od.a1) == S.PLACED  # nothing done, not even the user's own order
    # a store-only clerk and another store of the same client: not found either
    assert post(od.store_clerk, "note", [od.a1, od.a2], text="x").status_code == 404
    assert not OrderEvent.objects.filter(kind=OrderEventKind.NOTE).exists()
    assert post(od.clerk, "hold", [], text="x", ids="abc").status_code == 404


def test_an_action_needs_its_own_permission(od, org):
    viewer = make_user("viewer_a", *VIEW, client=org.client_a)
    assert post(viewer, "hold", [od.a1], text="x").status_code == 403
    assert post(viewer, "review", [od.a1]).status_code == 403
    assert state(od.a1) == S.PLACED
    # the page shows no batch button the user may not use, only the export of the selection
    body = http(viewer).get(LIST).content.decode()
    assert 'data-testid="bulk-hold"' not in body and 'data-testid="bulk-export"' in body
    body = http(od.clerk).get(LIST).content.decode()
    assert 'data-testid="bulk-hold"' in body and 'data-testid="bulk-ship_batch"' not in body  # no print right


def test_a_client_user_holding_the_permission_only_looks(od, org):
    from ecomops.org.models import ClientMember

    member = make_user("kehu_a", *CLERK, client=org.client_a)
    ClientMember.objects.create(user=member, client=org.client_a)
    assert post(member, "hold", [od.a1], text="x").status_code == 403
    assert state(od.a1) == S.PLACED


def test_empty_selection_and_unknown_act(od):
    response = post(od.clerk, "hold", [], text="x")
    assert response.status_code == 302 and "请先勾选订单" in said(response)
    response = post(od.clerk, "explode", [od.a1])
    assert response.status_code == 302 and "没有这个操作" in said(response)
    assert state(od.a1) == S.PLACED
    assert http(od.clerk).get(BULK).status_code == 405


def test_note_is_written_as_an_order_event(od):
    response = post(od.clerk, "note", [od.a1, od.a2], text="客户来电，改周末送")
    assert "添加备注：2 成功，0 失败" in said(response)
    notes = OrderEvent.objects.filter(kind=OrderEventKind.NOTE, note="客户来电，改周末送")
    assert set(notes.values_list("order_id", flat=True)) == {od.a1.pk, od.a2.pk}
    assert Order.objects.get(pk=od.a1.pk).merchant_note == ""  # the platform's note stays the platform's
    assert "客户来电" in http(od.clerk).get(reverse("orders:order_detail", args=[od.a1.pk])).content.decode()


def test_change_courier_in_bulk(od, org):
    same = new_order(od.clerk, org.store_a1, "TB1004", courier="sf_express")
    response = post(od.clerk, "courier", [od.a1, same], courier="sf_express", text="客户指定顺丰")
    assert Order.objects.get(pk=od.a1.pk).courier == "sf_express"
    assert "修改快递：1 成功，1 失败" in said(response)  # TB1004 already had it
    assert OrderEvent.objects.filter(order=od.a1, kind=OrderEventKind.COURIER_CHANGED).exists()
    response = post(od.clerk, "courier", [od.a2], courier="pigeon")
    assert Order.objects.get(pk=od.a2.pk).courier == "" and "请选择快递公司" in said(response)


def _awaiting_review(od, org, number):
    order = new_order(od.clerk, org.store_a1, number,
                      lines=[LineInput(quantity=1, unit_price=Decimal("100.00"), platform_sku_code="P-1")])
    actions.mark_paid(order, user=od.clerk, paid_at=at(2, 10))
    actions.submit_for_review(order, user=od.clerk)
    return Order.objects.get(pk=order.pk)


def test_review_in_bulk_reserves_stock_and_reports_the_shortage(od, org, wh):
    wh.put(wh.hz_bin, 1)
    first, second = _awaiting_review(od, org, "RV1"), _awaiting_review(od, org, "RV2")
    response = post(od.clerk, "review", [first, second, od.a1])
    assert state(first) == S.REVIEWED and state(second) == S.AWAITING_REVIEW
    messages = said(response)
    assert "审核：1 成功，2 失败" in messages
    assert any(m.startswith("RV2：") for m in messages) and any(m.startswith("TB1001：") for m in messages)


def test_review_leaves_an_order_of_an_open_review_batch_to_its_clerk(od, org, wh):
    from ecomops.orders import review

    wh.put(wh.hz_bin, 2)
    order = _awaiting_review(od, org, "RV3")
    Order.objects.filter(pk=order.pk).update(review_reasons=[{"rule": "no_notes", "message": "买家留言"}])
    batch = review.take_batch(user=od.cs)
    assert Order.objects.get(pk=order.pk).review_batch_id == batch.pk
    response = post(od.clerk, "review", [order])
    assert state(order) == S.AWAITING_REVIEW and any(batch.number in m for m in said(response))


def test_add_to_ship_batch_is_registered_by_dispatch(od, org, wh):
    wh.put(wh.hz_bin, 2)
    printer = make_user("printer_a", *CLERK, "dispatch.print_shipbatch", "dispatch.view_shipbatch",
                        client=org.client_a)
    assert "ship_batch" in bulk.ACTIONS
    reviewed = _awaiting_review(od, org, "SB1")
    actions.mark_reviewed(reviewed, user=od.clerk)  # its batch joins after the commit: not in this test
    assert not BatchOrder.objects.filter(order=reviewed).exists()
    assert post(od.clerk, "ship_batch", [reviewed]).status_code == 403  # no print right
    response = post(printer, "ship_batch", [reviewed, od.a1])
    assert BatchOrder.objects.filter(order=reviewed).exists()
    assert "加入发货批次：1 成功，1 失败" in said(response)
    response = post(printer, "ship_batch", [reviewed])
    assert any("已在发货批次" in m for m in said(response))
    assert 'data-testid="bulk-ship_batch"' in http(printer).get(LIST).content.decode()


def test_export_the_selection_only(od):
    from openpyxl import load_workbook

    response = post(od.clerk, "export", [od.a2])
    assert response.status_code == 200
    sheet = load_workbook(__import__("io").BytesIO(b"".join(response.streaming_content))).active
    numbers = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert numbers == ["JD2001"]
    assert post(od.clerk, "export", [od.a2, od.b1]).status_code == 404


def test_each_order_runs_in_its_own_transaction(od, org, monkeypatch):
    """A failure in the middle of one order's act leaves nothing of that order and keeps the others."""
    original = actions.hold

    def failing(order, *, user, reason):
        original(order, user=user, reason=reason)
        if order.platform_order_no == "JD2001":
            from ecomops.core.errors import BusinessError

            raise BusinessError("模拟失败")

    monkeypatch.setattr(actions, "hold", failing)
    response = post(od.clerk, "hold", [od.a1, od.a2], text="x")
    assert state(od.a1) == S.ON_HOLD and state(od.a2) == S.PLACED
    assert not OrderEvent.objects.filter(order=od.a2, kind=OrderEventKind.HELD).exists()
    assert "JD2001：模拟失败" in said(response)


# --- tabs ---------------------------------------------------------------------------------------


def test_tab_counts_come_from_one_grouped_query_over_the_users_filtered_orders(od, org):
    actions.hold(od.a1, user=od.clerk, reason="x")
    flagged = new_order(od.clerk, org.store_a1, "TB1005")
    Order.objects.filter(pk=flagged.pk).update(exception_reason="平台风险")
    with CaptureQueriesContext(connection) as queries:
        counts = tab_counts(od.clerk, store_id=None, state="on_hold")
    assert len(queries) == 1 and "GROUP BY" in queries[0]["sql"].upper()
    assert counts[""] == 3 and counts[S.ON_HOLD] == 1 and counts[S.PLACED] == 2 and counts["exception"] == 2
    assert tab_counts(od.clerk, store_id=org.store_a2.pk)[""] == 1  # the other filters apply
    assert tab_counts(od.clerk_b)[""] == 1  # the user's own scope


def test_the_list_shows_the_tabs_and_the_hold_tab_lists_held_orders(od):
    actions.hold(od.a1, user=od.clerk, reason="x")
    body = http(od.clerk).get(LIST, {"state": "on_hold"}).content.decode()
    assert 'data-tab="on_hold"' in body and 'data-tab="exception"' in body and 'data-tab="all"' in body
    assert "TB1001" in body and "JD2001" not in body
    body = http(od.clerk).get(LIST, {"exception": "1"}).content.decode()
    assert "TB1001" in body and "JD2001" not in body


# --- search -------------------------------------------------------------------------------------


def numbers(user, **filters) -> list[str]:
    return sorted(search_orders(user, **filters).values_list("platform_order_no", flat=True))


def test_search_by_order_number_and_nick_as_before(od):
    assert numbers(od.clerk, q="1001") == ["TB1001"]
    assert numbers(od.clerk, q="tea_lo") == ["JD2001", "TB1001"]


def test_search_by_sku_code_of_a_line(od, org):
    new_order(od.clerk, org.store_a1, "TB1006",
              lines=[LineInput(quantity=1, unit_price=Decimal("9.00"), platform_sku_code="OTHER-9")])
    assert numbers(od.clerk, q="TEA-001-250", kind="sku") == ["JD2001", "TB1001"]  # our SKU code
    assert numbers(od.clerk, q="OTHER-9", kind="sku") == ["TB1006"]  # the platform's code
    assert numbers(od.clerk, q="TEA-001", kind="sku") == []  # exact, not a substring


def test_search_by_receiver_and_phone_compares_keyed_hashes(od, org, monkeypatch):
    new_order(od.clerk, org.store_a2, "JD2002", receiver_name="李 四", receiver_phone="139-0000-1111")
    decrypted = []
    real = crypto.EncryptedTextField.from_db_value

    def spy(self, value, *args):
        decrypted.append(value)
        return real(self, value, *args)

    monkeypatch.setattr(crypto.EncryptedTextField, "from_db_value", spy)
    assert list(search_orders(od.clerk, q="李四", kind="receiver").values_list("platform_order_no", flat=True)) \
        == ["JD2002"]
    assert list(search_orders(od.clerk, q="13900001111", kind="phone").values_list("platform_order_no", flat=True)) \
        == ["JD2002"]
    assert not decrypted  # nothing decrypted to search
    monkeypatch.undo()
    assert numbers(od.clerk, q="张三丰", kind="receiver") == ["JD2001", "TB1001"]
    assert numbers(od.clerk, q="张三", kind="receiver") == []  # exact match only
    assert numbers(od.clerk_b, q="13812345678", kind="phone") == ["TB9001"]  # scoped


def test_search_by_tracking_number_of_the_order_or_a_parcel(od, org):
    from ecomops.orders import parcels
    from ecomops.orders.models import Parcel

    Order.objects.filter(pk=od.a2.pk).update(tracking_no="SF100200300")
    assert numbers(od.clerk, q="SF100200300", kind="tracking") == ["JD2001"]
    order = new_order(od.clerk, org.store_a1, "TB1007",
                      lines=[LineInput(quantity=2, unit_price=Decimal("10.00"), platform_sku_code="P-1")])
    actions.mark_paid(order, user=od.clerk, paid_at=at(2, 10))
    line = order.lines.get()
    parcels.split_order(order, user=od.clerk, parts=[{"lines": {line.pk: 1}}, {"lines": {line.pk: 1}}], reason="分开")
    Parcel.objects.filter(lines__order=order).update(tracking_no="YT777")
    assert numbers(od.clerk, q="YT777", kind="tracking") == ["TB1007"]


def test_search_page_keeps_the_kind(od):
    body = http(od.clerk).get(LIST, {"q": "张三丰", "kind": "receiver"}).content.decode()
    assert "TB1001" in body and 'value="receiver" selected' in body
    assert "TB1001" in http(od.clerk).get(LIST, {"q": "TB1001", "kind": "nonsense"}).content.decode()


# --- sorting ------------------------------------------------------------------------------------


def test_sorting_by_whitelisted_columns_with_a_stable_tie_break(od, org):
    extra = new_order(od.clerk, org.store_a1, "TB0999", amount="100.00")
    by_amount = list(search_orders(od.clerk, sort="amount").values_list("pk", flat=True))
    assert by_amount == sorted(by_amount)  # equal amounts: by id
    down = list(search_orders(od.clerk, sort="-no").values_list("platform_order_no", flat=True))
    assert down == ["TB1001", "TB0999", "JD2001"]
    assert extra.pk in by_amount
    default = list(search_orders(od.clerk).query.order_by)
    assert list(search_orders(od.clerk, sort="receiver_name").query.order_by) == default  # not whitelisted
    assert list(search_orders(od.clerk, sort="-password").query.order_by) == default
    body = http(od.clerk).get(LIST, {"sort": "-no"}).content.decode()
    assert body.index("TB1001") < body.index("JD2001") and 'aria-sort="descending"' in body
    assert http(od.clerk).get(LIST, {"sort": "store__client__name"}).status_code == 200


# --- columns ------------------------------------------------------------------------------------


def test_column_choice_is_remembered_per_user(od):
    client = http(od.clerk)
    assert 'data-col="buyer"' in client.get(LIST).content.decode()
    response = client.post(reverse("orders:list_columns"), {"show": ["store", "state", "courier"], "next": "q=T"})
    assert response["Location"] == f"{LIST}?q=T"
    body = client.get(LIST).content.decode()
    assert 'data-col="buyer"' not in body and 'data-col="courier"' in body and 'data-col="store"' in body
    assert "tea_lover" not in body
    assert 'data-col="buyer"' in http(od.cs).get(LIST).content.decode()  # another user: unchanged
    assert set(OrderListPreference.objects.get(user=od.clerk).hidden_columns) == {
        "buyer", "placed", "amount", "batch", "exception"}


# --- saved filters ------------------------------------------------------------------------------


def test_saved_filters_are_per_user(od):
    client = http(od.clerk)
    response = client.post(reverse("orders:filter_save"), {"name": "挂起的", "next": "state=on_hold&page=3"})
    assert response.status_code == 302
    saved = SavedOrderFilter.objects.get(user=od.clerk)
    assert saved.name == "挂起的" and saved.query == "state=on_hold"  # never the page
    body = client.get(LIST).content.decode()
    assert "挂起的" in body and "?state=on_hold" in body
    assert "挂起的" not in http(od.cs).get(LIST).content.decode()
    # another user cannot delete it; its owner can
    assert http(od.cs).post(reverse("orders:filter_delete", args=[saved.pk])).status_code == 404
    client.post(reverse("orders:filter_save"), {"name": "挂起的", "next": "state=paid"})  # same name: replaced
    assert SavedOrderFilter.objects.get(pk=saved.pk).query == "state=paid"
    response = client.post(reverse("orders:filter_save"), {"name": " ", "next": ""})
    assert SavedOrderFilter.objects.count() == 1 and any("筛选名称" in m for m in said(response))
    assert client.post(reverse("orders:filter_delete", args=[saved.pk])).status_code == 302
    assert not SavedOrderFilter.objects.exists()


def test_saved_filter_keeps_only_a_query_string(od):
    client = http(od.clerk)
    client.post(reverse("orders:filter_save"), {"name": "x", "next": "https://evil.example/?state=paid"})
    saved = SavedOrderFilter.objects.get()
    assert saved.query.startswith("https%3A%2F%2F")  # a parameter's name, never a place to go
    assert f'href="{LIST}?https%3A' in client.get(LIST).content.decode()


@pytest.mark.parametrize("url", ["orders:list_columns", "orders:filter_save"])
def test_the_list_settings_need_the_view_permission(od, org, url):
    nobody = make_user("nobody_a", client=org.client_a)
    assert http(nobody).post(reverse(url), {"name": "x"}).status_code == 403

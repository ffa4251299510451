"""Pages and API of the warehouse operations: scoped (DAT-02: another client's document is a 404),
blind counting (WMS-08: the counter's page and API never show book quantities), the scanner-only count
flow, forms naming the field at fault, in-transit visibility (WMS-09), overdue loans (WMS-12), and the
open documents for the daily close (WMS-13)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ecomops.demo import stockops as demo
from ecomops.inventory.verify import differences
from ecomops.stockops import actions, closing
from ecomops.stockops.enums import CountState, TransferState
from ecomops.stockops.models import ScrapNote

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped(ops):
    ops.put(ops.sku, 10)
    transfer = actions.request_transfer(user=ops.keeper, client=ops.org.client_a, from_warehouse=ops.wh,
                                        to_warehouse=ops.wh2, lines=[(ops.sku, 4)])
    return actions.ship_transfer(transfer, user=ops.keeper)


def test_dat02_another_clients_documents_are_404_on_pages_and_api(client, ops, shipped, api):
    sheet = actions.create_count(user=ops.keeper, client=ops.org.client_a, warehouse=ops.wh)
    loan = actions.lend_samples(user=ops.keeper, client=ops.org.client_a, warehouse=ops.wh, borrower="小王",
                                lines=[(ops.sku, 1)])
    client.force_login(ops.keeper_b)
    for name, pk in (("transfer_detail", shipped.pk), ("count_detail", sheet.pk), ("loan_detail", loan.pk)):
        assert client.get(reverse(f"stockops:{name}", args=[pk])).status_code == 404
    assert client.post(reverse("stockops:transfer_step", args=[shipped.pk, "cancel"])).status_code == 404
    assert client.post(reverse("stockops:count_scan", args=[sheet.pk]), {"code": "A-01-01"}).status_code == 404
    index = client.get(reverse("stockops:index")).content.decode()
    assert shipped.number not in index and loan.number not in index
    b = api(ops.keeper_b)
    for path in (f"stockops/transfers/{shipped.pk}", f"stockops/counts/{sheet.pk}", f"stockops/sample-loans/{loan.pk}"):
        assert b.get(path).status_code == 404
    assert b.post(f"stockops/transfers/{shipped.pk}/receive",
                  {"counts": [{"sku_id": ops.sku.pk, "bin_id": ops.b1.pk, "quantity": 4}]}).status_code == 404
    assert b.get("stockops/in-transit").json() == []


def test_wms09_index_and_in_transit_page_show_the_open_transfer(client, ops, shipped, api):
    client.force_login(ops.keeper)
    index = client.get(reverse("stockops:index")).content.decode()
    assert shipped.number in index and "在途 4 件" in index
    page = client.get(reverse("stockops:in_transit")).content.decode()
    assert shipped.number in page and ops.sku.sku_code in page
    rows = api(ops.keeper).get("stockops/in-transit").json()
    assert [(r["transfer_number"], r["quantity"]) for r in rows] == [(shipped.number, 4)]


def test_wms09_receive_from_the_page_needs_a_reason_for_a_shortage(client, ops, shipped):
    client.force_login(ops.keeper2)
    url = reverse("stockops:transfer_detail", args=[shipped.pk])
    key = ops.sku.pk
    response = client.post(url, {f"bin_{key}": ops.b1.pk, f"qty_{key}": 3, f"reason_{key}": ""})
    assert response.status_code == 200 and "请填写差异原因" in response.content.decode()
    response = client.post(url, {f"bin_{key}": ops.b1.pk, f"qty_{key}": 3, f"reason_{key}": "少一件"})
    assert response.status_code == 302
    shipped.refresh_from_db()
    assert shipped.state == TransferState.DISCREPANCY and shipped.received_by == ops.keeper2
    html = client.get(url).content.decode()
    assert "少一件" in html and "收货签字" in html and ops.keeper2.username in html


def test_wms09_api_full_flow_and_out_of_order_refused(ops, api):
    ops.put(ops.sku, 10)
    keeper = api(ops.keeper)
    created = keeper.post("stockops/transfers", {"client_id": ops.org.client_a.pk, "from_warehouse_id": ops.wh.pk,
                                                 "to_warehouse_id": ops.wh2.pk,
                                                 "lines": [{"sku_id": ops.sku.pk, "quantity": 2}]})
    assert created.status_code == 201, created.content
    tid = created.json()["id"]
    early = keeper.post(f"stockops/transfers/{tid}/receive",
                        {"counts": [{"sku_id": ops.sku.pk, "bin_id": ops.b1.pk, "quantity": 2}]})
    assert early.status_code == 409
    assert keeper.post(f"stockops/transfers/{tid}/ship").json()["shipped"]["by"] == ops.keeper.username
    done = api(ops.keeper2).post(f"stockops/transfers/{tid}/receive",
                                 {"counts": [{"sku_id": ops.sku.pk, "bin_id": ops.b1.pk, "quantity": 2}]})
    assert done.status_code == 200 and done.json()["state"] == "done"
    assert done.json()["received"]["by"] == ops.keeper2.username
    assert keeper.post(f"stockops/transfers/{tid}/cancel").status_code == 409
    bad = keeper.post("stockops/transfers", {"client_id": ops.org.client_a.pk, "from_warehouse_id": ops.wh.pk,
                                             "to_warehouse_id": ops.wh.pk,
                                             "lines": [{"sku_id": ops.sku.pk, "quantity": 2}]})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "to_warehouse"
    assert differences() == []


def test_wms08_blind_count_page_and_api_never_show_book_quantities(client, ops, api):
    ops.put(ops.sku, 4817)
    sheet = actions.create_count(user=ops.keeper, client=ops.org.client_a, warehouse=ops.wh)
    client.force_login(ops.counter)
    html = client.get(reverse("stockops:count_detail", args=[sheet.pk])).content.decode()
    assert "4817" not in html and "账面</th>" not in html
    body = api(ops.counter).get(f"stockops/counts/{sheet.pk}").json()
    assert "4817" not in str(body) and "book" not in str(body)
    actions.record_count(sheet, user=ops.counter, bin=ops.a1, sku=ops.sku, quantity=4815)
    actions.submit_count(sheet, user=ops.counter)
    html = client.get(reverse("stockops:count_detail", args=[sheet.pk])).content.decode()
    assert "4817" not in html  # still blind for the counter after submission
    client.force_login(ops.supervisor)
    html = client.get(reverse("stockops:count_detail", args=[sheet.pk])).content.decode()
    assert ">4817<" in html and ">-2<" in html  # the approver sees book and difference


def test_wms08_scanner_alone_counts_through_htmx(client, ops):
    ops.put(ops.sku, 2)
    sheet = actions.create_count(user=ops.keeper, client=ops.org.client_a, warehouse=ops.wh)
    client.force_login(ops.counter)
    url = reverse("stockops:count_scan", args=[sheet.pk])
    headers = {"HTTP_HX_REQUEST": "true"}
    panel = client.post(url, {"code": "A-01-01"}, **headers).content.decode()
    assert f'name="bin" value="{ops.a1.pk}"' in panel and "autofocus" in panel
    for _ in range(3):
        panel = client.post(url, {"code": ops.sku.barcode, "bin": ops.a1.pk}, **headers).content.decode()
    assert "已盘 3" in panel
    panel = client.post(url, {"code": "???", "bin": ops.a1.pk}, **headers).content.decode()
    assert 'data-testid="scan-error"' in panel and "无法识别" in panel
    assert sheet.lines.get().counted == 3


def test_wms08_count_pages_refuse_approval_by_the_counter_and_post(client, ops):
    ops.put(ops.sku, 2)
    sheet = actions.create_count(user=ops.keeper, client=ops.org.client_a, warehouse=ops.wh)
    client.force_login(ops.counter)
    entry = client.post(reverse("stockops:count_entry", args=[sheet.pk]),
                        {"bin": "NOPE", "sku": ops.sku.sku_code, "quantity": 1}).content.decode()
    assert "库位“NOPE”不在本盘点单范围内" in entry
    client.post(reverse("stockops:count_entry", args=[sheet.pk]), {"bin": "A-01-01", "sku": ops.sku.sku_code,
                                                                   "quantity": 1})
    client.post(reverse("stockops:count_step", args=[sheet.pk, "submit"]))
    line = sheet.lines.get()
    client.post(reverse("stockops:count_explain", args=[sheet.pk, line.pk]), {"reason": "丢失"})
    assert client.post(reverse("stockops:count_step", args=[sheet.pk, "approve"])).status_code == 403
    client.force_login(ops.supervisor)
    client.post(reverse("stockops:count_step", args=[sheet.pk, "approve"]))
    sheet.refresh_from_db()
    assert sheet.state == CountState.POSTED and differences() == []


def test_forms_name_the_field_in_chinese(client, ops):
    client.force_login(ops.keeper)
    html = client.post(reverse("stockops:transfer_create"), {
        "client": ops.org.client_a.pk, "from_warehouse": ops.wh.pk, "to_warehouse": ops.wh2.pk,
        "lines": "NOSUCH 3"}).content.decode()
    assert "第 1 行：找不到该委托方的 SKU“NOSUCH”" in html
    html = client.post(reverse("stockops:loan_create"), {
        "client": ops.org.client_a.pk, "warehouse": ops.wh.pk, "borrower": "小王",
        "lent_on": timezone.localdate().isoformat(), "lines": f"{ops.sku.sku_code} 9"}).content.decode()
    assert "第 1 行：SKU" in html and "不足 9 件" in html


def test_wms12_loan_pages_flag_overdue_and_api_hides_other_clients(client, ops, api):
    ops.put(ops.sku, 3)
    loan = actions.lend_samples(user=ops.keeper, client=ops.org.client_a, warehouse=ops.wh, borrower="小王",
                                lines=[(ops.sku, 1)], lent_on=timezone.localdate() - timedelta(days=9))
    client.force_login(ops.keeper)
    html = client.get(reverse("stockops:loan_detail", args=[loan.pk])).content.decode()
    assert 'data-testid="overdue"' in html and "DRESS1" in html and "小王" in html
    assert api(ops.keeper).get(f"stockops/sample-loans/{loan.pk}").json()["overdue"] is True
    extension = api(ops.keeper).post(f"stockops/sample-loans/{loan.pk}/extensions",
                                     {"new_due_on": (timezone.localdate() + timedelta(days=2)).isoformat(),
                                      "note": "补拍"})
    assert extension.status_code == 201
    assert api(ops.keeper).post(f"stockops/sample-loans/{loan.pk}/return").json()["state"] == "returned"


def test_wms13_open_documents_for_the_daily_close(ops):
    ops.put(ops.sku, 10)
    today = timezone.localdate()
    transfer = actions.request_transfer(user=ops.keeper, client=ops.org.client_a, from_warehouse=ops.wh,
                                        to_warehouse=ops.wh2, lines=[(ops.sku, 1)])
    sheet = actions.create_count(user=ops.keeper, client=ops.org.client_a, warehouse=ops.wh)
    numbers = [n for n, _d, _u in closing.open_documents(ops.wh, today)]
    assert numbers == [transfer.number, sheet.number]
    assert closing.open_documents(ops.wh, today - timedelta(days=1)) == []
    actions.ship_transfer(transfer, user=ops.keeper)
    actions.cancel_count(sheet, user=ops.keeper)
    assert closing.open_documents(ops.wh, today) == [] and closing.open_documents(ops.wh2, today) == []


def test_demo_builds_an_open_transfer_and_an_overdue_loan(ops):
    ops.put(ops.sku, 5)
    ops.put(ops.sku2, 5)
    built = demo.build(admin=ops.admin, client=ops.org.client_a, from_warehouse=ops.wh, to_warehouse=ops.wh2,
                       skus=[ops.sku, ops.sku2])
    assert built["transfer"].state == TransferState.SHIPPED
    assert built["loan"].is_overdue(timezone.localdate())
    assert sum(r.quantity for r in actions.in_transit(ops.admin)) == 4 and differences() == []


def test_wms13_open_documents_are_registered_for_the_daily_close(ops):
    from ecomops.inventory import closing as daily

    ops.put(ops.sku, 1)
    sheet = actions.create_count(user=ops.keeper, client=ops.org.client_a, warehouse=ops.wh)
    assert daily.registered()["stockops"] is closing.open_documents
    assert ("stockops", sheet.number) in [(label, number) for label, number, _d, _u in
                                          daily.open_documents(ops.wh, timezone.localdate())]


@pytest.mark.parametrize("name", ["index", "transfers", "transfer_create", "in_transit", "counts", "count_create",
                                  "scraps", "scrap_create", "loans", "loan_create"])
def test_pages_render_for_the_keeper_and_client_users_get_404(client, ops, name):
    client.force_login(ops.keeper)
    assert client.get(reverse(f"stockops:{name}")).status_code == 200
    client.force_login(ops.org.member_a)
    assert client.get(reverse(f"stockops:{name}")).status_code == 404


def test_wms08_scrap_pages_approve_and_post(client, ops):
    ops.put(ops.sku, 3, ops.defective)
    client.force_login(ops.keeper)
    response = client.post(reverse("stockops:scrap_create"), {
        "client": ops.org.client_a.pk, "warehouse": ops.wh.pk, "reason": "霉变", "lines": "BAD-01 NOSKU 1"})
    assert "第 1 行：找不到该委托方的 SKU“NOSKU”" in response.content.decode()
    response = client.post(reverse("stockops:scrap_create"), {
        "client": ops.org.client_a.pk, "warehouse": ops.wh.pk, "reason": "霉变",
        "lines": f"BAD-01 {ops.sku.sku_code} 2"})
    assert response.status_code == 302
    note = ScrapNote.objects.get()
    client.post(reverse("stockops:scrap_step", args=[note.pk, "approve"]))  # 403: no right
    client.force_login(ops.supervisor)
    client.post(reverse("stockops:scrap_step", args=[note.pk, "approve"]))
    client.force_login(ops.keeper)
    client.post(reverse("stockops:scrap_step", args=[note.pk, "post"]))
    html = client.get(reverse("stockops:scrap_detail", args=[note.pk])).content.decode()
    assert "已过账" in html and "审批报废" in html and differences() == []


def test_wms13_admin_is_read_only(client, ops, shipped):
    client.force_login(ops.admin)
    assert client.get(reverse("admin:stockops_transfer_change", args=[shipped.pk])).status_code == 200
    assert client.post(reverse("admin:stockops_transfer_delete", args=[shipped.pk]), {"post": "yes"}).status_code == 403

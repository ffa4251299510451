"""Pages and API of supply: scoped (client B's records are 404 to a client-A grantee), errors name the
field, posted documents have no edit or delete."""

import io
from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ecomops.core.tests.conftest import ApiClient
from ecomops.inventory.enums import DocKind
from ecomops.inventory.ledger import DocRef, Move, post_moves
from ecomops.inventory.reservations import available
from ecomops.inventory.verify import differences
from ecomops.supply.enums import PlanState, ReturnState
from ecomops.supply.models import PurchaseOrder, ShippingDefect, SupplierReturn
from ecomops.supply.plans import build_plan
from ecomops.supply.returns import ReturnItem, raise_supplier_return

from .conftest import supplier_lot

SIGN = {"collector": "王师傅", "collector_signature": "王建国", "keeper_signature": "李仓管"}


def browser(user):
    client = Client()
    client.force_login(user)
    return client


def api(user):
    return ApiClient(browser(user))


def _sell(stock, sku, lot, quantity):
    day = timezone.localdate() - timedelta(days=1)
    post_moves([Move(sku_id=sku.pk, lot_id=lot.pk, quantity=quantity, from_bin=stock.a1)],
               doc=DocRef(DocKind.ORDER, f"O{sku.pk}", "SO"), user=stock.keeper,
               at=timezone.make_aware(datetime.combine(day, time(9))))


@pytest.fixture
def plans(stock, supplier, supplier_b):
    lot_a = supplier_lot(stock, supplier, quantity=10)
    lot_b = supplier_lot(stock, supplier_b, sku=stock.sku_b, quantity=10)
    _sell(stock, stock.sku, lot_a, 7)
    _sell(stock, stock.sku_b, lot_b, 7)
    return [build_plan(warehouse=stock.wh, client=c, on=timezone.localdate())
            for c in (stock.org.client_a, stock.org.client_b)]


def test_index_and_lists_render_and_client_users_get_404(stock, keeper, buyer):
    pages = ["index", "orders", "plans", "returns", "returns_uncollected", "return_terms", "defects", "defect_create",
             "packaging", "material_create", "packaging_receipt_create", "promotion_create", "order_create"]
    client = browser(keeper)
    for name in pages:
        response = client.get(reverse(f"supply:{name}"))
        assert response.status_code == 200, name
    assert browser(stock.org.member_a).get(reverse("supply:index")).status_code == 404


def test_client_b_plan_and_return_are_404_to_a_client_a_grantee(stock, plans, approver, keeper, supplier_b):
    """DAT-02 scoping on WMS-14/16 records: page and API answer 404 for client B's plan and return."""
    plan_a, plan_b = plans
    page = browser(approver)
    assert page.get(reverse("supply:plan_detail", args=[plan_a.pk])).status_code == 200
    assert page.get(reverse("supply:plan_detail", args=[plan_b.pk])).status_code == 404
    assert page.post(reverse("supply:plan_decide", args=[plan_b.pk]), {"decision": "approve"}).status_code == 404
    listed = api(approver).get("supply/replenishment-plans").json()
    assert [p["id"] for p in listed["items"]] == [plan_a.pk]
    assert api(approver).get(f"supply/replenishment-plans/{plan_b.pk}").status_code == 404
    lot = supplier_lot(stock, supplier_b, sku=stock.sku_b, quantity=1, bin_=stock.defective)
    ret_b = raise_supplier_return(client=stock.org.client_b, supplier=supplier_b, warehouse=stock.wh,
                                          items=[ReturnItem(stock.sku_b, lot, stock.defective, 1)])
    assert browser(keeper).get(reverse("supply:return_detail", args=[ret_b.pk])).status_code == 404
    assert api(keeper).get(f"supply/supplier-returns/{ret_b.pk}").status_code == 404
    assert api(keeper).post(f"supply/supplier-returns/{ret_b.pk}/ready").status_code == 404


def test_plan_page_shows_reasons_and_approval_makes_orders(stock, plans, approver):
    """WMS-14 on the page: lines with their Chinese explanation, the policy versions, approve via the API."""
    plan_a = plans[0]
    html = browser(approver).get(reverse("supply:plan_detail", args=[plan_a.pk])).content.decode()
    assert "WMS-14" in html and "缺少供应商" in html and "近 7 天日均销量" in html
    rejected = browser(approver).post(reverse("supply:plan_decide", args=[plan_a.pk]),
                                      {"decision": "reject", "note": ""})
    assert rejected.status_code == 400 and "驳回须写明原因" in rejected.content.decode()
    body = api(approver).post(f"supply/replenishment-plans/{plan_a.pk}/approve", {"note": "同意"}).json()
    assert body["plan"]["state"] == PlanState.APPROVED and body["purchase_order_ids"] == []  # no supplier linked
    again = api(approver).post(f"supply/replenishment-plans/{plan_a.pk}/approve", {})
    assert again.status_code == 409


def test_hand_over_page_names_the_missing_signature_then_posts(stock, supplier, keeper):
    lot = supplier_lot(stock, supplier, quantity=2, bin_=stock.defective)
    ret = raise_supplier_return(client=stock.org.client_a, supplier=supplier, warehouse=stock.wh,
                                        items=[ReturnItem(stock.sku, lot, stock.defective, 2)])
    page = browser(keeper)
    early = page.post(reverse("supply:return_hand_over", args=[ret.pk]), SIGN)
    assert early.status_code == 400 and "收集中" in early.content.decode()
    assert page.post(reverse("supply:return_ready", args=[ret.pk])).status_code == 302
    bad = page.post(reverse("supply:return_hand_over", args=[ret.pk]), {**SIGN, "keeper_signature": ""})
    assert bad.status_code == 400 and 'name="keeper_signature"' in bad.content.decode()
    assert "is-invalid" in bad.content.decode()
    done = api(keeper).post(f"supply/supplier-returns/{ret.pk}/hand-over", SIGN)
    assert done.status_code == 200 and done.json()["state"] == ReturnState.COLLECTED
    assert api(keeper).delete(f"supply/supplier-returns/{ret.pk}").status_code == 405
    assert differences() == []


def test_defect_form_registers_and_shows_the_sellable_quantity(stock, supplier, keeper):
    """WMS-17 on the page: the scanned code finds the goods; sellable quantity before → after is shown."""
    supplier_lot(stock, supplier, quantity=5)
    page = browser(keeper)
    lookup = page.get(reverse("supply:defect_lookup"), {"code": stock.sku.barcode, "warehouse": stock.wh.pk})
    assert "可售数量 5" in lookup.content.decode()
    form = {"warehouse": stock.wh.pk, "code": stock.sku.sku_code, "from_bin": "A-01-01", "quantity": 2,
            "reason": "线头"}
    bad = page.post(reverse("supply:defect_create"), {**form, "from_bin": "NOPE"})
    assert bad.status_code == 400 and "没有库位 NOPE" in bad.content.decode()
    too_many = page.post(reverse("supply:defect_create"), {**form, "quantity": 9})
    assert too_many.status_code == 400 and "不足 9 件" in too_many.content.decode()
    response = page.post(reverse("supply:defect_create"), form, follow=True)
    assert "可售数量 5 → 3" in response.content.decode()
    assert ShippingDefect.objects.get().available_after == 3 == available(stock.sku.pk, stock.wh.pk)
    assert SupplierReturn.objects.get().lines.get().quantity == 2


def test_month_end_list_downloads_as_xlsx(stock, supplier, keeper):
    lot = supplier_lot(stock, supplier, quantity=1, bin_=stock.defective)
    ret = raise_supplier_return(client=stock.org.client_a, supplier=supplier, warehouse=stock.wh,
                                        items=[ReturnItem(stock.sku, lot, stock.defective, 1)])
    month = timezone.localdate().strftime("%Y-%m")
    page = browser(keeper)
    assert ret.number in page.get(reverse("supply:returns_uncollected"), {"month": month}).content.decode()
    response = page.get(reverse("supply:returns_uncollected"), {"month": month, "format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][0] == "退厂单号" and rows[1][0] == ret.number


def test_purchase_order_pages_and_api(stock, supplier, buyer):
    page = browser(buyer)
    form = {"client": stock.org.client_a.pk, "supplier": supplier.pk, "warehouse": stock.wh.pk,
            "lines": "DRESS1-BK-M 5\nNOPE 2"}
    bad = page.post(reverse("supply:order_create"), form)
    assert bad.status_code == 400 and "第 2 行" in bad.content.decode()
    response = page.post(reverse("supply:order_create"), {**form, "lines": "DRESS1-BK-M 5 12.50"})
    order = PurchaseOrder.objects.get()
    assert response.status_code == 302 and order.lines.get().quantity == 5
    assert page.post(reverse("supply:order_confirm", args=[order.pk])).status_code == 302
    cancel = page.post(reverse("supply:order_cancel", args=[order.pk]), {"reason": ""})
    assert cancel.status_code == 400
    client = api(buyer)
    created = client.post("supply/purchase-orders", {
        "client_id": stock.org.client_a.pk, "supplier_id": supplier.pk, "warehouse_code": "HZ",
        "lines": [{"sku_id": stock.sku.pk, "quantity": 3}]})
    assert created.status_code == 201 and created.json()["state"] == "draft"
    wrong = client.post("supply/purchase-orders", {
        "client_id": stock.org.client_a.pk, "supplier_id": supplier.pk, "warehouse_code": "HZ",
        "lines": [{"sku_id": stock.sku_b.pk, "quantity": 3}]})
    assert wrong.status_code == 400 and wrong.json()["error"]["field"] == "lines.0.sku_id"
    zero = client.post("supply/purchase-orders", {
        "client_id": stock.org.client_a.pk, "supplier_id": supplier.pk, "warehouse_code": "HZ",
        "lines": [{"sku_id": stock.sku.pk, "quantity": 0}]})
    assert zero.status_code == 422 and zero.json()["error"]["field"] == "lines.0.quantity"
    cancelled = client.post(f"supply/purchase-orders/{order.pk}/cancel", {"reason": "供应商停产"})
    assert cancelled.json()["state"] == "cancelled"
    assert client.delete(f"supply/purchase-orders/{order.pk}").status_code == 405


def test_packaging_api_refuses_taking_more_than_on_hand(stock, keeper):
    client = api(keeper)
    material = client.post("supply/packaging-materials", {"code": "TAPE", "name": "封箱胶带", "unit": "卷"})
    assert material.status_code == 201
    material_id = material.json()["id"]
    too_much = client.post("supply/packaging-consumptions",
                           {"warehouse_code": "HZ", "material_id": material_id, "quantity": 1})
    assert too_much.status_code == 400 and too_much.json()["error"]["field"] == "quantity"
    listed = client.get("supply/packaging-materials").json()
    assert listed["items"][0]["code"] == "TAPE"


def test_month_end_xlsx_cells_never_run_as_formulas(stock, supplier, keeper):
    """A supplier named ``=HYPERLINK(…)`` is text in the month-end workbook, not a formula."""
    from ecomops.suppliers.models import Supplier

    Supplier.objects.filter(pk=supplier.pk).update(name='=HYPERLINK("http://evil.example","退货")')
    lot = supplier_lot(stock, supplier, quantity=1, bin_=stock.defective)
    raise_supplier_return(client=stock.org.client_a, supplier=supplier, warehouse=stock.wh,
                                  items=[ReturnItem(stock.sku, lot, stock.defective, 1)])
    month = timezone.localdate().strftime("%Y-%m")
    response = browser(keeper).get(reverse("supply:returns_uncollected"), {"month": month, "format": "xlsx"})
    row = list(load_workbook(io.BytesIO(response.content)).active.iter_rows())[1]
    assert row[2].data_type == "s" and row[2].value == '\'=HYPERLINK("http://evil.example","退货")'
    assert row[5].data_type == "n" and row[5].value == 1

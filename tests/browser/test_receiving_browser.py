"""WMS-01, WMS-03, WMS-25, WMS-05 in a real browser: a receiver receives a delivery against a
purchase order by scanning, the supervisor signs and books it, and a QC inspector — with the scanner
and the keyboard only — finds failures: the first sample fails, the second leads to full inspection,
and the defects land in the defective bin and on the supplier return."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from ecomops.catalog.models import SKU, Style
from ecomops.inventory import actions as inventory
from ecomops.inventory.enums import BinKind
from ecomops.inventory.models import StockBalance
from ecomops.org.models import Client, ClientGrant
from ecomops.suppliers.models import Supplier
from ecomops.supply.enums import ReturnReason
from ecomops.supply.models import SupplierReturnLine
from ecomops.supply.purchasing import POItem, create_purchase_order

PASSWORD = "Browser-Passw0rd!"
VIEW = ("receiving.view_receipt", "supply.view_purchaseorder")


def _user(username, client, *perms):
    user = get_user_model().objects.create_user(username, password=PASSWORD)
    for perm in (*VIEW, *perms):
        app, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    ClientGrant.objects.create(user=user, client=client)
    return user


@pytest.fixture
def delivery(transactional_db):
    admin = get_user_model().objects.create_superuser("browser_admin", password=PASSWORD)
    client = Client.objects.create(code="CA", name="甲品牌")
    wh = inventory.create_warehouse(user=admin, code="HZ", name="杭州仓")
    inventory.create_bin(wh, user=admin, code="QC-01", kind=BinKind.INSPECTION)
    defective = inventory.create_bin(wh, user=admin, code="BAD-01", kind=BinKind.DEFECTIVE)
    inventory.create_bin(wh, user=admin, code="A-01-01")
    style = Style.objects.create(client=client, style_no="D001", name="真丝连衣裙", unit_cost=Decimal("120"),
                                 price=Decimal("399"))
    sku = SKU.objects.create(client=client, style=style, colour="黑色", size="M", sku_code="D001-BK-M",
                             barcode="6901234567892", barcode_source="external")
    supplier = Supplier.objects.create(code="SUP1", name="杭州丝绸厂", client=client, created_by=admin)
    order = create_purchase_order(user=admin, client=client, supplier=supplier, warehouse=wh, confirm=True,
                                         lines=[POItem(sku, 30)])
    _user("shouhuo", client, "receiving.add_receipt", "receiving.change_receipt", "receiving.sign_receipt")
    _user("zhuguan", client, "receiving.approve_receipt", "receiving.book_receipt")
    _user("zhijian", client, "receiving.inspect_receipt")
    return {"sku": sku, "order": order, "defective": defective}


@pytest.mark.browser
def test_receiver_and_inspector_take_a_delivery_through_qc_to_the_defective_bin(live_server, page, log_in, delivery):
    sku, order = delivery["sku"], delivery["order"]
    # WMS-01: the receiver creates the receipt against the purchase order and scans the goods.
    log_in("shouhuo")
    page.goto(live_server.url + "/receiving/")
    page.click("[data-testid=new-receipt]")
    page.select_option("#id_purchase_order", value=str(order.pk))
    page.fill("#id_delivery_note_no", "DN-20240601")
    page.click("form button[type=submit].btn-primary")
    page.wait_for_url(re.compile(r".*/receiving/\d+/$"))
    page.fill("#id_sku", sku.barcode)
    page.fill("#id_noted_quantity", "30")
    page.fill("#id_counted_quantity", "30")
    page.press("#id_counted_quantity", "Enter")
    page.wait_for_selector("[data-testid=line-D001-BK-M]")
    assert "相符" in page.locator("[data-testid=line-D001-BK-M]").inner_text()
    page.click("[data-testid=sign-receiver]")
    page.wait_for_selector("[data-testid=receiver-sign]:has-text('shouhuo')")
    receipt_url = page.url

    # WMS-03: the supervisor signs and books into the inspection bin.
    log_in("zhuguan")
    page.goto(receipt_url)
    page.click("[data-testid=sign-supervisor]")
    page.click("[data-testid=book]")
    assert page.locator(".eo-subtitle [data-testid=state]").inner_text() == "待质检"

    # WMS-25: the inspector scans the SKU, enters the failures; the page says what comes next.
    log_in("zhijian")
    page.goto(receipt_url + "qc/")
    page.fill("#id_barcode", sku.barcode)
    page.press("#id_barcode", "Enter")
    page.wait_for_selector("[data-testid=selected-line]")
    assert "待首次抽检 3 件" in page.locator("[data-testid=next-step]").inner_text()
    page.fill("#id_failed", "1")
    page.fill("#id_reason", "面料抽丝")
    page.press("#id_reason", "Enter")
    page.wait_for_selector("[data-testid=next-step]:has-text('再抽检 3 件')")
    page.fill("#id_failed", "0")
    page.press("#id_failed", "Enter")
    page.wait_for_selector("[data-testid=next-step]:has-text('全检')")
    assert "83.33%" in page.locator("[data-testid=next-step]").inner_text()
    page.fill("#id_defective", "4")
    page.press("#id_defective", "Enter")
    page.wait_for_selector("[data-testid=qc-outcome]")
    assert page.locator("[data-testid=line-D001-BK-M] [data-testid=defective]").inner_text() == "4"

    # WMS-05 / WMS-16: the defects are in the defective bin and on the supplier return.
    assert StockBalance.objects.get(sku=sku, bin=delivery["defective"]).on_hand == 4
    returned = SupplierReturnLine.objects.get(sku=sku)
    assert returned.quantity == 4 and returned.reason == ReturnReason.QC_DEFECT
    page.goto(receipt_url)
    assert returned.supplier_return.number in page.locator("[data-testid=supplier-return]").inner_text()
    page.goto(receipt_url + "qc/report/")
    assert "面料抽丝" in page.locator("[data-testid=defects]").inner_text()

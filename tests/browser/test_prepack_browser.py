"""FUL-05 in a real browser: the supervisor opens 预打包, sees the bestseller suggested from last week's
single-unit orders, plans a job from its row, records a sitting (units into the prepack bin, cartons
out of the packaging stock); a new single-unit order then takes a pre-packed parcel, and the station
confirms it as such without asking for packaging."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from ecomops.catalog.models import SKU, PlatformSKU, Style
from ecomops.fulfilment.models import PackCheck, PrepackJob
from ecomops.inventory import actions as inventory
from ecomops.inventory.enums import BinKind, DocKind
from ecomops.inventory.ledger import DocRef, Move, post_moves
from ecomops.inventory.models import StockBalance
from ecomops.orders import actions as orders
from ecomops.orders import review
from ecomops.orders.actions import LineInput
from ecomops.orders.models import Order, StoreWarehouse
from ecomops.org.models import Client, Platform, Store
from ecomops.supply.models import PackagingBalance, PackagingMaterial
from ecomops.supply.packaging import create_packaging_receipt, post_packaging_receipt

PASSWORD = "Browser-Passw0rd!"


def _order(admin, store, number: str, tracking: str) -> Order:
    order = orders.create_order(user=admin, store=store, platform_order_no=number, placed_at=timezone.now(),
                                lines=[LineInput(quantity=1, unit_price=Decimal("100"), platform_sku_code="P-1")],
                                courier="sf_express", receiver_name="张三", receiver_phone="13812345678",
                                receiver_address="文三路 1 号", province="浙江省", city="杭州市")
    orders.mark_paid(order, user=admin)
    review.auto_review([order.pk], user=admin)
    orders.release_to_shipping(Order.objects.get(pk=order.pk), user=admin)
    Order.objects.filter(pk=order.pk).update(tracking_no=tracking)
    return Order.objects.get(pk=order.pk)


@pytest.fixture
def floor(transactional_db):
    admin = get_user_model().objects.create_superuser("pp_admin", password=PASSWORD)
    client = Client.objects.create(code="CA", name="甲品牌")
    store = Store.objects.create(code="A1", name="甲品牌淘宝店", client=client,
                                 platform=Platform.objects.get(code="taobao"))
    wh = inventory.create_warehouse(user=admin, code="HZ", name="杭州仓")
    bin_ = inventory.create_bin(wh, user=admin, code="A-01")
    prepack_bin = inventory.create_bin(wh, user=admin, code="YB-01", kind=BinKind.PREPACK)
    StoreWarehouse.objects.create(store=store, warehouse=wh, priority=1)
    style = Style.objects.create(client=client, style_no="TEA-1", name="龙井", unit_cost=Decimal("80"),
                                 price=Decimal("100"))
    sku = SKU.objects.create(client=client, style=style, size="250g", sku_code="TEA-1-250", barcode="2000000000015",
                             barcode_source="external", weight_g=250)
    PlatformSKU.objects.create(store=store, sku=sku, platform_sku_code="P-1")
    doc = DocRef(kind=DocKind.OPENING, id="O1", number="OPEN")
    lot = inventory.open_lot(client=client, source=doc)
    post_moves([Move(sku_id=sku.pk, lot_id=lot.pk, quantity=10, to_bin=bin_)], doc=doc, user=admin)
    carton = PackagingMaterial.objects.create(code="BOX-1", name="一号纸箱", weight_g=100)
    post_packaging_receipt(create_packaging_receipt(user=admin, warehouse=wh, lines=[(carton, 5)]), user=admin)
    sold = _order(admin, store, "TB6001", "SF6001")  # last week's single-unit order (shipped)
    Order.objects.filter(pk=sold.pk).update(shipped_at=timezone.now() - timedelta(days=2))
    return {"admin": admin, "store": store, "wh": wh, "sku": sku, "bin": bin_, "prepack_bin": prepack_bin,
            "carton": carton}


@pytest.mark.browser
def test_supervisor_plans_and_records_a_prepack_job_and_the_station_takes_the_parcel(live_server, page, log_in,
                                                                                      floor):
    log_in("pp_admin")
    page.goto(live_server.url + f"/fulfilment/prepack/?warehouse={floor['wh'].pk}")
    row = page.locator("[data-testid=suggestions] tr", has_text="TEA-1-250")
    row.wait_for()
    form = page.locator("[data-testid=plan-TEA-1-250]")
    form.locator("input[name=quantity]").fill("3")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=progress]:has-text('0 / 3')")
    page.fill("#pp-quantity", "2")
    page.click("[data-testid=record]")
    page.wait_for_selector("[data-testid=progress]:has-text('2 / 3')")
    page.wait_for_selector("[data-testid=moves] td:has-text('YB-01')")
    job = PrepackJob.objects.get()
    assert job.packed == 2
    assert StockBalance.objects.get(bin=floor["prepack_bin"], sku=floor["sku"]).on_hand == 2
    assert PackagingBalance.objects.get(material=floor["carton"], warehouse=floor["wh"]).on_hand == 3

    # A new single-unit order reserves a pre-packed parcel; the station does not pack it again.
    order = _order(floor["admin"], floor["store"], "TB6002", "SF6002")
    page.goto(live_server.url + "/fulfilment/")
    page.wait_for_selector("#scan-code:focus")
    page.keyboard.type("SF6002")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=check-order]:has-text('TB6002')")
    page.wait_for_selector("#scan-code:focus")
    page.keyboard.type(floor["sku"].barcode)
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=prepacked-parcel]")
    page.wait_for_selector("[data-testid=pack]:focus")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=prepacked-badge]")
    check = PackCheck.objects.get(order=order)
    assert check.prepacked and check.material == floor["carton"]
    assert PackagingBalance.objects.get(material=floor["carton"], warehouse=floor["wh"]).on_hand == 3

"""FUL-02…04 and ORD-01 in a real browser, keyboard and scanner only: the packer scans a waybill, a
wrong item (the big red message), then the right ones; packs with a carton, weighs a parcel far from
its expected weight, confirms the re-check with a reason; then opens the carrier's manifest, scans the
parcel out (the order ships, its stock leaves the ledger) and closes the manifest at 390 px wide."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone

from ecomops.catalog.models import SKU, PlatformSKU, Style
from ecomops.inventory import actions as inventory
from ecomops.inventory.enums import DocKind
from ecomops.inventory.ledger import DocRef, Move, post_moves
from ecomops.orders import actions as orders
from ecomops.orders import review
from ecomops.orders.actions import LineInput
from ecomops.orders.enums import OrderState
from ecomops.orders.models import Order, StoreWarehouse
from ecomops.org.models import Client, ClientGrant, Platform, Store
from ecomops.supply.models import PackagingMaterial
from ecomops.supply.packaging import create_packaging_receipt, post_packaging_receipt

PASSWORD = "Browser-Passw0rd!"
STATION = ("fulfilment.view_packcheck", "fulfilment.verify_order", "fulfilment.pack_order",
           "fulfilment.weigh_parcel", "fulfilment.view_handover", "fulfilment.add_handover",
           "fulfilment.scan_out_handover", "orders.view_order", "orders.ship_order",
           "supply.add_packagingmove", "supply.view_packagingmaterial")


@pytest.fixture
def parcel(transactional_db):
    admin = get_user_model().objects.create_superuser("browser_admin", password=PASSWORD)
    client = Client.objects.create(code="CA", name="甲品牌")
    store = Store.objects.create(code="A1", name="甲品牌淘宝店", client=client,
                                 platform=Platform.objects.get(code="taobao"))
    wh = inventory.create_warehouse(user=admin, code="HZ", name="杭州仓")
    bin_ = inventory.create_bin(wh, user=admin, code="A-01")
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
    order = orders.create_order(user=admin, store=store, platform_order_no="TB5001", placed_at=timezone.now(),
                                lines=[LineInput(quantity=2, unit_price=Decimal("100"), platform_sku_code="P-1")],
                                courier="sf_express", receiver_name="张三", receiver_phone="13812345678",
                                receiver_address="文三路 1 号", province="浙江省", city="杭州市")
    orders.mark_paid(order, user=admin)
    review.auto_review([order.pk], user=admin)
    orders.release_to_shipping(Order.objects.get(pk=order.pk), user=admin)
    Order.objects.filter(pk=order.pk).update(tracking_no="SF1234567890")
    packer = get_user_model().objects.create_user("dabao", password=PASSWORD)
    for perm in STATION:
        app, codename = perm.split(".")
        packer.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    ClientGrant.objects.create(user=packer, client=client)
    return {"order": order, "sku": sku, "wh": wh}


@pytest.mark.browser
def test_packer_verifies_packs_weighs_and_hands_over_by_keyboard(live_server, page, log_in, parcel):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in("dabao")
    page.goto(live_server.url + "/fulfilment/")
    scan = "#scan-code"
    page.keyboard.type("SF1234567890")  # the scan box has the focus
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=check-order]:has-text('TB5001')")
    # FUL-02: a wrong item is refused, big and red.
    page.fill(scan, "6900000000099")
    page.press(scan, "Enter")
    page.wait_for_selector("[role=alert][data-testid=scan-error]:has-text('错货')")
    for _ in range(2):
        page.wait_for_selector(f"{scan}:focus")  # the focus came back to the scan box
        page.keyboard.type(parcel["sku"].barcode)
        page.keyboard.press("Enter")
        page.wait_for_timeout(300)
    page.wait_for_selector("[data-testid=scan-ok]:has-text('验货通过')")
    # FUL-03: the packaging (focused), Tab to the quantity, Enter.
    page.wait_for_selector("#pack-material:focus")  # htmx:load moves the focus
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=weigh-form]")
    # FUL-04: 520 g against 600 ± 60 g asks for a re-check; confirmed with a reason.
    page.wait_for_selector("#weigh-grams:focus")  # htmx:load moves the focus
    page.keyboard.type("520")
    page.keyboard.press("Enter")
    page.wait_for_selector("[role=alert]:has-text('复核')")
    page.wait_for_selector("#weigh-reason:focus")  # htmx:load moves the focus
    page.keyboard.type("茶叶为轻包装，已复秤")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=scan-ok]:has-text('已称重')")
    # ORD-01: the manifest; the parcel scanned out ships the order.
    page.goto(live_server.url + "/fulfilment/handovers/")
    page.click("[data-testid=open]")
    page.wait_for_selector("[data-testid=handover-scan-form]")
    page.wait_for_selector(f"{scan}:focus")
    page.keyboard.type("SF1234567890")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=scan-ok]:has-text('已出库')")
    # htmx has finished the swap when its load handler has put the focus back on the scan box.
    page.wait_for_selector("#scan-code:focus")
    page.fill("[data-testid=close-receiver]", "王师傅")
    page.press("[data-testid=close-receiver]", "Enter")
    page.wait_for_selector("[data-testid=handover-state]:has-text('已交接')")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    order = Order.objects.get(pk=parcel["order"].pk)
    assert order.state == OrderState.SHIPPED and order.events.filter(kind="weighed").exists()

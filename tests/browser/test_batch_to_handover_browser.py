"""Issue 18 "done when": a real browser takes a printed ship batch from the pick list to the handover,
with a keyboard-wedge scanner (type the code, Enter) all the way. FUL-01: the wave is created from the
batch, the bin then each item is scanned, the picked units are sorted into their slots; FUL-02: the
station scans the waybill (the tracking number from the carrier's pool, LOG-02), a wrong item (the red
alert) and the right ones; FUL-03 packs, FUL-04 weighs; ORD-01: the carrier's manifest scans the parcel
out and is closed. The order ships and its stock leaves the ledger once."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone

from ecomops.catalog.models import SKU, PlatformSKU, Style
from ecomops.dispatch import actions as dispatch
from ecomops.inventory import actions as inventory
from ecomops.inventory.enums import DocKind
from ecomops.inventory.ledger import DocRef, Move, post_moves
from ecomops.inventory.models import StockMove
from ecomops.inventory.verify import differences
from ecomops.logistics import numbers
from ecomops.logistics.models import Carrier
from ecomops.logistics.seed import seed_carriers
from ecomops.orders import actions as orders
from ecomops.orders import review
from ecomops.orders.actions import LineInput
from ecomops.orders.enums import OrderState
from ecomops.orders.models import Order, StoreWarehouse
from ecomops.orders.shipments import shipment_differences
from ecomops.org.models import Client, ClientGrant, Platform, Store
from ecomops.supply.models import PackagingMaterial
from ecomops.supply.packaging import create_packaging_receipt, post_packaging_receipt
from ecomops.waves.models import Wave, WaveMode, WaveState

PASSWORD = "Browser-Passw0rd!"
FLOOR = ("waves.view_wave", "waves.add_wave", "waves.pick_wave", "dispatch.view_shipbatch", "orders.view_order",
         "orders.view_orderline", "orders.ship_order", "orders.hold_order", "stockops.add_countsheet",
         "fulfilment.view_packcheck", "fulfilment.verify_order", "fulfilment.pack_order", "fulfilment.weigh_parcel",
         "fulfilment.view_handover", "fulfilment.add_handover", "fulfilment.scan_out_handover",
         "supply.add_packagingmove", "supply.view_packagingmaterial")


@pytest.fixture
def batch(transactional_db):
    """Order TB7001 (2 × tea in A-01-01, 1 × cup in B-01-01) reviewed with its stock reserved, in a ship
    batch printed by the clerk, with a ZTO number from the carrier's pool; a carton in stock."""
    seed_carriers()
    admin = get_user_model().objects.create_superuser("browser_admin", password=PASSWORD)
    client = Client.objects.create(code="CA", name="甲品牌")
    store = Store.objects.create(code="A1", name="甲品牌淘宝店", client=client,
                                 platform=Platform.objects.get(code="taobao"))
    wh = inventory.create_warehouse(user=admin, code="HZ", name="杭州仓")
    zone = inventory.create_zone(wh, user=admin, code="A", name="A区")
    tea_bin = inventory.create_bin(wh, user=admin, code="A-01-01", zone=zone, pick_order=1)
    cup_bin = inventory.create_bin(wh, user=admin, code="B-01-01", zone=zone, pick_order=2)
    StoreWarehouse.objects.create(store=store, warehouse=wh, priority=1)
    style = Style.objects.create(client=client, style_no="TEA-1", name="龙井", unit_cost=Decimal("80"),
                                 price=Decimal("100"))
    tea = SKU.objects.create(client=client, style=style, size="250g", sku_code="TEA-1-250", barcode="2000000000015",
                             barcode_source="external", weight_g=250)
    cup = SKU.objects.create(client=client, style=style, size="杯", sku_code="CUP-1", barcode="2000000000022",
                             barcode_source="external", weight_g=150)
    PlatformSKU.objects.create(store=store, sku=tea, platform_sku_code="P-1")
    PlatformSKU.objects.create(store=store, sku=cup, platform_sku_code="P-2")
    doc = DocRef(kind=DocKind.OPENING, id="O1", number="OPEN")
    lot = inventory.open_lot(client=client, source=doc)
    post_moves([Move(sku_id=tea.pk, lot_id=lot.pk, quantity=10, to_bin=tea_bin),
                Move(sku_id=cup.pk, lot_id=lot.pk, quantity=10, to_bin=cup_bin)], doc=doc, user=admin)
    carton = PackagingMaterial.objects.create(code="BOX-1", name="一号纸箱", weight_g=100)
    post_packaging_receipt(create_packaging_receipt(user=admin, warehouse=wh, lines=[(carton, 5)]), user=admin)
    order = orders.create_order(user=admin, store=store, platform_order_no="TB7001", placed_at=timezone.now(),
                                lines=[LineInput(quantity=2, unit_price=Decimal("100"), platform_sku_code="P-1"),
                                       LineInput(quantity=1, unit_price=Decimal("30"), platform_sku_code="P-2")],
                                receiver_name="张三", receiver_phone="13812345678", receiver_address="文三路 1 号",
                                province="浙江省", city="杭州市")
    orders.mark_paid(order, user=admin)
    review.auto_review([order.pk], user=admin)
    assert Order.objects.get(pk=order.pk).state == OrderState.REVIEWED
    dispatch.assign(Order.objects.get(pk=order.pk))
    ship_batch = Order.objects.get(pk=order.pk).ship_entry.batch
    dispatch.print_batch(ship_batch, user=admin)
    zto = Carrier.objects.get(code="zto")
    numbers.add_pool(zto, user=admin, prefix="ZT", first=7300000001, last=7300000999, width=10)
    tracking_no = numbers.assign([order.pk], zto, user=admin).given[order.pk]
    order = Order.objects.get(pk=order.pk)
    assert order.state == OrderState.AWAITING_SHIPMENT and order.courier == "zto"
    worker = get_user_model().objects.create_user("cangguan", password=PASSWORD)
    for perm in FLOOR:
        app, codename = perm.split(".")
        worker.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    ClientGrant.objects.create(user=worker, client=client)
    return {"order": order, "batch": ship_batch, "tracking_no": tracking_no, "tea": tea, "cup": cup}


def scan(page, selector: str, code: str) -> None:
    """A keyboard-wedge scanner: the code typed into the focused scan box, then Enter."""
    page.wait_for_selector(f"{selector}:focus")
    page.keyboard.type(code)
    page.keyboard.press("Enter")


@pytest.mark.browser
def test_batch_goes_from_pick_list_to_handover_by_scanner(live_server, page, log_in, batch):
    order = batch["order"]
    log_in("cangguan")
    # FUL-01: the wave from the printed batch.
    page.goto(live_server.url + "/waves/")
    page.select_option("#wave-batch", str(batch["batch"].pk))
    page.select_option("#wave-mode", "pick_then_sort")  # one order would be picked order by order
    page.click("[data-testid=create-wave-submit]")
    page.wait_for_selector("[data-testid=pick-code]")
    wave = Wave.objects.get(batch=batch["batch"])
    # The bin first, then each unit; a unit before its bin is refused in red.
    scan(page, "#pick-code", batch["tea"].barcode)
    page.wait_for_selector("[role=alert][data-testid=scan-error]")
    scan(page, "#pick-code", "A-01-01")
    page.wait_for_selector("[data-testid=scan-state]:has-text('A-01-01')")
    for n in (1, 2):
        scan(page, "#pick-code", batch["tea"].barcode)
        page.wait_for_selector(f"[data-testid=pick-panel]:has-text('已拣 {n} / 3 件')")
    scan(page, "#pick-code", "B-01-01")
    page.wait_for_selector("[data-testid=scan-state]:has-text('B-01-01')")
    scan(page, "#pick-code", batch["cup"].barcode)
    page.wait_for_selector("[data-testid=pick-panel]:has-text('已拣 3 / 3 件')")
    page.reload()
    page.click("[data-testid=finish-picking]")
    page.wait_for_selector("[data-testid=sort-code]")
    for code in (batch["tea"].barcode, batch["tea"].barcode, batch["cup"].barcode):
        scan(page, "#sort-code", code)
        page.wait_for_timeout(500)  # the panel is swapped with the slot to put the unit in
        page.wait_for_selector("[data-testid=sort-slot]:has-text('1')")
    page.wait_for_selector("[data-testid=sort-panel]:has-text('全部订单已分拣完')")
    page.click("[data-testid=finish-sorting]")
    page.wait_for_selector("[data-testid=wave-state]:has-text('已分拣')")
    wave.refresh_from_db()
    assert wave.mode == WaveMode.PICK_THEN_SORT and wave.state == WaveState.SORTED
    # FUL-02: the station, the waybill, a wrong item (red), the right ones.
    page.goto(live_server.url + "/fulfilment/")
    scan(page, "#scan-code", batch["tracking_no"])
    page.wait_for_selector("[data-testid=check-order]:has-text('TB7001')")
    scan(page, "#scan-code", "6900000000099")
    page.wait_for_selector("[role=alert][data-testid=scan-error]:has-text('错货')")
    assert page.is_visible("[role=alert][data-testid=scan-error]")
    for code in (batch["tea"].barcode, batch["tea"].barcode, batch["cup"].barcode):
        scan(page, "#scan-code", code)
        page.wait_for_timeout(300)
    page.wait_for_selector("[data-testid=scan-ok]:has-text('验货通过')")
    # FUL-03: the carton (focused), Tab to the quantity, Enter; FUL-04: 750 g against 2×250+150+100.
    page.wait_for_selector("#pack-material:focus")  # htmx:load moves the focus
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=weigh-form]")
    scan(page, "#weigh-grams", "755")
    page.wait_for_selector("[data-testid=scan-ok]:has-text('已称重')")
    # ORD-01: ZTO's manifest, the parcel out, closed.
    page.goto(live_server.url + "/fulfilment/handovers/")
    page.select_option("[data-testid=open-carrier]", "zto")
    page.click("[data-testid=open]")
    page.wait_for_selector("[data-testid=handover-scan-form]")
    scan(page, "#scan-code", batch["tracking_no"])
    page.wait_for_selector("[data-testid=scan-ok]:has-text('已出库')")
    scan(page, "#scan-code", batch["tracking_no"])  # the same parcel again changes nothing
    page.wait_for_selector("[role=alert]:has-text('已在本交接单上')")
    # htmx has finished the swap when its load handler has put the focus back on the scan box.
    page.wait_for_selector("#scan-code:focus")
    page.fill("[data-testid=close-receiver]", "王师傅")
    page.press("[data-testid=close-receiver]", "Enter")
    page.wait_for_selector("[data-testid=handover-state]:has-text('已交接')")
    order = Order.objects.get(pk=order.pk)
    assert order.state == OrderState.SHIPPED and order.tracking_no == batch["tracking_no"]
    moves = StockMove.objects.filter(doc_kind=DocKind.ORDER, doc_id=str(order.pk))
    assert sorted(moves.values_list("sku__sku_code", "quantity")) == [("CUP-1", 1), ("TEA-1-250", 2)]
    assert not differences() and not shipment_differences()

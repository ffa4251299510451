"""ORD-02, ORD-03, ORD-04 in a real browser: an order clerk uploads a Taobao export, watches the
background import finish, sees the clean order reviewed automatically with its stock reserved, then
takes a review batch and works it from the keyboard alone — A approves, H holds with a reason."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from ecomops.catalog.models import SKU, PlatformSKU, Style
from ecomops.inventory import actions as inventory
from ecomops.inventory.enums import DocKind
from ecomops.inventory.ledger import DocRef, Move, post_moves
from ecomops.orders.models import Order, StoreWarehouse
from ecomops.org.models import Client, ClientGrant, Platform, Store

PASSWORD = "Browser-Passw0rd!"
PERMS = ("orderimport.view_importjob", "orderimport.add_importjob", "orders.view_order", "orders.review_order",
         "orders.hold_order", "orders.view_orderevent")
HEADER = ("订单编号,买家会员名,收货人姓名,联系手机,收货地址,商品编码,宝贝标题,购买数量,价格,订单状态,订单创建时间,"
          "订单付款时间,商家备注,买家留言")
ROWS = [
    "TB100,茶友甲,王小二,13812345678,浙江省 杭州市 西湖区 文三路 1 号 2 幢 301 室,P-1,西湖龙井,1,100.00,"
    "买家已付款，等待卖家发货,2026-03-02 09:00:00,2026-03-02 09:01:00,,",
    "TB101,茶友乙,李四,13900001111,上海市 上海市 浦东新区 张江路 8 号 1 幢 101 室,P-1,西湖龙井,2,100.00,"
    "买家已付款，等待卖家发货,2026-03-02 10:00:00,2026-03-02 10:01:00,,请用礼盒包装",
    "TB102,茶友丙,赵六,13700002222,广东省 深圳市 南山区 科技园 9 号 3 幢 502 室,P-1,西湖龙井,1,100.00,"
    "买家已付款，等待卖家发货,2026-03-02 11:00:00,2026-03-02 11:01:00,老客户,",
]


@pytest.fixture
def shop(transactional_db, settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                                  "QUEUES": ["default", "imports"]}}
    settings.MEDIA_ROOT = tmp_path / "media"
    admin = get_user_model().objects.create_superuser("browser_admin", password=PASSWORD)
    client = Client.objects.create(code="CA", name="甲品牌")
    store = Store.objects.create(code="A-TB", name="甲品牌淘宝店", client=client,
                                 platform=Platform.objects.get(code="taobao"), status="active")
    style = Style.objects.create(client=client, style_no="T001", name="西湖龙井", unit_cost=Decimal("60"),
                                price=Decimal("100"))
    sku = SKU.objects.create(client=client, style=style, sku_code="T001-250", size="250g", barcode="6901234567000",
                             barcode_source="external")
    PlatformSKU.objects.create(store=store, sku=sku, platform_sku_code="P-1")
    wh = inventory.create_warehouse(user=admin, code="HZ", name="杭州仓")
    bin_ = inventory.create_bin(wh, user=admin, code="A-01-01")
    doc = DocRef(kind=DocKind.OPENING, id="1", number="OPEN")
    lot = inventory.open_lot(client=client, source=doc)
    post_moves([Move(sku_id=sku.pk, lot_id=lot.pk, quantity=10, to_bin=bin_)], doc=doc, user=admin)
    StoreWarehouse.objects.create(store=store, warehouse=wh, priority=1)
    clerk = get_user_model().objects.create_user("zhidan", password=PASSWORD)
    for perm in PERMS:
        app, codename = perm.split(".")
        clerk.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    ClientGrant.objects.create(user=clerk, client=client)
    export = tmp_path / "ExportOrderList.csv"
    export.write_bytes(("\n".join([HEADER, *ROWS]) + "\n").encode("gb18030"))
    return {"store": store, "export": export}


@pytest.mark.browser
def test_clerk_imports_an_export_and_reviews_a_batch_from_the_keyboard(live_server, page, log_in, shop):
    log_in("zhidan")

    # ORD-02: upload the platform's own export (GB18030, as Excel saves it); the job runs in the background.
    page.goto(live_server.url + "/order-imports/")
    page.select_option("#id_store", value=str(shop["store"].pk))
    page.select_option("#id_format", label="淘宝 单个合并文件（订单+宝贝，自制表格）")  # this sample is one merged file
    page.set_input_files("#id_file", str(shop["export"]))
    page.click("[data-testid=upload-form] button[type=submit]")
    page.wait_for_url(re.compile(r".*/order-imports/\d+/$"))
    page.wait_for_selector("[data-testid=job-state]:has-text('已完成')")
    assert "3" in page.locator("[data-testid=job-counts]").inner_text()
    # the bar is sized from data-eo-width by ecomops.js (no inline style under the Content-Security-Policy)
    assert page.locator("#job-progress .progress-bar").evaluate("bar => bar.style.width") == "100%"

    # ORD-03: the clean order was reviewed at once and its stock reserved; the two with a note or a
    # message wait for a person.
    clean = Order.objects.get(platform_order_no="TB100")
    assert clean.state == "reviewed" and clean.allocation_state == "allocated"
    page.goto(live_server.url + "/orders/review/")
    page.click("[data-testid=take-batch]")
    page.wait_for_url(re.compile(r".*/orders/review/batch/\d+/$"))
    rows = page.locator("[data-testid=batch-orders] tbody tr")
    assert rows.count() == 2
    assert "请用礼盒包装" in page.locator("[data-testid=batch-orders]").inner_text()

    # Keyboard only: A approves the highlighted order, then H holds the next with a reason.
    first = rows.nth(0).get_attribute("data-order")
    second = rows.nth(1).get_attribute("data-order")
    page.keyboard.press("a")
    page.wait_for_selector(f"tr[data-order='{first}'] >> text=已审单")
    # The swapped-in row settles, then the highlight moves on to the next order still waiting.
    page.wait_for_selector(f"tr.table-active[data-order='{second}']")
    page.once("dialog", lambda dialog: dialog.accept("买家要求改地址，待确认"))
    page.keyboard.press("h")
    page.wait_for_selector(".alert >> text=已挂起")
    states = dict(Order.objects.filter(platform_order_no__in=["TB101", "TB102"]).values_list("pk", "state"))
    assert states[int(first)] == "reviewed"
    assert sorted(states.values()) == ["on_hold", "reviewed"]
    held = Order.objects.get(state="on_hold")
    assert held.exception_reason == "买家要求改地址，待确认"

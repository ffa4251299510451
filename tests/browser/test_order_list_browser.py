"""Issue 15 in a real browser: an order clerk selects several orders on the order list, holds them in
one batch action with a reason, and finds them on the 挂起 tab (its count up by three); the order left
unselected stays where it was. The page's script is a static file (the Content-Security-Policy
allows no inline script): select-all and the selection count work under it."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from ecomops.catalog.models import SKU, PlatformSKU, Style
from ecomops.orders import actions
from ecomops.orders.actions import LineInput
from ecomops.orders.models import Order
from ecomops.org.models import Client, ClientGrant, Platform, Store

PASSWORD = "Browser-Passw0rd!"
PERMS = ("orders.view_order", "orders.hold_order", "orders.change_order", "orders.view_orderevent")
NUMBERS = ("TB501", "TB502", "TB503", "TB504")


@pytest.fixture
def shop(transactional_db):
    admin = get_user_model().objects.create_superuser("browser_admin", password=PASSWORD)
    client = Client.objects.create(code="CA", name="甲品牌")
    store = Store.objects.create(code="A-TB", name="甲品牌淘宝店", client=client,
                                 platform=Platform.objects.get(code="taobao"), status="active")
    style = Style.objects.create(client=client, style_no="T001", name="西湖龙井", unit_cost=Decimal("60"),
                                 price=Decimal("100"))
    sku = SKU.objects.create(client=client, style=style, sku_code="T001-250", size="250g", barcode="6901234567000",
                             barcode_source="external")
    PlatformSKU.objects.create(store=store, sku=sku, platform_sku_code="P-1")
    for hour, number in enumerate(NUMBERS, start=9):
        actions.create_order(user=admin, store=store, platform_order_no=number,
                             placed_at=datetime(2026, 3, 2, hour, tzinfo=ZoneInfo("Asia/Shanghai")),
                             lines=[LineInput(quantity=1, unit_price=Decimal("100.00"), platform_sku_code="P-1")],
                             receiver_name="王小二", receiver_phone="13812345678",
                             receiver_address="文三路 1 号 2 幢 301 室", province="浙江省", city="杭州市")
    clerk = get_user_model().objects.create_user("dingdan", password=PASSWORD)
    for perm in PERMS:
        app, codename = perm.split(".")
        clerk.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    ClientGrant.objects.create(user=clerk, client=client)
    return store


@pytest.mark.browser
def test_clerk_selects_orders_on_the_list_and_holds_them_in_one_action(live_server, page, log_in, shop):
    refused = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text else None)
    log_in("dingdan")
    page.goto(live_server.url + "/orders/")
    assert page.locator("[data-tab=on_hold] [data-testid=tab-count]").inner_text() == "0"
    bar = page.locator("[data-testid=bulk-bar]")
    # Nothing selected yet: the batch buttons wait (the page's script runs under the CSP).
    assert bar.locator("[data-testid=bulk-hold]").is_disabled()

    # Select all on the page, then leave one out: three selected.
    page.check("[data-testid=select-all]")
    assert page.locator("input.eo-row-check:checked").count() == 4
    page.uncheck("tr[data-order=TB504] input.eo-row-check")
    assert "已选 3 单" in bar.locator("[data-testid=bulk-count]").inner_text()
    assert not bar.locator("[data-testid=bulk-hold]").is_disabled()

    page.fill("[data-testid=bulk-text]", "买家要求暂缓发货")
    bar.locator("[data-testid=bulk-hold]").click()
    page.wait_for_selector(".alert >> text=3 成功，0 失败")

    # The 挂起 tab: its count and its rows are the three held orders.
    assert page.locator("[data-tab=on_hold] [data-testid=tab-count]").inner_text() == "3"
    page.click("[data-tab=on_hold]")
    page.wait_for_url("**/orders/?state=on_hold")
    rows = page.locator("[data-testid=order-table] tbody tr")
    assert sorted(rows.nth(n).get_attribute("data-order") for n in range(rows.count())) == ["TB501", "TB502",
                                                                                            "TB503"]
    assert "买家要求暂缓发货" in page.locator("[data-testid=order-table]").inner_text()
    assert dict(Order.objects.values_list("platform_order_no", "state")) == {
        "TB501": "on_hold", "TB502": "on_hold", "TB503": "on_hold", "TB504": "placed"}
    assert not refused, refused

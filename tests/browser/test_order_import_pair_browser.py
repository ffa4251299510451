"""ORD-02, LAW-04 in a real browser: a Taobao seller's clerk uploads the seller centre's two files
(订单报表 + 宝贝报表, GB18030, chosen in the item-file-first order) on the import page, watches the
background job finish and sees its counts; then uploads one .zip holding both, which changes nothing."""

import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from ecomops.catalog.models import SKU, PlatformSKU, Style
from ecomops.orderimport.models import ImportJob
from ecomops.orderimport.tests.fixtures.make_fixtures import PAIRS
from ecomops.orders.models import Order
from ecomops.org.models import Client, ClientGrant, Platform, Store

PASSWORD = "Browser-Passw0rd!"
PERMS = ("orderimport.view_importjob", "orderimport.add_importjob", "orders.view_order", "orders.view_orderevent")
FIXTURES = Path(__file__).resolve().parents[2] / "ecomops/orderimport/tests/fixtures"


@pytest.fixture
def shop(transactional_db, settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                                  "QUEUES": ["default", "imports"]}}
    settings.MEDIA_ROOT = tmp_path / "media"
    client = Client.objects.create(code="CA", name="甲品牌")
    store = Store.objects.create(code="A-TB", name="甲品牌淘宝店", client=client,
                                 platform=Platform.objects.get(code="taobao"), status="active")
    style = Style.objects.create(client=client, style_no="TEA-001", name="西湖龙井", unit_cost=Decimal("60"),
                                 price=Decimal("100"))
    sku = SKU.objects.create(client=client, style=style, sku_code="TEA-001-250", size="250g",
                             barcode="2000000000015", barcode_source="external")
    SKU.objects.create(client=client, style=style, sku_code="TEA-002-100", size="100g", barcode="2000000000022",
                       barcode_source="external")
    PlatformSKU.objects.create(store=store, sku=sku, platform_sku_code="P-1")
    clerk = get_user_model().objects.create_user("zhidan", password=PASSWORD)
    for perm in PERMS:
        app, codename = perm.split(".")
        clerk.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    ClientGrant.objects.create(user=clerk, client=client)
    orders_name, items_name, _orders, _items = PAIRS["taobao_pair"]
    orders, items = FIXTURES / "taobao_pair" / orders_name, FIXTURES / "taobao_pair" / items_name
    archive = tmp_path / "淘宝订单导出.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.write(orders, orders.name)
        zipped.write(items, items.name)
    return {"store": store, "orders": orders, "items": items, "zip": archive}


def _finished(page, count_text: str):
    page.wait_for_url(re.compile(r".*/order-imports/\d+/$"))
    page.wait_for_selector("[data-testid=job-state]:has-text('已完成')")
    counts = page.locator("[data-testid=job-counts]").inner_text()
    assert re.search(count_text, counts), counts


@pytest.mark.browser
def test_ord02_clerk_uploads_a_taobao_pair_and_the_job_finishes_with_its_counts(live_server, page, log_in, shop):
    log_in("zhidan")

    page.goto(live_server.url + "/order-imports/")
    page.select_option("#id_store", value=str(shop["store"].pk))
    # The item file first: which is which comes from the headers.
    page.set_input_files("#id_file", str(shop["items"]))
    page.set_input_files("#id_second_file", str(shop["orders"]))
    page.click("[data-testid=upload-form] button[type=submit]")
    _finished(page, r"新增订单\s*4")
    assert shop["orders"].name in page.locator("[data-testid=job-files]").inner_text()
    assert Order.objects.filter(store=shop["store"]).count() == 4
    multi = Order.objects.get(platform_order_no="3958000000000101")
    assert list(multi.lines.order_by("line_no").values_list("title", flat=True)) == [
        "西湖龙井 250g 罐装 明前特级", "碧螺春 100g 袋装"]

    # The same export again, as the one .zip sellers keep: one job, nothing changes.
    page.goto(live_server.url + "/order-imports/")
    page.select_option("#id_store", value=str(shop["store"].pk))
    page.set_input_files("#id_file", str(shop["zip"]))
    page.click("[data-testid=upload-form] button[type=submit]")
    _finished(page, r"未变化订单\s*4")
    assert ImportJob.objects.count() == 2 and Order.objects.count() == 4

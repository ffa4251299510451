"""CAT-04, CAT-01, CAT-03, LAW-02 in a real browser: an e-commerce supervisor creates a new dress,
takes it through admission review, lists it in a store, sees the compliance hit in the title, fixes it,
and publishes it."""

import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model

from ecomops.catalog.models import Category
from ecomops.org.actions import hire_staff, set_positions
from ecomops.org.enums import StoreState
from ecomops.org.models import Client, ClientGrant, Department, Platform, Position, Store

PASSWORD = "Browser-Passw0rd!"


@pytest.fixture
def supervisor(transactional_db):
    admin = get_user_model().objects.create_superuser("browser_admin", password=PASSWORD)
    client = Client.objects.create(code="CA", name="甲品牌")
    Store.objects.create(code="A1", name="甲品牌淘宝店", client=client, platform=Platform.objects.get(code="taobao"),
                         status=StoreState.ACTIVE)
    Category.objects.create(code="clothing", name="服装")
    staff = hire_staff(user=admin, username="zhuguan", name="赵主管", employee_no="E001",
                       department=Department.objects.get(code="ecom"), hired_on=date(2024, 3, 1), password=PASSWORD)
    set_positions(staff, user=admin, positions=[Position.objects.get(code="ecom_supervisor")])
    ClientGrant.objects.create(user=staff.user, client=client)
    return staff


@pytest.mark.browser
def test_one_product_from_admission_through_review_to_listed(live_server, page, log_in, supervisor):
    log_in("zhuguan")

    # CAT-04: the product is created on the catalogue page, with its colour × size SKUs.
    page.goto(live_server.url + "/catalog/styles/new/")
    page.select_option("#id_client", label="甲品牌")
    page.fill("#id_style_no", "D001")
    page.fill("#id_name", "真丝连衣裙")
    page.select_option("#id_category", value=str(Category.objects.get(code="clothing").pk))
    page.fill("#id_unit_cost", "120.00")
    page.fill("#id_price", "399.00")
    page.fill("#id_colours", "黑色")
    page.fill("#id_sizes", "S, M")
    page.click("form button[type=submit].btn-primary")
    page.wait_for_url(re.compile(r".*/catalog/styles/\d+/$"))
    assert "D001" in page.content() and "黑色" in page.content()

    # CAT-01: the style waits for admission; open its review and check every item.
    page.click("nav >> text=商品审核与上架")
    page.wait_for_url(live_server.url + "/listing/")
    page.click("a.btn:has-text('商品审核')")
    page.locator("[data-testid=waiting-styles] li", has_text="D001").locator("button").click()
    assert "准入审核" in page.locator("h1").inner_text()
    for code in ("quality", "safety", "legality", "intellectual_property", "brand_authorisation", "certificates"):
        item = page.locator(f"[data-testid=item-{code}]")
        result = "not_applicable" if code in ("brand_authorisation", "certificates") else "passed"
        item.locator(f"select[name={code}-result]").select_option(result)
        if code == "quality":
            item.locator("input[name=quality-sampling_reference]").fill("抽检单 S-001 合格")
        item.locator("button[type=submit]").click()
        page.wait_for_selector(f"[data-testid=item-{code}] .badge:not(.text-bg-secondary)")
    page.click("[data-testid=approve-admission]")
    assert page.locator(".eo-subtitle [data-testid=status]").inner_text() == "准入通过"

    # CAT-02: a listing in the Taobao store, its title with a barred term.
    page.goto(live_server.url + "/listing/new/")
    page.select_option("#id_store", label="甲品牌淘宝店")
    page.fill("#id_style_no", "D001")
    page.fill("#id_title", "全网第一 真丝连衣裙")
    page.fill("#id_selling_points", "22姆米桑蚕丝\n可机洗")
    page.fill("#id_price", "399.00")
    page.click("form button[type=submit].btn-primary")
    page.click("[data-testid=submit-listing]")

    # LAW-02: the hit is shown, highlighted at its position; the listing waits for a person.
    assert page.locator("[data-testid=hit-mark]").first.inner_text() == "全网第一"
    assert "标题 · 第 1 字" in page.locator("[data-testid=hits]").inner_text()
    assert page.locator(".eo-subtitle [data-testid=status]").inner_text() == "合规待复核"
    page.fill("textarea[name=comment]", "删除“全网第一”")
    page.click("[data-testid=return-listing]")

    # Fix the text, submit again: clean content awaits review; approve and publish.
    page.fill("#id_title", "真丝连衣裙 夏季新款")
    page.click("[data-testid=save-content]")
    page.click("[data-testid=submit-listing]")
    assert page.locator(".eo-subtitle [data-testid=status]").inner_text() == "待审核"
    assert page.locator("[data-testid=hits]").count() == 0
    page.click("[data-testid=approve-listing]")
    assert page.locator(".eo-subtitle [data-testid=status]").inner_text() == "已上架"
    timeline = page.locator("[data-testid=timeline]").inner_text()
    for step in ("创建上架", "合规检查", "退回修改", "修改内容", "审核通过", "发布上架"):
        assert step in timeline

    page.goto(live_server.url + "/listing/?status=published")
    row = page.locator("[data-testid=listing-table] tbody tr")
    assert row.count() == 1
    assert "真丝连衣裙 夏季新款" in row.inner_text() and "已上架" in row.inner_text()

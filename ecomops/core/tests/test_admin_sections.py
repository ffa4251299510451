"""Issue 15: the admin's index and side menu group the models into six sections (订单、仓储、商品、
组织与制度、薪资、系统) instead of one flat list per app, and every registered model stays reachable."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client as HttpClient
from django.urls import reverse

from ecomops.core.admin import grouped_app_list

pytestmark = pytest.mark.django_db
SECTIONS = ["订单", "仓储", "商品", "组织与制度", "薪资", "系统"]


@pytest.fixture
def http():
    root = get_user_model().objects.create_superuser("root", password="x")
    client = HttpClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(root)
    return client


def _section(app_list, name):
    return {model["object_name"] for model in next(app["models"] for app in app_list if app["name"] == name)}


def test_the_admin_index_groups_every_model_into_six_sections(http):
    response = http.get(reverse("admin:index"))
    assert response.status_code == 200
    app_list = response.context["app_list"]
    assert [app["name"] for app in app_list] == SECTIONS
    assert {"Order", "ImportJob"} <= _section(app_list, "订单")
    assert {"Warehouse", "Receipt", "Transfer", "PurchaseOrder"} <= _section(app_list, "仓储")
    assert {"Style", "SKU"} <= _section(app_list, "商品")
    assert {"Staff", "Client", "PolicyParameter"} <= _section(app_list, "组织与制度")
    assert {"PaySlip"} <= _section(app_list, "薪资")
    assert {"User", "Group", "APIToken"} <= _section(app_list, "系统")
    html = response.content.decode()
    for model in admin.site._registry:  # every model reachable from the index
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert f'href="{url}"' in html, url
    listed = [model["object_name"] for app in app_list for model in app["models"]]
    assert len(listed) == len(set(listed)) == len(admin.site._registry)


def test_the_side_menu_has_the_sections_and_an_app_page_keeps_its_own_models(http):
    changelist = http.get(reverse("admin:orders_order_changelist"))
    assert [app["name"] for app in changelist.context["available_apps"]] == SECTIONS
    app_page = http.get(reverse("admin:app_list", args=["receiving"]))
    assert app_page.status_code == 200
    assert {m["object_name"] for app in app_page.context["app_list"] for m in app["models"]} == {"Receipt", "QcRecord"}


def test_an_app_no_section_names_falls_into_system():
    app_list = [{"app_label": "orders", "name": "Orders", "models": [{"object_name": "Order"}]},
                {"app_label": "newapp", "name": "New", "models": [{"object_name": "Thing"}]}]
    grouped = grouped_app_list(app_list)
    assert [(app["name"], [m["object_name"] for m in app["models"]]) for app in grouped] == [
        ("订单", ["Order"]), ("系统", ["Thing"])]

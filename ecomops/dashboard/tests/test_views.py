"""DAT-01 page: who sees the dashboard at /, the scope of a client user in the page and the export,
the period choice and its bad input, 我的待办."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.test import Client as HttpClient
from openpyxl import load_workbook

from ecomops.dashboard.views import read_choice


def grant_view(user):
    user.user_permissions.add(Permission.objects.get(content_type__app_label="dashboard", codename="view_dashboard"))


def client_of(user):
    http = HttpClient()
    http.force_login(user)
    return http


MARCH_10 = "?period=day&day=2026-03-10"


@pytest.mark.django_db
def test_home_is_the_dashboard_only_with_the_permission(shop, org):
    plain = client_of(org.user_a)
    response = plain.get("/")
    assert response.status_code == 200 and "dashboard/index.html" not in [t.name for t in response.templates]
    assert plain.get("/dashboard/").status_code == 403
    assert plain.get("/dashboard/export.xlsx").status_code == 403
    grant_view(org.user_a)
    allowed = client_of(org.user_a)
    response = allowed.get("/" + MARCH_10)
    assert "dashboard/index.html" in [t.name for t in response.templates]
    assert 'id="dashboard-charts"' in response.content.decode()
    assert 'href="/todo/"' in response.content.decode()
    todo = allowed.get("/todo/")
    assert todo.status_code == 200 and "home.html" in [t.name for t in todo.templates]


@pytest.mark.django_db
def test_client_user_sees_only_their_stores_in_page_and_export(shop, org):
    grant_view(org.member_a)
    http = client_of(org.member_a)
    page = http.get("/" + MARCH_10).content.decode()
    assert "¥150.43" in page and "甲品牌淘宝店" in page
    assert "乙品牌淘宝店" not in page and "1,000.00" not in page and "T恤" not in page
    # Asking for the other client's store or client narrows to nothing, never widens.
    other = http.get(f"/{MARCH_10}&store={org.store_b1.pk}").content.decode()
    assert "1,000.00" not in other and "乙品牌淘宝店" not in other
    other = http.get(f"/{MARCH_10}&client={org.client_b.pk}").content.decode()
    assert "1,000.00" not in other
    response = http.get(f"/dashboard/export.xlsx{MARCH_10}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    cells = [str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row]
    assert "150.43" in cells and "甲品牌淘宝店" in cells
    assert "乙品牌淘宝店" not in cells and "1000.00" not in cells and "1000" not in cells


@pytest.mark.django_db
def test_export_tables_match_the_figures(shop, org):
    response = client_of(org.admin).get(f"/dashboard/export.xlsx{MARCH_10}")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    stores = [list(r) for r in book["各店铺销售额"].iter_rows(values_only=True)]
    assert stores[0] == ["店铺", "销售额（元）", "订单数"]
    assert [r[0] for r in stores[1:]] == ["乙品牌淘宝店", "甲品牌淘宝店", "甲品牌京东店"]
    assert [float(r[1]) for r in stores[1:]] == [1000.0, 120.1, 30.33] and [r[2] for r in stores[1:]] == [1, 2, 1]


@pytest.mark.parametrize("query, message", [
    ({"period": "custom", "start": "2026-03-10", "end": "2026-03-01"}, "开始日期不能晚于结束日期"),
    ({"period": "custom", "start": "2026-02-30", "end": "2026-03-01"}, "须为有效日期"),
    ({"period": "custom", "start": "2020-01-01", "end": "2026-03-01"}, "最长"),
    ({"period": "year"}, "未知的统计周期"),
    ({"period": "month", "day": "03/10/2026"}, "日期无效"),
])
def test_bad_period_falls_back_to_today_with_a_message(query, message):
    choice = read_choice(query, date(2026, 3, 10))
    assert message in choice.error and choice.period.kind == "day" and choice.period.start == date(2026, 3, 10)


def test_good_periods():
    assert read_choice({"period": "week", "day": "2026-03-10"}, date(2026, 1, 1)).period.start == date(2026, 3, 9)
    custom = read_choice({"period": "custom", "start": "2026-03-01", "end": "2026-03-10"}, date(2026, 1, 1))
    assert (custom.period.kind, custom.period.days, custom.error) == ("custom", 10, "")


@pytest.mark.django_db
def test_bad_period_on_the_page_is_a_message_not_an_error(shop, org):
    response = client_of(org.admin).get("/?period=custom&start=x&end=2026-13-45")
    assert response.status_code == 200
    assert "须为有效日期" in response.content.decode()


@pytest.mark.django_db
def test_seeded_managers_and_client_users_get_the_permission():
    from django.contrib.auth.models import Group

    from ecomops.org.models import Position

    for code in ("general_manager", "ecom_supervisor", "warehouse_supervisor"):
        group = Position.objects.get(code=code).group
        assert group.permissions.filter(codename="view_dashboard").exists(), code
    assert Group.objects.get(name="委托方用户").permissions.filter(codename="view_dashboard").exists()
    assert not Position.objects.get(code="packer").group.permissions.filter(codename="view_dashboard").exists()

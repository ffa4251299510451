"""The organisation pages: scoping of clients and stores (DAT-02, AGY-07), forms that answer in
Chinese on the field, the department tree (ORG-01), staff with masked phones (ORG-02, LAW-04)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from ecomops.audit.models import PersonalDataAccess
from ecomops.org import actions
from ecomops.org.enums import AttendanceKind
from ecomops.org.models import Attendance, Client, Department, Position, Store


def with_perms(username: str, *perms: str):
    user = get_user_model().objects.create_user(username=username, password="x")
    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def hr(org):
    return with_perms(
        "hr_view",
        "org.view_department",
        "org.view_staff",
        "org.view_staff_personal",
        "org.view_attendance",
        "org.view_joblevel",
    )


@pytest.fixture
def supervisor(org):
    """May see departments and staff, but not personal data."""
    return with_perms("supervisor_view", "org.view_department", "org.view_staff")


@pytest.fixture
def clerk(org):
    return actions.hire_staff(
        user=org.admin,
        username="clerk01",
        name="王小丽",
        employee_no="W0001",
        department=Department.objects.get(code="warehouse.shipping"),
        hired_on=date(2024, 3, 1),
        phone="13812345678",
        positions=[Position.objects.get(code="packer")],
        primary_position=Position.objects.get(code="packer"),
    )


def login(client, user):
    client.force_login(user)
    return client


# --- Clients and stores: scoping (DAT-02, AGY-07) ----------------------------------------------


def test_client_list_shows_only_granted_clients(client, org):
    response = login(client, org.user_a).get(reverse("org:clients"))
    assert response.status_code == 200
    assert "甲品牌" in response.text and "乙品牌" not in response.text


@pytest.mark.parametrize("name", ["org:client_detail", "org:client_edit"])
def test_other_clients_client_pages_are_404(client, org, name):
    response = login(client, org.user_a).get(reverse(name, args=[org.client_b.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["org:store_detail", "org:store_edit"])
def test_other_clients_store_pages_are_404(client, org, name):
    response = login(client, org.user_a).get(reverse(name, args=[org.store_b1.pk]))
    assert response.status_code == 404


def test_editing_another_clients_store_by_post_is_404_and_changes_nothing(client, org):
    response = login(client, org.user_a).post(
        reverse("org:store_edit", args=[org.store_b1.pk]),
        {
            "code": "B1",
            "name": "改名",
            "client": org.client_a.pk,
            "platform": org.store_b1.platform_id,
            "status": "active",
        },
    )
    assert response.status_code == 404
    assert Store.objects.get(pk=org.store_b1.pk).name == "乙品牌淘宝店"


def test_store_grant_shows_the_client_with_that_store_only(client, org):
    response = login(client, org.user_a1).get(reverse("org:client_detail", args=[org.client_a.pk]))
    assert response.status_code == 200
    assert "甲品牌淘宝店" in response.text and "甲品牌京东店" not in response.text


def test_user_without_grants_sees_an_empty_list(client, org):
    response = login(client, org.nobody).get(reverse("org:stores"))
    assert response.status_code == 200
    assert "没有符合条件的店铺" in response.text


def test_client_member_sees_own_client_only_whatever_else_is_granted(client, org):
    login(client, org.member_a)
    listing = client.get(reverse("org:clients"))
    assert "甲品牌" in listing.text and "乙品牌" not in listing.text
    assert client.get(reverse("org:client_detail", args=[org.client_b.pk])).status_code == 404
    assert client.get(reverse("org:store_detail", args=[org.store_b1.pk])).status_code == 404


@pytest.mark.parametrize("name", ["org:departments", "org:staff", "org:client_create", "org:store_create"])
def test_client_member_never_sees_internal_pages(client, org, name):
    for perm in ("org.view_department", "org.view_staff", "org.add_client", "org.add_store"):
        app, codename = perm.split(".")
        org.member_a.user_permissions.add(
            Permission.objects.get(content_type__app_label=app, codename=codename)
        )
    member = get_user_model().objects.get(pk=org.member_a.pk)
    assert login(client, member).get(reverse(name)).status_code == 404


def test_store_search_and_filters(client, org):
    login(client, org.admin)
    response = client.get(
        reverse("org:stores"), {"client": org.client_a.pk, "platform": org.store_a2.platform_id}
    )
    assert "甲品牌京东店" in response.text and "甲品牌淘宝店" not in response.text
    response = client.get(reverse("org:stores"), {"q": "乙品牌"})
    assert "乙品牌淘宝店" in response.text and "甲品牌" not in response.text.split("<tbody>")[1]


def test_lists_are_paginated(client, org):
    taobao = org.store_a1.platform
    for n in range(30):
        Store.objects.create(code=f"P{n:02d}", name=f"分页店{n:02d}", client=org.client_a, platform=taobao)
    response = login(client, org.user_a).get(reverse("org:stores"))
    assert response.text.count("分页店") == 25 - 2  # the first page: A1, A2, then 23 of these
    assert "共 32 条" in response.text
    page2 = client.get(reverse("org:stores"), {"page": 2})
    assert page2.text.count("分页店") == 7


# --- Client and store forms --------------------------------------------------------------------


def test_create_client_through_the_form(client, org):
    user = with_perms("am", "org.view_client", "org.add_client")
    response = login(client, user).post(
        reverse("org:client_create"),
        {
            "code": "CC",
            "name": "丙品牌",
            "status": "active",
            "contract_start": "2025-01-01",
            "contract_end": "2025-12-31",
        },
    )
    created = Client.objects.get(code="CC")
    assert response.status_code == 302 and response["Location"] == reverse(
        "org:client_detail", args=[created.pk]
    )
    assert created.history.first().history_user == user  # audited (DAT-02)
    # Whoever signs a client up can open it afterwards.
    assert client.get(response["Location"]).status_code == 200


def test_client_form_errors_are_chinese_and_on_the_field(client, org):
    user = with_perms("am", "org.view_client", "org.add_client")
    response = login(client, user).post(
        reverse("org:client_create"),
        {
            "code": "有 空格",
            "name": "",
            "status": "active",
            "contract_start": "2025-06-01",
            "contract_end": "2025-01-01",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "编码只能包含字母、数字、下划线、点和连字符" in form.errors["code"][0]
    assert form.errors["name"] == ["这个字段是必填项。"]
    assert form.errors["contract_end"] == ["合同结束日期不能早于合同开始日期"]
    assert "is-invalid" in response.text
    assert not Client.objects.filter(name="").exists()


def test_duplicate_client_code_is_refused_on_the_code_field(client, org):
    user = with_perms("am", "org.view_client", "org.add_client")
    response = login(client, user).post(
        reverse("org:client_create"), {"code": "CA", "name": "重复", "status": "active"}
    )
    assert response.status_code == 200
    assert "已存在" in response.context["form"].errors["code"][0]


def test_a_refused_edit_shows_the_form_again_for_the_same_client(client, org):
    """The action's refusal (contract ends before it starts) lands on the form; nothing is saved."""
    response = login(client, org.user_a).post(
        reverse("org:client_edit", args=[org.client_a.pk]),
        {"code": "CA", "name": "甲品牌", "status": "active", "contract_start": "2026-05-01",
         "contract_end": "2026-04-01"},
    )
    assert response.status_code == 200
    assert response.context["client"] == org.client_a
    assert response.context["form"].errors
    org.client_a.refresh_from_db()
    assert org.client_a.contract_start is None


def test_edit_client_through_the_form(client, org):
    response = login(client, org.user_a).post(
        reverse("org:client_edit", args=[org.client_a.pk]),
        {
            "code": "CA",
            "name": "甲品牌（新）",
            "status": "active",
        },
    )
    assert response.status_code == 302
    org.client_a.refresh_from_db()
    assert org.client_a.name == "甲品牌（新）"
    assert org.client_a.history.first().history_type == "~"


def test_store_form_offers_only_clients_granted_whole(client, org):
    login(client, org.user_a)
    page = client.get(reverse("org:store_create"))
    choices = [str(label) for _value, label in page.context["form"].fields["client"].choices]
    assert "甲品牌" in choices and "乙品牌" not in choices
    response = client.post(
        reverse("org:store_create"),
        {
            "code": "A9",
            "name": "新店",
            "client": org.client_b.pk,
            "platform": org.store_a1.platform_id,
            "status": "onboarding",
        },
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.context["form"].errors["client"][0]
    assert not Store.objects.filter(code="A9").exists()


def test_create_store_through_the_form(client, org):
    login(client, org.user_a)
    response = client.post(
        reverse("org:store_create"),
        {
            "code": "A3",
            "name": "甲品牌拼多多店",
            "client": org.client_a.pk,
            "platform": org.store_a1.platform_id,
            "status": "onboarding",
            "opened_on": "2025-03-01",
        },
    )
    store = Store.objects.get(code="A3")
    assert response.status_code == 302 and store.client == org.client_a
    assert client.get(reverse("org:store_detail", args=[store.pk])).status_code == 200


def test_store_form_without_permission_is_403(client, org):
    assert login(client, org.user_a1).get(reverse("org:store_create")).status_code == 403


# --- Departments and staff -------------------------------------------------------------------


def test_department_tree_nests_groups_under_their_department(client, org, hr, clerk):
    response = login(client, hr).get(reverse("org:departments"))
    assert response.status_code == 200
    text = response.text
    ecom, promotion, warehouse = text.index("电子商务部"), text.index("网络推广组"), text.index("仓储部")
    assert ecom < promotion < warehouse  # the group sits inside its department's branch
    detail = client.get(reverse("org:department_detail", args=[Department.objects.get(code="warehouse").pk]))
    assert detail.status_code == 200 and "王小丽" in detail.text  # staff of its groups included
    only_own = client.get(
        reverse("org:department_detail", args=[Department.objects.get(code="warehouse").pk]), {"groups": "0"}
    )
    assert "王小丽" not in only_own.text


def test_department_pages_need_the_permission(client, org):
    assert login(client, org.user_a).get(reverse("org:departments")).status_code == 403


def test_staff_list_filters_by_department_position_and_status(client, org, hr, clerk):
    other = actions.hire_staff(
        user=org.admin,
        username="promo01",
        name="李推广",
        employee_no="P0001",
        department=Department.objects.get(code="ecom.promotion"),
        hired_on=date(2024, 1, 2),
        positions=[Position.objects.get(code="promoter")],
    )
    login(client, hr)
    everyone = client.get(reverse("org:staff"))
    assert "王小丽" in everyone.text and "李推广" in everyone.text
    by_department = client.get(reverse("org:staff"), {"department": Department.objects.get(code="ecom").pk})
    assert "李推广" in by_department.text and "王小丽" not in by_department.text
    by_position = client.get(reverse("org:staff"), {"position": Position.objects.get(code="packer").pk})
    assert "王小丽" in by_position.text and "李推广" not in by_position.text
    actions.staff_leaves(other, user=org.admin, left_on=timezone.localdate())
    assert "李推广" not in client.get(reverse("org:staff")).text  # active staff by default
    assert "李推广" in client.get(reverse("org:staff"), {"status": "left"}).text


def test_staff_phone_is_masked_in_the_list_and_on_the_page(client, org, supervisor, clerk):
    login(client, supervisor)
    listing = client.get(reverse("org:staff"))
    assert "138******78" in listing.text and "13812345678" not in listing.text
    page = client.get(reverse("org:staff_detail", args=[clerk.pk]))
    assert page.status_code == 200
    assert "138******78" in page.text and "13812345678" not in page.text
    assert "查看完整号码" not in page.text
    assert client.post(reverse("org:staff_phone", args=[clerk.pk])).status_code == 403
    assert not PersonalDataAccess.objects.exists()


def test_revealing_a_phone_needs_the_personal_permission_and_is_logged(client, org, hr, clerk):
    login(client, hr)
    page = client.get(reverse("org:staff_detail", args=[clerk.pk]))
    assert "查看完整号码" in page.text and "13812345678" not in page.text
    assert not PersonalDataAccess.objects.exists()  # opening the page reads nothing unmasked
    reveal = client.post(reverse("org:staff_phone", args=[clerk.pk]), HTTP_HX_REQUEST="true")
    assert reveal.status_code == 200 and "13812345678" in reveal.text
    assert "<html" not in reveal.text  # an htmx partial
    access = PersonalDataAccess.objects.get()
    assert (access.user, access.object_id, access.fields) == (hr, str(clerk.pk), "phone")


def test_staff_page_shows_positions_level_and_attendance(client, org, hr, clerk):
    today = timezone.localdate()
    first = today.replace(day=1)
    Attendance.objects.create(staff=clerk, date=first, kind=AttendanceKind.LATE, late_minutes=12)
    if today > first:
        Attendance.objects.create(staff=clerk, date=first + timedelta(days=1), kind=AttendanceKind.PRESENT)
    page = login(client, hr).get(reverse("org:staff_detail", args=[clerk.pk]))
    assert "打包专员" in page.text and "主岗" in page.text
    this_month = page.context["months"][0]
    assert this_month["summary"].late == 1 and this_month["late_minutes"] == 12


def test_client_contact_phone_is_masked_and_revealed_on_request_with_a_log(client, org):
    actions.update_client(org.client_a, user=org.admin, contact_name="张经理", contact_phone="13698765432")
    viewer = with_perms("viewer", "org.view_client")
    from ecomops.org.models import ClientGrant

    ClientGrant.objects.create(user=viewer, client=org.client_a)
    client.force_login(viewer)
    page = client.get(reverse("org:client_detail", args=[org.client_a.pk]))
    assert "136******32" in page.text and "13698765432" not in page.text and "查看完整号码" not in page.text
    assert client.post(reverse("org:client_phone", args=[org.client_a.pk])).status_code == 403

    client.force_login(org.user_a)  # manages client A
    page = client.get(reverse("org:client_detail", args=[org.client_a.pk]))
    assert "查看完整号码" in page.text and not PersonalDataAccess.objects.exists()
    reveal = client.post(reverse("org:client_phone", args=[org.client_a.pk]), HTTP_HX_REQUEST="true")
    assert "13698765432" in reveal.text
    assert PersonalDataAccess.objects.get().fields == "contact_phone"
    client.force_login(org.user_b)  # another client's manager: the record does not exist for them
    assert client.post(reverse("org:client_phone", args=[org.client_a.pk])).status_code == 404

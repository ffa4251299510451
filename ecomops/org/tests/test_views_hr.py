"""The HR and access pages: hiring (ORG-02: permissions follow positions), changing positions,
leaving, the access scope of a person (DAT-02: client and store grants, handed out only within the
granting user's own scope) and a client's own logins (AGY-07). Everything goes through org.actions."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from ecomops.org import actions
from ecomops.org.enums import StaffState
from ecomops.org.models import ClientGrant, ClientMember, Department, Position, Staff, Store, StoreGrant

User = get_user_model()
STRONG = "Qinghe-Tea-2026!"


def with_perms(username: str, *perms: str):
    user = User.objects.create_user(username=username, password="x")
    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    return User.objects.get(pk=user.pk)


def fresh(user):
    """The account as the next request would load it (permission and scope caches empty)."""
    return User.objects.get(pk=user.pk)


def position(code: str) -> Position:
    return Position.objects.get(code=code)


@pytest.fixture
def hr(org):
    """An HR officer: the seeded position gives view/add/change staff (ORG-02), but no grants."""
    person = actions.hire_staff(
        user=org.admin,
        username="hr01",
        name="周人事",
        employee_no="H0001",
        department=Department.objects.get(code="hr"),
        hired_on=date(2023, 5, 1),
        positions=[position("hr_officer")],
        primary_position=position("hr_officer"),
        password=STRONG,
    )
    return fresh(person.user)


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
        positions=[position("packer")],
        primary_position=position("packer"),
        password=STRONG,
    )


@pytest.fixture
def grantor_a(org):
    """May hand out grants, and sees client A only: may pass on no more than that (DAT-02)."""
    user = with_perms("grantor_a", "org.view_staff", "org.add_clientgrant", "org.view_client", "org.view_store")
    ClientGrant.objects.create(user=user, client=org.client_a)
    return fresh(user)


def hire_data(**changes) -> dict:
    data = {
        "username": "packer02",
        "name": "陈打包",
        "employee_no": "W0002",
        "department": Department.objects.get(code="warehouse.shipping").pk,
        "hired_on": "2026-03-02",
        "positions": [position("packer").pk, position("order_clerk").pk],
        "primary_position": position("packer").pk,
        "job_level": "",
        "phone": "139 0000 1111",
        "email": "chen@example.com",
        "password": STRONG,
        "password_confirm": STRONG,
    }
    data.update(changes)
    return data


def visible_store_codes(user) -> set[str]:
    return set(Store.objects.visible_to(fresh(user)).values_list("code", flat=True))


# --- Hiring (ORG-02) -----------------------------------------------------------------------------


def test_hiring_through_the_form_gives_the_positions_permission_groups(client, org, hr):
    client.force_login(hr)
    page = client.get(reverse("org:staff"))
    assert reverse("org:staff_create") in page.text  # the 新员工 button
    response = client.post(reverse("org:staff_create"), hire_data())
    person = Staff.objects.get(employee_no="W0002")
    assert response.status_code == 302
    assert response["Location"] == reverse("org:staff_detail", args=[person.pk])
    account = fresh(person.user)
    assert set(account.groups.all()) == {position("packer").group, position("order_clerk").group}
    assert account.has_perm("org.view_client")  # from 制单专员, not given to 打包专员
    primary = person.position_links.get(is_primary=True)
    assert primary.position == position("packer")
    assert (person.name, person.phone, account.email) == ("陈打包", "139 0000 1111", "chen@example.com")
    assert client.login(username="packer02", password=STRONG)


def test_hiring_without_a_password_leaves_an_account_that_cannot_log_in_yet(client, org, hr):
    client.force_login(hr)
    form = client.get(reverse("org:staff_create"))
    assert "留空时该账号暂不能登录" in form.text
    response = client.post(
        reverse("org:staff_create"), hire_data(password="", password_confirm="", positions=[], primary_position=""),
        follow=True,
    )
    assert "尚未设置密码，该账号暂不能登录" in response.text
    account = Staff.objects.get(employee_no="W0002").user
    assert not account.has_usable_password()
    assert not client.login(username="packer02", password="")


def test_the_positions_are_offered_under_their_department(client, org, hr):
    page = client.force_login(hr) or client.get(reverse("org:staff_create"))
    groups = dict(page.context["form"].position_groups())
    shipping = [str(w.choice_label) for w in groups["仓储部 / 发货部"]]
    assert "打包专员" in shipping and "推广员" not in shipping
    text = page.text.split('data-testid="positions-field"')[1]
    assert text.index("仓储部 / 发货部") < text.index("打包专员") < text.index("人事行政部")


def test_a_bad_hire_form_shows_chinese_errors_on_the_fields_and_writes_nothing(client, org, hr):
    users_before, staff_before = User.objects.count(), Staff.objects.count()
    client.force_login(hr)
    response = client.post(
        reverse("org:staff_create"),
        hire_data(username="USER_A", name="", employee_no="", department="", password="12345678",
                  password_confirm="12345678"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["username"] == ["登录账号 USER_A 已存在"]  # user_a exists: case does not matter
    assert errors["name"] == ["这个字段是必填项。"]
    assert errors["employee_no"] == ["这个字段是必填项。"]
    assert errors["department"] == ["这个字段是必填项。"]
    assert "密码太短，至少需要 10 个字符" in errors["password"]  # AUTH_PASSWORD_VALIDATORS: 10
    assert "密码只包含数字。" in errors["password"]
    assert 'aria-invalid="true"' in response.text
    assert (User.objects.count(), Staff.objects.count()) == (users_before, staff_before)


def test_hire_refuses_a_mismatched_confirmation_a_used_employee_no_and_a_missing_primary(client, org, hr, clerk):
    client.force_login(hr)
    response = client.post(
        reverse("org:staff_create"),
        hire_data(employee_no="w0001", password_confirm="Another-Pass-2026", primary_position=""),
    )
    errors = response.context["form"].errors
    assert errors["employee_no"] == ["工号 w0001 已被使用"]
    assert errors["password_confirm"] == ["两次输入的密码不一致"]
    assert errors["primary_position"] == ["兼任多个岗位时请指定主岗"]
    assert not User.objects.filter(username="packer02").exists()


def test_a_password_like_the_persons_own_name_is_refused(client, org, hr):
    client.force_login(hr)
    response = client.post(
        reverse("org:staff_create"), hire_data(password="packer02packer", password_confirm="packer02packer")
    )
    assert any("相似" in e for e in response.context["form"].errors["password"])
    assert not User.objects.filter(username="packer02").exists()


# --- Staff data, positions and leaving -----------------------------------------------------------


def test_editing_the_basic_data_goes_through_the_action(client, org, hr, clerk):
    client.force_login(hr)
    level = actions.create_job_level(
        user=org.admin, ladder="professional", code="P2", name="专员", rank=2, salary_min="4500", salary_max="6000"
    )
    response = client.post(
        reverse("org:staff_edit", args=[clerk.pk]),
        {
            "name": "王小丽",
            "department": Department.objects.get(code="warehouse.order_processing").pk,
            "hired_on": "2024-03-01",
            "job_level": level.pk,
            "phone": "13812345679",
        },
    )
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert (clerk.department.code, clerk.job_level, clerk.phone) == ("warehouse.order_processing", level, "13812345679")
    assert clerk.history.first().history_user == hr  # audited (DAT-02)


def test_changing_positions_moves_the_permission_groups(client, org, hr, clerk):
    other = Group.objects.create(name="值班名单")  # not a position's group: left alone
    clerk.user.groups.add(other)
    assert not fresh(clerk.user).has_perm("org.view_client")
    client.force_login(hr)
    page = client.get(reverse("org:staff_positions", args=[clerk.pk]))
    assert page.context["form"]["positions"].value() == [position("packer").pk]
    response = client.post(
        reverse("org:staff_positions", args=[clerk.pk]),
        {"positions": [position("order_clerk").pk], "primary_position": ""},
    )
    assert response.status_code == 302
    account = fresh(clerk.user)
    assert set(account.groups.all()) == {position("order_clerk").group, other}
    assert account.has_perm("org.view_client")
    assert list(clerk.position_links.values_list("position__code", "is_primary")) == [("order_clerk", True)]


def test_the_primary_position_must_be_one_of_the_chosen(client, org, hr, clerk):
    client.force_login(hr)
    response = client.post(
        reverse("org:staff_positions", args=[clerk.pk]),
        {"positions": [position("order_clerk").pk], "primary_position": position("packer").pk},
    )
    assert response.context["form"].errors["primary_position"] == ["主岗须是所选岗位之一"]
    assert set(fresh(clerk.user).groups.all()) == {position("packer").group}


def test_leaving_deactivates_the_login(client, org, hr, clerk):
    client.force_login(hr)
    refused = client.post(reverse("org:staff_leave", args=[clerk.pk]), {"left_on": "2026-04-30"})
    assert refused.context["form"].errors["confirm"] == ["请勾选确认后再办理离职"]
    too_early = client.post(reverse("org:staff_leave", args=[clerk.pk]), {"left_on": "2024-02-01", "confirm": "on"})
    assert too_early.context["form"].errors["left_on"] == ["离职日期不能早于入职日期"]
    assert fresh(clerk.user).is_active

    response = client.post(reverse("org:staff_leave", args=[clerk.pk]), {"left_on": "2026-04-30", "confirm": "on"})
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert (clerk.status, clerk.left_on) == (StaffState.LEFT, date(2026, 4, 30))
    account = fresh(clerk.user)
    assert not account.is_active and not account.groups.exists()
    client.logout()
    assert not client.login(username="clerk01", password=STRONG)


# --- Access scope: grants (DAT-02) ---------------------------------------------------------------


def test_grants_through_the_page_change_what_the_person_sees(client, org, clerk):
    client.force_login(org.admin)
    assert visible_store_codes(clerk.user) == set()
    page = client.get(reverse("org:staff_detail", args=[clerk.pk]))
    assert "尚无数据范围" in page.text

    response = client.post(
        reverse("org:staff_grant_client", args=[clerk.pk]), {"client": org.client_a.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "<html" not in response.text  # the section, re-rendered
    assert "已授权委托方 甲品牌" in response.text and "1 个委托方，2 个店铺" in response.text
    assert visible_store_codes(clerk.user) == {"A1", "A2"}
    assert ClientGrant.objects.get(user=clerk.user).granted_by == org.admin

    response = client.post(reverse("org:staff_grant_store", args=[clerk.pk]), {"store": org.store_b1.pk})
    assert response.status_code == 302  # without htmx: back to the page
    assert visible_store_codes(clerk.user) == {"A1", "A2", "B1"}
    page = client.get(reverse("org:staff_detail", args=[clerk.pk]))
    assert "1 个委托方，3 个店铺" in page.text

    response = client.post(
        reverse("org:staff_revoke_client", args=[clerk.pk, org.client_a.pk]), HTTP_HX_REQUEST="true"
    )
    assert "已撤销 甲品牌 的授权" in response.text and "0 个委托方，1 个店铺" in response.text
    assert visible_store_codes(clerk.user) == {"B1"}
    client.post(reverse("org:staff_revoke_store", args=[clerk.pk, org.store_b1.pk]))
    assert visible_store_codes(clerk.user) == set()


def test_the_scope_summary_says_all_clients_for_those_who_see_everything(client, org, clerk):
    clerk.user.groups.add(position("general_manager").group)  # org.access_all_clients
    page = client.force_login(org.admin) or client.get(reverse("org:staff_detail", args=[clerk.pk]))
    assert "全部委托方" in page.context["access"]["summary"]


def test_a_grant_already_held_is_not_offered_again(client, org, clerk):
    actions.grant_client(clerk.user, org.client_a, user=org.admin)
    page = client.force_login(org.admin) or client.get(reverse("org:staff_detail", args=[clerk.pk]))
    access = page.context["access"]
    assert list(access["client_form"].fields["client"].queryset) == [org.client_b]
    store_values = [v for _group, options in access["store_form"].fields["store"].choices[1:] for v, _ in options]
    assert store_values == [org.store_b1.pk]  # A1, A2 come with client A already


def test_grant_selects_offer_only_the_granting_users_own_scope(client, org, clerk, grantor_a):
    client.force_login(grantor_a)
    page = client.get(reverse("org:staff_detail", args=[clerk.pk]))
    access = page.context["access"]
    assert [str(label) for _v, label in access["client_form"].fields["client"].choices][1:] == ["甲品牌（CA）"]
    groups = dict(access["store_form"].fields["store"].choices[1:])
    assert list(groups) == ["甲品牌"]
    assert "乙品牌" not in page.text.split('data-testid="staff-access"')[1]


def test_a_forged_grant_outside_the_granting_users_scope_is_refused_and_writes_nothing(client, org, clerk, grantor_a):
    client.force_login(grantor_a)
    response = client.post(
        reverse("org:staff_grant_client", args=[clerk.pk]), {"client": org.client_b.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.context["access"]["client_form"].errors["client"][0]
    response = client.post(reverse("org:staff_grant_store", args=[clerk.pk]), {"store": org.store_b1.pk})
    assert response.status_code == 200  # the page again, with the error on the field
    assert "选择一个有效的选项" in response.context["access"]["store_form"].errors["store"][0]
    assert not ClientGrant.objects.filter(user=clerk.user).exists()
    assert not StoreGrant.objects.filter(user=clerk.user).exists()
    assert visible_store_codes(clerk.user) == set()


def test_a_grant_outside_the_granting_users_scope_is_neither_named_nor_revocable(client, org, clerk, grantor_a):
    actions.grant_client(clerk.user, org.client_b, user=org.admin)
    actions.grant_store(clerk.user, org.store_b1, user=org.admin)
    client.force_login(grantor_a)
    page = client.get(reverse("org:staff_detail", args=[clerk.pk]))
    assert page.context["access"]["hidden_count"] == 2
    assert "乙品牌" not in page.text.split('data-testid="staff-access"')[1]
    assert client.post(reverse("org:staff_revoke_client", args=[clerk.pk, org.client_b.pk])).status_code == 404
    assert client.post(reverse("org:staff_revoke_store", args=[clerk.pk, org.store_b1.pk])).status_code == 404
    assert visible_store_codes(clerk.user) == {"B1"}


def test_a_store_grant_does_not_let_its_holder_grant_the_whole_client(client, org, clerk):
    grantor = with_perms("grantor_a1", "org.view_staff", "org.add_clientgrant")
    StoreGrant.objects.create(user=grantor, store=org.store_a1)
    client.force_login(grantor)
    response = client.post(reverse("org:staff_grant_client", args=[clerk.pk]), {"client": org.client_a.pk})
    assert response.context["access"]["client_form"].errors["client"]
    assert client.post(reverse("org:staff_grant_store", args=[clerk.pk]), {"store": org.store_a1.pk}).status_code == 302
    assert visible_store_codes(clerk.user) == {"A1"}


def test_a_person_who_left_gets_no_new_grants(client, org, clerk):
    actions.staff_leaves(clerk, user=org.admin, left_on=date(2026, 4, 30))
    client.force_login(org.admin)
    page = client.get(reverse("org:staff_detail", args=[clerk.pk]))
    assert "账号已停用" in page.text and 'data-testid="grant-client-form"' not in page.text
    response = client.post(reverse("org:staff_grant_client", args=[clerk.pk]), {"client": org.client_a.pk})
    assert response.context["access"]["client_form"].non_field_errors() == ["该账号已停用，不能再授权"]
    assert not ClientGrant.objects.filter(user=clerk.user).exists()


# --- Who may: 403 without the permission, 404 for client users ----------------------------------


def staff_pages(person_pk: int, client_pk: int, store_pk: int):
    """(method, url, needed permission) of every page of this module."""
    return [
        ("get", reverse("org:staff_create"), "org.add_staff"),
        ("post", reverse("org:staff_create"), "org.add_staff"),
        ("get", reverse("org:staff_edit", args=[person_pk]), "org.change_staff"),
        ("get", reverse("org:staff_positions", args=[person_pk]), "org.change_staff"),
        ("post", reverse("org:staff_positions", args=[person_pk]), "org.change_staff"),
        ("get", reverse("org:staff_leave", args=[person_pk]), "org.change_staff"),
        ("post", reverse("org:staff_leave", args=[person_pk]), "org.change_staff"),
        ("post", reverse("org:staff_grant_client", args=[person_pk]), "org.add_clientgrant"),
        ("post", reverse("org:staff_grant_store", args=[person_pk]), "org.add_clientgrant"),
        ("post", reverse("org:staff_revoke_client", args=[person_pk, client_pk]), "org.add_clientgrant"),
        ("post", reverse("org:staff_revoke_store", args=[person_pk, store_pk]), "org.add_clientgrant"),
        ("get", reverse("org:client_member_create", args=[client_pk]), "org.add_clientmember"),
        ("post", reverse("org:client_member_create", args=[client_pk]), "org.add_clientmember"),
    ]


def test_without_the_permission_every_page_is_403_and_nothing_changes(client, org, clerk):
    actions.grant_client(clerk.user, org.client_a, user=org.admin)
    actions.grant_store(clerk.user, org.store_b1, user=org.admin)
    viewer = with_perms("viewer", "org.view_staff", "org.view_client", "org.view_store", "org.access_all_clients")
    client.force_login(viewer)
    for method, url, _perm in staff_pages(clerk.pk, org.client_a.pk, org.store_b1.pk):
        data = {"client": org.client_b.pk, "store": org.store_a1.pk, "left_on": "2026-04-30", "confirm": "on"}
        response = getattr(client, method)(url, data if method == "post" else None)
        assert response.status_code == 403, url
    page = client.get(reverse("org:staff_detail", args=[clerk.pk]))
    assert "access" not in page.context and reverse("org:staff_edit", args=[clerk.pk]) not in page.text
    assert visible_store_codes(clerk.user) == {"A1", "A2", "B1"} and fresh(clerk.user).is_active


def test_the_hr_officer_may_hire_but_not_hand_out_grants(client, org, hr, clerk):
    client.force_login(hr)
    assert client.get(reverse("org:staff_create")).status_code == 200
    page = client.get(reverse("org:staff_detail", args=[clerk.pk]))
    assert "access" not in page.context
    response = client.post(reverse("org:staff_grant_client", args=[clerk.pk]), {"client": org.client_a.pk})
    assert response.status_code == 403 and not ClientGrant.objects.filter(user=clerk.user).exists()


def test_a_client_member_gets_404_on_every_page_whatever_they_hold(client, org, clerk):
    perms = {"org.view_staff", "org.view_client", *(p for _m, _u, p in staff_pages(clerk.pk, 0, 0))}
    for perm in perms:
        app, codename = perm.split(".")
        org.member_a.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    client.force_login(fresh(org.member_a))
    for method, url, _perm in staff_pages(clerk.pk, org.client_a.pk, org.store_a1.pk):
        response = getattr(client, method)(url, {"client": org.client_a.pk, "store": org.store_a1.pk})
        assert response.status_code == 404, url
    page = client.get(reverse("org:client_detail", args=[org.client_a.pk]))
    assert page.status_code == 200 and 'data-testid="client-members"' not in page.text
    assert not ClientGrant.objects.filter(user=clerk.user).exists()


# --- A client's own logins (AGY-07) --------------------------------------------------------------


@pytest.fixture
def account_manager(org):
    user = with_perms("am_a", "org.view_client", "org.view_store", "org.add_clientmember")
    ClientGrant.objects.create(user=user, client=org.client_a)
    return fresh(user)


def test_adding_a_client_user_creates_a_login_that_sees_only_that_client(client, org, account_manager):
    client.force_login(account_manager)
    page = client.get(reverse("org:client_detail", args=[org.client_a.pk]))
    assert reverse("org:client_member_create", args=[org.client_a.pk]) in page.text
    response = client.post(
        reverse("org:client_member_create", args=[org.client_a.pk]),
        {"username": "jia_ops", "name": "甲方运营", "title": "电商经理", "email": "ops@jia.example",
         "password": STRONG, "password_confirm": STRONG},
    )
    assert response.status_code == 302
    member = ClientMember.objects.get(user__username="jia_ops")
    assert (member.client, member.title, member.user.first_name) == (org.client_a, "电商经理", "甲方运营")
    assert visible_store_codes(member.user) == {"A1", "A2"}
    listing = client.get(reverse("org:client_detail", args=[org.client_a.pk]))
    assert "jia_ops" in listing.text and "电商经理" in listing.text and "从未登录" in listing.text

    client.logout()
    assert client.login(username="jia_ops", password=STRONG)
    assert client.get(reverse("org:client_detail", args=[org.client_b.pk])).status_code == 404


def test_a_bad_client_user_form_shows_errors_and_writes_nothing(client, org, account_manager):
    users_before = User.objects.count()
    client.force_login(account_manager)
    response = client.post(
        reverse("org:client_member_create", args=[org.client_a.pk]),
        {"username": "member_a", "name": "", "password": "password123", "password_confirm": "password123"},
    )
    errors = response.context["form"].errors
    assert errors["username"] == ["登录账号 member_a 已存在"]
    assert errors["name"] == ["这个字段是必填项。"]
    assert any("太常见" in e for e in errors["password"])
    assert User.objects.count() == users_before


def test_client_users_of_a_client_outside_the_scope_are_404(client, org, account_manager):
    client.force_login(account_manager)
    assert client.get(reverse("org:client_member_create", args=[org.client_b.pk])).status_code == 404
    response = client.post(
        reverse("org:client_member_create", args=[org.client_b.pk]),
        {"username": "yi_ops", "name": "乙方运营", "password": STRONG, "password_confirm": STRONG},
    )
    assert response.status_code == 404 and not User.objects.filter(username="yi_ops").exists()
    # Seen only through one of its stores: not theirs to hand logins out for either.
    store_only = with_perms("am_a1", "org.view_client", "org.add_clientmember")
    StoreGrant.objects.create(user=store_only, store=org.store_a1)
    client.force_login(store_only)
    assert client.get(reverse("org:client_member_create", args=[org.client_a.pk])).status_code == 404
    assert 'data-testid="client-members"' not in client.get(reverse("org:client_detail", args=[org.client_a.pk])).text

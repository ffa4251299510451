"""ORG-01, ORG-02, LAW-04, DAT-04 through the API: departments, positions and staff (writes through
org.actions with their permission checks), masked phone numbers, the current user and due items."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone

from ecomops.audit.models import DueItem, PersonalDataAccess
from ecomops.org.models import Department, Position, Staff

from .conftest import assert_error

pytestmark = pytest.mark.django_db
User = get_user_model()


def with_perms(user, *perms):
    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    return User.objects.get(pk=user.pk)


# --- departments (ORG-01) --------------------------------------------------------------------

def test_departments_need_the_view_permission(org, session_api):
    assert_error(session_api(org.nobody).get("departments"), 403, "forbidden")
    viewer = with_perms(org.nobody, "org.view_department")
    body = session_api(viewer).get("departments", {"page_size": 200}).json()
    assert body["count"] == Department.objects.count() > 0
    assert "ecom" in [d["code"] for d in body["items"]]


def test_department_tree_create_and_update_through_actions(org, session_api):
    api = session_api(org.admin)
    response = api.post("departments", {"code": "ecom-live", "name": "直播组", "parent_id": org.department.pk,
                                        "is_group": True})
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["parent_id"] == org.department.pk and created["is_group"] is True
    children = api.get("departments", {"parent_id": org.department.pk}).json()["items"]
    assert "ecom-live" in [d["code"] for d in children]

    # ORG-01 is a tree: a department cannot move below its own child.
    error = assert_error(api.patch(f"departments/{org.department.pk}", {"parent_id": created["id"]}), 400,
                         "invalid", "parent_id")
    assert "上级部门" in error["message"]
    assert_error(api.post("departments", {"code": "x1", "name": "x", "parent_id": 999999}), 400, "not_found",
                 "parent_id")
    renamed = api.patch(f"departments/{created['id']}", {"name": "直播运营组", "parent_id": None})
    assert renamed.status_code == 200 and renamed.json()["parent_id"] is None


def test_department_changes_need_the_permission_even_with_view(org, session_api):
    viewer = with_perms(org.nobody, "org.view_department")
    assert_error(session_api(viewer).post("departments", {"code": "x2", "name": "x"}), 403, "forbidden")
    assert_error(session_api(viewer).patch(f"departments/{org.department.pk}", {"name": "改"}), 403, "forbidden")
    assert Department.objects.get(pk=org.department.pk).name != "改"


# --- positions (ORG-02) ----------------------------------------------------------------------

def test_positions_carry_their_permissions(org, session_api):
    api = session_api(org.admin)
    body = api.get("positions", {"page_size": 200}).json()
    assert body["count"] == Position.objects.count() > 0
    position = Position.objects.exclude(group__permissions=None).first()
    detail = api.get(f"positions/{position.pk}").json()
    assert detail["code"] == position.code
    expected = {f"{p.content_type.app_label}.{p.codename}" for p in position.group.permissions.all()}
    assert set(detail["permissions"]) == expected


# --- staff -----------------------------------------------------------------------------------

def hire_payload(org, **extra):
    positions = list(Position.objects.order_by("sort_order")[:2])
    return {
        "username": "wang.wu", "name": "王五", "employee_no": "E1001", "department_id": org.department.pk,
        "hired_on": (timezone.localdate() - timedelta(days=10)).isoformat(), "phone": "13812345678",
        "position_ids": [p.pk for p in positions], "primary_position_id": positions[1].pk, **extra,
    }


def test_hire_staff_through_the_api_gives_positions_and_permissions(org, session_api):
    response = session_api(org.admin).post("staff", hire_payload(org))
    assert response.status_code == 201, response.content
    body = response.json()
    staff = Staff.objects.get(pk=body["id"])
    assert staff.user.username == "wang.wu"
    assert [p["is_primary"] for p in body["positions"]] == [True, False]
    assert set(staff.user.groups.all()) == {p.group for p in staff.positions.all()}


def test_hire_staff_refuses_bad_references_naming_the_field(org, session_api):
    api = session_api(org.admin)
    assert_error(api.post("staff", hire_payload(org, department_id=999999)), 400, "not_found", "department_id")
    assert_error(api.post("staff", hire_payload(org, position_ids=[999999])), 400, "not_found", "position_ids")
    assert_error(api.post("staff", hire_payload(org, phone="call me")), 422, "invalid", "phone")
    assert not Staff.objects.filter(employee_no="E1001").exists()
    assert session_api(org.admin).post("staff", hire_payload(org)).status_code == 201
    assert_error(api.post("staff", hire_payload(org, employee_no="E1002")), 400, "invalid", "username")


def test_staff_changes_need_the_permission(org, session_api):
    viewer = with_perms(org.nobody, "org.view_staff")
    assert_error(session_api(viewer).post("staff", hire_payload(org)), 403, "forbidden")


def test_staff_update_changes_record_and_positions(org, session_api):
    api = session_api(org.admin)
    created = api.post("staff", hire_payload(org)).json()
    other = Position.objects.order_by("-sort_order").first()
    response = api.patch(f"staff/{created['id']}", {"name": "王小五", "position_ids": [other.pk]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "王小五"
    assert [p["id"] for p in body["positions"]] == [other.pk]
    assert list(Staff.objects.get(pk=created["id"]).user.groups.all()) == [other.group]


def test_staff_phone_is_masked_unless_the_user_may_see_it(org, session_api):
    """LAW-04: the phone is masked for roles that do not need it; an unmasked read is logged (CRM-03)."""
    staff_id = session_api(org.admin).post("staff", hire_payload(org)).json()["id"]
    reader = with_perms(org.nobody, "org.view_staff")
    masked = session_api(reader).get(f"staff/{staff_id}").json()["phone"]
    assert masked != "13812345678" and "*" in masked and masked.startswith("138")
    listed = session_api(reader).get("staff").json()["items"]
    assert all("13812345678" != s["phone"] for s in listed)
    assert not PersonalDataAccess.objects.filter(user=reader).exists()

    hr = with_perms(org.user_b, "org.view_staff", "org.view_staff_personal")
    assert session_api(hr).get(f"staff/{staff_id}").json()["phone"] == "13812345678"
    read = PersonalDataAccess.objects.get(user=hr)
    assert read.object_id == str(staff_id) and read.fields == "phone"


# --- me, due items, platforms ----------------------------------------------------------------

def test_me_describes_the_user_and_their_scope(org, session_api):
    me = session_api(org.user_a).get("me").json()
    assert me["username"] == "user_a" and me["auth"] == "session" and me["kind"] == "user"
    assert me["scope"] == {"all": False, "client_ids": [org.client_a.pk],
                           "store_ids": sorted([org.store_a1.pk, org.store_a2.pk])}
    member = session_api(org.member_a).get("me").json()
    assert member["kind"] == "client_member" and member["client"]["code"] == "CA"
    assert member["scope"]["client_ids"] == [org.client_a.pk]
    assert session_api(org.admin).get("me").json()["scope"]["all"] is True


def test_my_due_items_are_mine_only_with_open_and_late_filters(org, session_api):
    """DAT-04: what, whose, due when, done when, late?"""
    now = timezone.now()
    late = DueItem.objects.create(kind="t", title="逾期", owner=org.user_a, due_at=now - timedelta(hours=1),
                                  source_id="1")
    soon = DueItem.objects.create(kind="t", title="未到期", owner=org.user_a, due_at=now + timedelta(hours=1),
                                  source_id="2")
    done = DueItem.objects.create(kind="t", title="已完成", owner=org.user_a, due_at=now - timedelta(days=1),
                                  done_at=now - timedelta(days=2), source_id="3")
    DueItem.objects.create(kind="t", title="别人的", owner=org.user_b, due_at=now, source_id="4")
    api = session_api(org.user_a)

    def ids(**params):
        return [item["id"] for item in api.get("me/due-items", params).json()["items"]]

    assert ids() == [done.pk, late.pk, soon.pk]
    assert ids(open="true") == [late.pk, soon.pk]
    assert ids(open="false") == [done.pk]
    assert ids(late="true") == [late.pk]
    assert ids(late="false") == [done.pk, soon.pk]
    assert ids(open="true", late="false") == [soon.pk]
    items = {item["id"]: item for item in api.get("me/due-items").json()["items"]}
    assert items[late.pk]["is_late"] is True and items[soon.pk]["is_late"] is False


def test_platforms_are_listed_for_any_signed_in_user(org, session_api):
    codes = [p["code"] for p in session_api(org.nobody).get("platforms", {"page_size": 200}).json()["items"]]
    assert {"taobao", "jd"} <= set(codes)


def test_client_contact_phone_is_masked_in_the_api(org, session_api):
    """LAW-04 / CRM-03: the API never hands out a full contact phone; the page reveals it with a log entry."""
    org.client_a.contact_phone = "13812345678"
    org.client_a.save()
    body = session_api(org.admin).get(f"clients/{org.client_a.pk}").json()
    assert body["contact_phone"] == "138******78"
    listed = session_api(org.user_a).get("clients").json()["items"]
    assert [c["contact_phone"] for c in listed] == ["138******78"]

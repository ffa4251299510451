"""ORG-01…05, AGY-07: organisation changes go through actions that check rights and keep history."""

from datetime import date, time
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from ecomops.core.errors import BusinessError, NotAllowed
from ecomops.org import actions
from ecomops.org.enums import AttendanceKind, LeaveState, StaffState
from ecomops.org.models import Department, JobLevel, Position, Staff
from ecomops.org.queries import month_attendance


def position(code):
    return Position.objects.get(code=code)


@pytest.fixture
def clerk(org):
    return actions.hire_staff(
        user=org.admin, username="clerk1", name="王小明", employee_no="E001",
        department=Department.objects.get(code="warehouse"), hired_on=date(2026, 1, 5),
        positions=[position("order_clerk"), position("waybill_printer")], primary_position=position("order_clerk"),
        password="Clerk-Passw0rd!",
    )


def test_seeded_org_01_departments_form_a_tree(db):
    promotion = Department.objects.get(code="ecom.promotion")
    assert promotion.parent.code == "ecom" and promotion.is_group
    assert promotion.path == "电子商务部 / 网络推广组"
    assert {"warehouse.order_processing", "warehouse.shipping"} <= {
        d.code for d in Department.objects.filter(pk__in=Department.objects.get(code="warehouse").descendant_ids())
    }


def test_seeded_org_02_positions_have_chinese_and_english_names(db):
    for code in ["warehouse_supervisor", "order_clerk", "warehouse_clerk", "stock_keeper", "verifier_weigher",
                 "packer", "statistician", "waybill_printer", "qc_inspector", "receiver", "after_sales",
                 "promoter", "product_editor", "designer"]:
        p = position(code)
        assert p.name and p.name_en and p.group_id


def test_person_holding_two_positions_gets_both_permission_sets(org, clerk):
    clerk = Staff.objects.get(pk=clerk.pk)
    assert set(clerk.positions.values_list("code", flat=True)) == {"order_clerk", "waybill_printer"}
    assert clerk.position_links.get(is_primary=True).position.code == "order_clerk"
    groups = set(clerk.user.groups.values_list("name", flat=True))
    assert groups == {position("order_clerk").group.name, position("waybill_printer").group.name}


def test_permissions_follow_positions(org, clerk):
    user = clerk.user
    assert not user.has_perm("policy.view_policyparameter")
    actions.set_positions(clerk, [position("statistician")], user=org.admin)
    user = type(user).objects.get(pk=user.pk)  # fresh permission cache
    assert user.has_perm("policy.view_policyparameter")
    assert list(user.groups.values_list("name", flat=True)) == [position("statistician").group.name]


def test_leaving_staff_cannot_log_in_and_keeps_history(org, clerk, client):
    actions.staff_leaves(clerk, user=org.admin, left_on=date(2026, 6, 30))
    clerk.refresh_from_db()
    assert clerk.status == StaffState.LEFT and not clerk.user.is_active
    assert not client.login(username="clerk1", password="Clerk-Passw0rd!")
    assert clerk.history.count() >= 2


def test_hiring_requires_permission(org):
    with pytest.raises(NotAllowed):
        actions.hire_staff(user=org.user_a, username="x", name="x", employee_no="X1",
                           department=org.department, hired_on=date(2026, 1, 1))


def test_duplicate_login_is_refused_with_the_field(org, clerk):
    with pytest.raises(BusinessError) as error:
        actions.hire_staff(user=org.admin, username="CLERK1", name="重复", employee_no="E002",
                           department=org.department, hired_on=date(2026, 1, 1))
    assert error.value.field == "username"


def test_department_cannot_move_below_itself(org):
    ecom = Department.objects.get(code="ecom")
    with pytest.raises(BusinessError) as error:
        actions.update_department(ecom, user=org.admin, parent=Department.objects.get(code="ecom.promotion"))
    assert error.value.field == "parent"


def test_job_level_band_must_be_ordered(db):
    JobLevel.objects.create(code="P1", name="初级", rank=1, salary_min=Decimal("3000"), salary_max=Decimal("4000"))
    with pytest.raises(IntegrityError), transaction.atomic():
        JobLevel.objects.create(code="P2", name="中级", rank=2, salary_min=Decimal("5000"),
                                salary_max=Decimal("4000"))


def test_client_member_cannot_be_granted_another_client(org):
    with pytest.raises(BusinessError):
        actions.grant_client(org.member_a, org.client_b, user=org.admin)


def test_user_cannot_change_a_client_outside_their_scope(org):
    with pytest.raises(NotAllowed):
        actions.update_client(org.client_b, user=org.user_a, name="越权")
    with pytest.raises(NotAllowed):
        actions.update_store(org.store_b1, user=org.user_a, name="越权")
    with pytest.raises(BusinessError):
        actions.create_store(user=org.user_a, client=org.client_b, code="X9", name="越权店",
                             platform=org.store_a1.platform)


def test_store_cannot_be_moved_to_a_client_outside_scope(org):
    with pytest.raises(BusinessError) as error:
        actions.update_store(org.store_a1, user=org.user_a, client=org.client_b)
    assert error.value.field == "client"


def test_attendance_month_summary_and_full_attendance(org, clerk):
    hr = org.admin
    actions.record_attendance(clerk, user=hr, day=date(2026, 3, 2), kind=AttendanceKind.PRESENT,
                              clock_in=time(8, 55), clock_out=time(18, 2))
    actions.record_attendance(clerk, user=hr, day=date(2026, 3, 3), kind=AttendanceKind.PRESENT)
    summary = month_attendance([clerk.pk], 2026, 3)[clerk.pk]
    assert summary.present == 2 and summary.full_attendance
    actions.record_attendance(clerk, user=hr, day=date(2026, 3, 3), kind=AttendanceKind.LATE, late_minutes=12)
    summary = month_attendance([clerk.pk], 2026, 3)[clerk.pk]
    assert (summary.present, summary.late, summary.full_attendance) == (1, 1, False)


def test_late_attendance_needs_minutes(org, clerk):
    with pytest.raises(BusinessError) as error:
        actions.record_attendance(clerk, user=org.admin, day=date(2026, 3, 2), kind=AttendanceKind.LATE)
    assert error.value.field == "late_minutes"


def test_sick_leave_needs_a_hospital_certificate(org, clerk, settings, tmp_path):
    """ORG-04: leave is requested in writing; sick leave needs the hospital certificate."""
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(BusinessError) as error:
        actions.request_leave(clerk, user=clerk.user, kind=AttendanceKind.SICK_LEAVE, start_date=date(2026, 3, 2),
                              end_date=date(2026, 3, 3), reason="发烧")
    assert error.value.field == "certificate"
    leave = actions.request_leave(
        clerk, user=clerk.user, kind=AttendanceKind.SICK_LEAVE, start_date=date(2026, 3, 2),
        end_date=date(2026, 3, 3), reason="发烧", certificate=SimpleUploadedFile("zm.pdf", b"%PDF-1.4 cert"),
    )
    with pytest.raises(NotAllowed):
        actions.decide_leave(leave, user=clerk.user, approve=True)
    leave = actions.decide_leave(leave, user=org.admin, approve=True)
    assert leave.status == LeaveState.APPROVED and leave.decided_by == org.admin
    with pytest.raises(BusinessError):
        actions.decide_leave(leave, user=org.admin, approve=False)


def test_org04_a_hospital_certificate_is_served_only_to_those_who_handle_leave(org, clerk, settings, tmp_path):
    """LAW-04 / DAT-02: health data. Stored under a random name; the admin's link opens it for a user with
    the leave right, and is a 404 for anyone else (no open media directory)."""
    from django.contrib.auth.models import Permission
    from django.test import Client as HttpClient

    settings.MEDIA_ROOT = tmp_path
    leave = actions.request_leave(
        clerk, user=clerk.user, kind=AttendanceKind.SICK_LEAVE, start_date=date(2026, 3, 2),
        end_date=date(2026, 3, 3), reason="发烧", certificate=SimpleUploadedFile("王小明-病假证明.pdf", b"%PDF-1.4 x"),
    )
    url = leave.certificate.url
    assert url.startswith("/media/leave/") and "王小明" not in url

    def get(user):
        http = HttpClient()
        http.force_login(user)
        return http.get(url).status_code

    hr = org.user_a
    hr.user_permissions.add(Permission.objects.get(content_type__app_label="org", codename="view_leaverequest"))
    assert get(org.admin) == 200 and get(type(hr).objects.get(pk=hr.pk)) == 200
    assert get(org.user_b) == 404 and get(org.member_a) == 404
    admin_page = HttpClient()
    admin_page.force_login(org.admin)
    assert url in admin_page.get(f"/admin/org/leaverequest/{leave.pk}/change/").content.decode()


def test_a_client_user_gets_the_client_user_role_and_sees_only_that_client(org):
    """AGY-07: a client's own login sees its client's stores through the seeded 委托方用户 role."""
    from ecomops.org.models import Store

    member = actions.add_client_member(user=org.admin, client=org.client_b, username="kehu_b", name="乙方对接人",
                                       password="Client-Passw0rd!")
    user = type(member.user).objects.get(pk=member.user_id)
    assert user.has_perm("org.view_store") and not user.has_perm("org.change_store")
    assert sorted(Store.objects.visible_to(user).values_list("code", flat=True)) == ["B1"]


def test_job_level_changes_go_through_actions_and_keep_history(org):
    level = actions.create_job_level(user=org.admin, code="P3", name="中级", rank=3, salary_min=Decimal("4000"),
                                     salary_max=Decimal("6000"))
    with pytest.raises(BusinessError):
        actions.update_job_level(level, user=org.admin, salary_min=Decimal("7000"))
    level = actions.update_job_level(level, user=org.admin, salary_max=Decimal("6500.50"))
    assert [h.salary_max for h in level.history.order_by("history_id")] == [Decimal("6000.00"), Decimal("6500.50")]
    with pytest.raises(NotAllowed):
        actions.create_job_level(user=org.user_a, code="P4", name="高级", rank=4, salary_min=1, salary_max=2)


def test_grants_stay_inside_the_granting_users_scope(org):
    """DAT-02: nobody can pass on access they do not have themselves."""
    from django.contrib.auth.models import Permission

    org.user_a.user_permissions.add(Permission.objects.get(codename="add_clientgrant"))
    grantor = type(org.user_a).objects.get(pk=org.user_a.pk)
    with pytest.raises(BusinessError):
        actions.grant_client(org.nobody, org.client_b, user=grantor)
    with pytest.raises(BusinessError):
        actions.grant_store(org.nobody, org.store_b1, user=grantor)
    actions.grant_store(org.nobody, org.store_a2, user=grantor)
    actions.grant_store(org.user_b, org.store_b1, user=org.admin)
    with pytest.raises(BusinessError):
        actions.revoke_grants(org.user_b, user=grantor, stores=[org.store_b1])
    with pytest.raises(BusinessError):
        actions.add_client_member(user=grantor, client=org.client_b, username="x", name="x")


def test_an_inactive_account_cannot_be_granted(org):
    org.nobody.is_active = False
    org.nobody.save()
    with pytest.raises(BusinessError):
        actions.grant_client(org.nobody, org.client_a, user=org.admin)


def test_positions_of_someone_who_left_cannot_change(org, clerk):
    actions.staff_leaves(clerk, user=org.admin, left_on=date(2026, 6, 30))
    with pytest.raises(BusinessError):
        actions.set_positions(clerk, [position("packer")], user=org.admin)
    assert not clerk.user.groups.exists()


def test_sync_permissions_adds_new_defaults_and_keeps_everything_else(db):
    """ORG-02 after an upgrade: a position group missing a default permission gets it back on request;
    permissions an administrator added stay."""
    from io import StringIO

    from django.contrib.auth.models import Permission
    from django.core.management import call_command

    group = position("product_editor").group
    extra = Permission.objects.get(codename="view_joblevel")
    removed = group.permissions.filter(content_type__app_label="catalog").first()
    assert removed is not None
    group.permissions.remove(removed)
    group.permissions.add(extra)
    out = StringIO()
    call_command("seed", "--sync-permissions", stdout=out)
    assert group.permissions.filter(pk=removed.pk).exists()
    assert group.permissions.filter(pk=extra.pk).exists()
    assert f"catalog.{removed.codename}" in out.getvalue()
    call_command("seed", "--sync-permissions", stdout=(again := StringIO()))
    assert "0 个权限组有新增" in again.getvalue()

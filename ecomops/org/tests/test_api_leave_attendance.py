"""Issue 16: leaving (ORG-03) and attendance (ORG-04) through the API, with the same permissions and
the same actions as the pages: ``POST /staff/{id}/leave``; ``GET /attendance`` by month, department
and person; ``POST /attendance`` for one day; ``POST /attendance/bulk`` for many in one transaction
(all or nothing; the error names the item and the field)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client as HttpClient

from ecomops.org import actions
from ecomops.org.enums import AttendanceKind, StaffState
from ecomops.org.models import Attendance, ClientMember, Department, Staff

API = "/api/v1"
User = get_user_model()


def with_perms(username: str, *perms: str):
    user = User.objects.create_user(username=username, password="x")
    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    return User.objects.get(pk=user.pk)


def _http(user):
    http = HttpClient()
    http.force_login(user)
    return http


def post(http, path, data):
    return http.post(f"{API}{path}", json.dumps(data), content_type="application/json")


def error(response):
    return response.json()["error"]


@pytest.fixture
def people(org):
    promotion = Department.objects.get(code="ecom.promotion")

    def hire(username, department, hired_on=date(2026, 1, 5)):
        return actions.hire_staff(user=org.admin, username=username, name=username, employee_no=username.upper(),
                                  department=department, hired_on=hired_on)

    class People:
        ecom = org.department
        alice = hire("e001", org.department)
        bob = hire("e002", promotion)
        carol = hire("e003", Department.objects.get(code="hr"))
        hr = with_perms("hr", "org.view_staff", "org.change_staff", "org.view_attendance", "org.add_attendance")
        viewer = with_perms("viewer", "org.view_staff", "org.view_attendance")

    People.promotion = promotion
    return People


# --- leaving (ORG-03) --------------------------------------------------------------------------------


def test_leave_through_the_api(org, people):
    http = _http(people.hr)
    left = post(http, f"/staff/{people.alice.pk}/leave", {"left_on": "2026-04-30"})
    assert left.status_code == 200, left.content
    assert (left.json()["status"], left.json()["left_on"]) == ("left", "2026-04-30")
    alice = Staff.objects.get(pk=people.alice.pk)
    assert (alice.status, alice.left_on) == (StaffState.LEFT, date(2026, 4, 30))
    assert not alice.user.is_active  # as on the page: the login is switched off at once
    assert alice.history.first().history_user == people.hr  # audited through the action
    again = post(http, f"/staff/{people.alice.pk}/leave", {"left_on": "2026-04-30"})
    assert again.status_code == 409 and error(again) == {
        "code": "already_left", "message": "该员工已于 2026-04-30 离职", "field": "left_on"}


def test_leave_bad_input_and_permissions(org, people):
    http = _http(people.hr)
    early = post(http, f"/staff/{people.alice.pk}/leave", {"left_on": "2025-12-31"})
    assert early.status_code == 400 and error(early)["field"] == "left_on"
    assert "入职日期" in error(early)["message"]
    malformed = post(http, f"/staff/{people.alice.pk}/leave", {"left_on": "2026-04-31"})
    assert malformed.status_code == 422 and error(malformed)["field"] == "left_on"
    missing = post(http, f"/staff/{people.alice.pk}/leave", {})
    assert missing.status_code == 422 and error(missing)["field"] == "left_on"
    assert post(http, "/staff/999999/leave", {"left_on": "2026-04-30"}).status_code == 404
    refused = post(_http(people.viewer), f"/staff/{people.alice.pk}/leave", {"left_on": "2026-04-30"})
    assert refused.status_code == 403 and error(refused)["code"] == "forbidden"
    member = with_perms("member", "org.view_staff", "org.change_staff")
    ClientMember.objects.create(user=member, client=org.client_a)
    assert post(_http(member), f"/staff/{people.alice.pk}/leave", {"left_on": "2026-04-30"}).status_code == 403
    assert Staff.objects.get(pk=people.alice.pk).status == StaffState.ACTIVE


# --- attendance (ORG-04) -----------------------------------------------------------------------------


def test_record_one_day_and_correct_it(org, people):
    http = _http(people.hr)
    day = {"staff_id": people.alice.pk, "day": "2026-03-02", "kind": "present", "clock_in": "08:58",
           "clock_out": "18:05:30"}
    created = post(http, "/attendance", day)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["kind"], body["clock_in"], body["clock_out"], body["employee_no"]) == (
        "present", "08:58:00", "18:05:30", "E001")
    same = post(http, "/attendance", day)  # idempotent: the same day again changes nothing
    assert same.status_code == 200 and same.json() == body
    corrected = post(http, "/attendance", {**day, "kind": "late", "late_minutes": 12, "clock_in": "09:12"})
    assert corrected.status_code == 200 and corrected.json()["id"] == body["id"]
    record = Attendance.objects.get()
    assert (record.kind, record.late_minutes) == (AttendanceKind.LATE, 12)
    # the correction is audited; the repeat of the same day wrote no history row
    assert record.history.count() == 2 and record.history.first().history_user == people.hr


def test_record_bad_input_names_the_field(org, people):
    http = _http(people.hr)
    day = {"staff_id": people.alice.pk, "day": "2026-03-02", "kind": "present"}
    cases = [
        ({"kind": "late"}, 400, "late_minutes"),  # the action's rule: late needs the minutes
        ({"kind": "early_leave"}, 400, "early_leave_minutes"),
        ({"day": "2025-12-31"}, 400, "day"),  # before the hire date
        ({"staff_id": 999999}, 400, "staff_id"),
        ({"kind": "holiday"}, 422, "kind"),
        ({"clock_in": "25:00"}, 422, "clock_in"),
        ({"clock_in": "08:00+08:00"}, 422, "clock_in"),
        ({"late_minutes": -1}, 422, "late_minutes"),
        ({"late_minutes": "5"}, 422, "late_minutes"),
        ({"note": "a\nb"}, 422, "note"),
        ({"day": "2026-03-02T08:00:00"}, 422, "day"),
    ]
    for change, status, field in cases:
        answer = post(http, "/attendance", {**day, **change})
        assert (answer.status_code, error(answer)["field"]) == (status, field), (change, answer.content)
    assert not Attendance.objects.exists()


def test_attendance_needs_the_permissions(org, people):
    day = {"staff_id": people.alice.pk, "day": "2026-03-02", "kind": "present"}
    refused = post(_http(people.viewer), "/attendance", day)
    assert refused.status_code == 403 and error(refused)["code"] == "forbidden"
    assert post(_http(people.viewer), "/attendance/bulk", {"items": [day]}).status_code == 403
    stranger = _http(with_perms("stranger", "org.add_attendance"))
    assert stranger.get(f"{API}/attendance").status_code == 403
    assert post(stranger, "/attendance", day).status_code == 403
    member = with_perms("member", "org.view_attendance", "org.add_attendance")
    ClientMember.objects.create(user=member, client=org.client_a)
    assert _http(member).get(f"{API}/attendance").status_code == 403
    assert post(_http(member), "/attendance", day).status_code == 403
    assert not Attendance.objects.exists()


def test_list_by_month_department_and_person(org, people):
    for staff in (people.alice, people.bob, people.carol):
        for day in (date(2026, 2, 27), date(2026, 3, 2), date(2026, 3, 31)):
            actions.record_attendance(staff, user=org.admin, day=day, kind=AttendanceKind.PRESENT)
    http = _http(people.viewer)
    march = http.get(f"{API}/attendance", {"month": "2026-03"}).json()
    assert march["count"] == 6
    assert [(x["day"], x["employee_no"]) for x in march["items"][:3]] == [
        ("2026-03-02", "E001"), ("2026-03-02", "E002"), ("2026-03-02", "E003")]
    # a department includes the groups under it
    ecom = http.get(f"{API}/attendance", {"month": "2026-03", "department_id": people.ecom.pk}).json()
    assert {x["employee_no"] for x in ecom["items"]} == {"E001", "E002"}
    group = http.get(f"{API}/attendance", {"month": "2026-03", "department_id": people.promotion.pk}).json()
    assert {x["employee_no"] for x in group["items"]} == {"E002"}
    one = http.get(f"{API}/attendance", {"staff_id": people.carol.pk}).json()
    assert one["count"] == 3 and one["items"][0]["department"]["code"] == "hr"
    paged = http.get(f"{API}/attendance", {"page_size": 4, "page": 3}).json()
    assert (paged["count"], len(paged["items"])) == (9, 1)
    assert http.get(f"{API}/attendance", {"month": "2026-3"}).status_code == 422
    assert http.get(f"{API}/attendance", {"department_id": 999999}).json()["count"] == 0


def test_bulk_records_many_days_in_one_transaction(org, people):
    http = _http(people.hr)
    actions.record_attendance(people.alice, user=org.admin, day=date(2026, 3, 2), kind=AttendanceKind.ABSENT)
    items = [{"staff_id": staff.pk, "day": f"2026-03-0{d}", "kind": "present"}
             for staff in (people.alice, people.bob) for d in (2, 3, 4)]
    items.append({"staff_id": people.bob.pk, "day": "2026-03-07", "kind": "rest"})
    done = post(http, "/attendance/bulk", {"items": items})
    assert done.status_code == 200, done.content
    assert (done.json()["created"], done.json()["updated"]) == (6, 1)
    assert [x["day"] for x in done.json()["items"]][:3] == ["2026-03-02", "2026-03-03", "2026-03-04"]
    assert Attendance.objects.count() == 7
    assert Attendance.objects.get(staff=people.alice, date=date(2026, 3, 2)).kind == AttendanceKind.PRESENT
    again = post(http, "/attendance/bulk", {"items": items})  # idempotent
    assert (again.json()["created"], again.json()["updated"]) == (0, 7)
    assert Attendance.objects.count() == 7
    assert all(record.history.count() == 1 for record in Attendance.objects.exclude(
        staff=people.alice, date=date(2026, 3, 2)))


def test_bulk_is_all_or_nothing_and_names_the_item_and_field(org, people):
    http = _http(people.hr)
    good = [{"staff_id": people.alice.pk, "day": f"2026-03-0{d}", "kind": "present"} for d in (2, 3, 4)]
    late = post(http, "/attendance/bulk", {"items": [*good, {"staff_id": people.bob.pk, "day": "2026-03-02",
                                                             "kind": "late"}]})
    assert late.status_code == 400
    assert error(late)["field"] == "items.3.late_minutes" and error(late)["message"].startswith("第 4 项：")
    before_hire = post(http, "/attendance/bulk", {"items": [*good, {"staff_id": people.bob.pk, "day": "2025-01-01",
                                                                    "kind": "present"}]})
    assert error(before_hire)["field"] == "items.3.day"
    unknown = post(http, "/attendance/bulk", {"items": [{"staff_id": 999999, "day": "2026-03-02",
                                                         "kind": "present"}, *good]})
    assert unknown.status_code == 400 and error(unknown)["field"] == "items.0.staff_id"
    twice = post(http, "/attendance/bulk", {"items": [*good, {**good[1], "kind": "absent"}]})
    assert twice.status_code == 400 and error(twice)["field"] == "items.3.day"
    assert "第 2 项" in error(twice)["message"]
    shape = post(http, "/attendance/bulk", {"items": [*good, {"staff_id": people.bob.pk, "day": "2026-03-02",
                                                              "kind": "present", "clock_in": "8点"}]})
    assert shape.status_code == 422 and error(shape)["field"] == "items.3.clock_in"
    assert post(http, "/attendance/bulk", {"items": []}).status_code == 422
    assert not Attendance.objects.exists()  # nothing of the good items was kept

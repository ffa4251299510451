"""ORG-04 / PER-13 / issue 16: the attendance month grid of a department, corrected by keyboard codes,
saved all or nothing, against the working-day calendar."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from ecomops.org import actions
from ecomops.org.attendance_grid import CellValue, build, cell_text, parse_cell
from ecomops.org.enums import AttendanceKind as K
from ecomops.org.models import Attendance, Department, Staff

pytestmark = pytest.mark.django_db

OCTOBER = date(2026, 10, 1)  # National Day 10-01…10-07 rest; Saturday 10-10 a make-up working day


@pytest.mark.parametrize(("text", "value"), [
    ("√", CellValue(K.PRESENT)), ("v", CellValue(K.PRESENT)), ("V", CellValue(K.PRESENT)),
    ("１", CellValue(K.PRESENT)),  # a full-width digit from a Chinese input method
    ("休", CellValue(K.REST)), ("x", CellValue(K.REST)),
    ("迟15", CellValue(K.LATE, 15)), ("c15", CellValue(K.LATE, 15)), ("C 15", CellValue(K.LATE, 15)),
    ("早10", CellValue(K.EARLY_LEAVE, 0, 10)), ("z10", CellValue(K.EARLY_LEAVE, 0, 10)),
    ("迟5早20", CellValue(K.LATE_AND_EARLY, 5, 20)), ("c5z20", CellValue(K.LATE_AND_EARLY, 5, 20)),
    ("假", CellValue(K.LEAVE)), ("j", CellValue(K.LEAVE)), ("病", CellValue(K.SICK_LEAVE)),
    ("b", CellValue(K.SICK_LEAVE)), ("旷", CellValue(K.ABSENT)), ("k", CellValue(K.ABSENT)),
    ("", None), ("  ", None),
])
def test_cell_codes(text, value):
    assert parse_cell(text) == value


@pytest.mark.parametrize(("text", "why"), [
    ("迟", "无法识别"), ("迟0", "须大于 0"), ("z0", "须大于 0"), ("迟到", "无法识别"), ("abc", "无法识别"),
    ("迟1500", "无法识别"),
])
def test_bad_cell_codes_say_what_can_be_typed(text, why):
    with pytest.raises(ValueError, match=why):
        parse_cell(text)


def test_a_record_shows_as_the_code_that_makes_it():
    for text in ("√", "休", "迟15", "早10", "迟5早20", "假", "病", "旷"):
        value = parse_cell(text)
        record = Attendance(kind=value.kind, late_minutes=value.late_minutes,
                            early_leave_minutes=value.early_leave_minutes)
        assert cell_text(record) == text


@pytest.fixture
def team(org):
    """Three people of the promotion group (under 电子商务部) and one of another department; a clerk who
    may record attendance and a viewer who may only look."""
    User = get_user_model()
    promotion = Department.objects.get(code="ecom.promotion")
    people = []
    for i, hired in enumerate((date(2025, 1, 1), date(2025, 1, 1), date(2026, 10, 15)), start=1):
        user = User.objects.create_user(username=f"g{i}", password="x")
        people.append(Staff.objects.create(user=user, employee_no=f"G{i:03d}", name=f"组员{i}",
                                           department=promotion, hired_on=hired))
    other = Staff.objects.create(user=User.objects.create_user(username="wh", password="x"), employee_no="W001",
                                 name="仓库员", department=Department.objects.get(code="warehouse"),
                                 hired_on=date(2025, 1, 1))

    def user_with(username, *codenames):
        user = User.objects.create_user(username=username, password="x")
        for codename in codenames:
            user.user_permissions.add(Permission.objects.get(content_type__app_label="org", codename=codename))
        return user

    clerk = user_with("hr_clerk", "view_attendance", "add_attendance", "change_attendance")
    viewer = user_with("hr_viewer", "view_attendance")
    return {"people": people, "other": other, "clerk": clerk, "viewer": viewer,
            "ecom": Department.objects.get(code="ecom"), "promotion": promotion}


def grid_url(department, month=OCTOBER):
    return f"{reverse('org:attendance')}?department={department.pk}&month={month:%Y-%m}"


def test_the_grid_lists_the_department_and_below_with_the_calendar(client, team, org):
    first = team["people"][0]
    actions.record_attendance(first, user=team["clerk"], day=date(2026, 10, 8), kind=K.LATE, late_minutes=12)
    days, calendar, rows = build(team["ecom"], OCTOBER)
    assert [r.staff.employee_no for r in rows] == ["G001", "G002", "G003"]  # not the warehouse
    row = rows[0]
    by_day = {c.day: c for c in row.cells}
    assert by_day[date(2026, 10, 8)].text == "迟12"
    assert not by_day[date(2026, 10, 1)].working and by_day[date(2026, 10, 1)].holiday == "国庆节"
    assert by_day[date(2026, 10, 10)].working  # the make-up Saturday must be recorded
    assert row.missing == 18 - 1  # October 2026 has 18 working days
    joiner = {c.day: c for c in rows[2].cells}
    assert not joiner[date(2026, 10, 14)].employed and joiner[date(2026, 10, 15)].employed
    assert rows[2].missing == 12  # working days from the 15th: 15, 16, 19–23, 26–30

    client.force_login(team["clerk"])
    response = client.get(grid_url(team["ecom"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "组员1" in html and "仓库员" not in html
    assert f'name="c-{first.pk}-08" value="迟12"' in html
    assert f'name="c-{team["people"][2].pk}-14"' not in html  # before hiring: no cell to type in
    assert "还有 47 个工作日没有考勤记录" in html  # 17 + 18 + 12
    assert 'title="国庆节"' in html
    # The clerk may import, so the button is there; the calendar page is not theirs, so no link to it.
    assert 'data-testid="grid-import"' in html and 'href="/org/attendance/import/"' in html
    assert 'data-testid="grid-calendar"' not in html
    client.force_login(org.admin)
    admin_page = client.get(grid_url(team["ecom"])).content.decode()
    assert 'data-testid="grid-import"' in admin_page and 'href="/org/calendar/?year=2026"' in admin_page


def test_saving_changed_cells_records_them_and_leaves_the_rest_alone(client, team):
    first, second, _third = team["people"]
    actions.record_attendance(first, user=team["clerk"], day=date(2026, 10, 9), kind=K.PRESENT,
                              clock_in=time(8, 58), clock_out=time(18, 5), note="钉钉导入")
    history_before = Attendance.history.count()
    client.force_login(team["clerk"])
    response = client.post(reverse("org:attendance"), {
        "department": team["ecom"].pk, "month": "2026-10",
        f"c-{first.pk}-08": "c15",
        f"c-{first.pk}-09": "迟3",  # a correction of an imported day keeps its clock times and note
        f"c-{second.pk}-10": "√",
        f"c-{second.pk}-12": "",  # untouched empty cell
    })
    assert response.status_code == 302
    assert response["Location"] == grid_url(team["ecom"])
    late = Attendance.objects.get(staff=first, date=date(2026, 10, 8))
    assert (late.kind, late.late_minutes) == (K.LATE, 15)
    corrected = Attendance.objects.get(staff=first, date=date(2026, 10, 9))
    assert (corrected.kind, corrected.late_minutes, corrected.clock_in, corrected.note) == (
        K.LATE, 3, time(8, 58), "钉钉导入")
    assert Attendance.objects.get(staff=second, date=date(2026, 10, 10)).kind == K.PRESENT
    assert not Attendance.objects.filter(staff=second, date=date(2026, 10, 12)).exists()
    assert Attendance.history.count() == history_before + 3  # one audited row per changed cell
    assert Attendance.history.filter(history_user=team["clerk"]).count() >= 3

    # The same form posted again changes nothing.
    page = client.get(grid_url(team["ecom"])).content.decode()
    assert f'name="c-{first.pk}-08" value="迟15"' in page
    response = client.post(reverse("org:attendance"), {
        "department": team["ecom"].pk, "month": "2026-10", f"c-{first.pk}-08": "迟15", f"c-{first.pk}-09": "迟3"})
    assert response.status_code == 302
    assert Attendance.history.count() == history_before + 3


def test_one_bad_cell_saves_nothing_and_names_person_and_day(client, team):
    first, second, third = team["people"]
    actions.record_attendance(second, user=team["clerk"], day=date(2026, 10, 9), kind=K.PRESENT)
    client.force_login(team["clerk"])
    before = Attendance.objects.count(), Attendance.history.count()
    response = client.post(reverse("org:attendance"), {
        "department": team["ecom"].pk, "month": "2026-10",
        f"c-{first.pk}-08": "√",
        f"c-{first.pk}-09": "迟到很久",
        f"c-{second.pk}-09": "",  # emptying a record is refused
        f"c-{third.pk}-14": "√",  # before hiring: not a cell of the grid, ignored
    })
    assert response.status_code == 400
    html = response.content.decode()
    assert "有 2 处未能保存，全部修改均未保存" in html
    assert "组员1 10-09：无法识别“迟到很久”" in html
    assert "组员2 10-09：已有考勤记录不能清空" in html
    assert (Attendance.objects.count(), Attendance.history.count()) == before
    assert f'name="c-{first.pk}-08" value="√"' in html  # what was typed is kept for fixing
    assert 'aria-invalid="true"' in html


def test_a_person_of_another_department_cannot_be_written_through_this_grid(client, team):
    client.force_login(team["clerk"])
    response = client.post(reverse("org:attendance"), {
        "department": team["ecom"].pk, "month": "2026-10", f"c-{team['other'].pk}-08": "√"})
    assert response.status_code == 302  # not a cell of this grid: nothing to save
    assert not Attendance.objects.filter(staff=team["other"]).exists()


def test_viewers_see_a_read_only_grid_and_may_not_post(client, team, org):
    client.force_login(team["viewer"])
    html = client.get(grid_url(team["ecom"])).content.decode()
    assert "readonly" in html and "保存修改" not in html
    assert 'data-testid="grid-import"' not in html  # importing is not theirs either
    response = client.post(reverse("org:attendance"), {
        "department": team["ecom"].pk, "month": "2026-10", f"c-{team['people'][0].pk}-08": "√"})
    assert response.status_code == 403
    assert not Attendance.objects.exists()
    client.force_login(org.nobody)
    assert client.get(grid_url(team["ecom"])).status_code == 403
    client.force_login(org.member_a)  # a client's user: internal pages do not exist for them
    assert client.get(grid_url(team["ecom"])).status_code == 404


def test_a_month_with_everything_recorded_says_so(client, team):
    from ecomops.org.calendar import working_days

    promotion_people = team["people"][:2]
    for person in promotion_people:
        for day in working_days(date(2026, 10, 1), date(2026, 10, 31)):
            actions.record_attendance(person, user=team["clerk"], day=day, kind=K.PRESENT)
    client.force_login(team["clerk"])
    third = team["people"][2]
    for day in working_days(date(2026, 10, 15), date(2026, 10, 31)):
        actions.record_attendance(third, user=team["clerk"], day=day, kind=K.PRESENT)
    html = client.get(grid_url(team["promotion"])).content.decode()
    assert "本月工作日的考勤记录已齐全" in html

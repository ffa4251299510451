"""ORG-04 / PER-13 / issue 16: importing 钉钉 and 企业微信 monthly attendance reports (.xlsx)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from ecomops.core.errors import NotAllowed
from ecomops.org import attendance_import as engine
from ecomops.org.enums import AttendanceKind
from ecomops.org.models import Attendance, Department, Staff

from .attendance_workbooks import Person, dingtalk, wecom

pytestmark = pytest.mark.django_db

NOVEMBER = date(2026, 11, 1)


def source(data: bytes):
    return lambda: io.BytesIO(data)


@pytest.fixture
def staff(org):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    department = Department.objects.get(code="ecom")
    people = []
    for i in range(1, 31):
        user = User.objects.create_user(username=f"emp{i:02d}", password="x")
        people.append(Staff.objects.create(user=user, employee_no=f"E{i:03d}", name=f"员工{i:02d}",
                                           department=department, hired_on=date(2025, 1, 1)))
    return people


def people_of(staff, **days) -> list[Person]:
    return [Person(s.name, s.employee_no, days=days.get(s.employee_no, {})) for s in staff]


def test_the_formats_file_loads_both_vendors():
    assert {"dingtalk_monthly", "wecom_monthly"} <= set(engine.formats())


def test_dingtalk_month_of_30_people_is_imported(org, staff):
    data = dingtalk(people_of(staff, E001={3: "迟到12分钟", 4: "早退5分钟", 5: "迟到3分钟,早退4分钟"},
                              E002={10: "事假09:00到18:00 8小时", 11: "病假", 12: "旷工", 13: "上班缺卡",
                                    14: "外勤", 16: "调休"}), 2026, 11)
    assert engine.detect_format(source(data)).code == "dingtalk_monthly"
    result = engine.import_file(source(data), user=org.admin, month=NOVEMBER)
    assert result.ok, result.problems
    assert result.totals == {"created": 30 * 30, "corrected": 0, "unchanged": 0}
    assert (result.first, result.last) == (date(2026, 11, 1), date(2026, 11, 30))
    e1 = {a.date.day: a for a in Attendance.objects.filter(staff=staff[0])}
    assert (e1[3].kind, e1[3].late_minutes) == (AttendanceKind.LATE, 12)
    assert (e1[4].kind, e1[4].early_leave_minutes) == (AttendanceKind.EARLY_LEAVE, 5)
    assert (e1[5].kind, e1[5].late_minutes, e1[5].early_leave_minutes) == (AttendanceKind.LATE_AND_EARLY, 3, 4)
    assert e1[1].kind == AttendanceKind.REST and e1[2].kind == AttendanceKind.PRESENT  # Sunday, Monday
    e2 = {a.date.day: a for a in Attendance.objects.filter(staff=staff[1])}
    assert e2[10].kind == AttendanceKind.LEAVE and e2[10].note.startswith("事假")
    assert e2[11].kind == AttendanceKind.SICK_LEAVE and e2[12].kind == AttendanceKind.ABSENT
    assert e2[13].kind == AttendanceKind.PRESENT and e2[13].note == "上班缺卡"
    assert e2[14].note == "外勤" and e2[16].kind == AttendanceKind.REST and e2[16].note == "调休"


def test_wecom_month_is_imported(org, staff):
    data = wecom(people_of(staff[:5], E003={9: "迟到12分钟"}), 2026, 11)
    assert engine.detect_format(source(data)).code == "wecom_monthly"
    result = engine.import_file(source(data), user=org.admin, month=NOVEMBER)
    assert result.ok, result.problems
    assert result.totals["created"] == 5 * 30
    late = Attendance.objects.get(staff=staff[2], date=date(2026, 11, 9))
    assert (late.kind, late.late_minutes) == (AttendanceKind.LATE, 12)


def test_reimporting_the_same_file_changes_nothing(org, staff):
    data = dingtalk(people_of(staff, E001={3: "迟到12分钟"}), 2026, 11)
    engine.import_file(source(data), user=org.admin, month=NOVEMBER)
    history = Attendance.history.count()
    again = engine.import_file(source(data), user=org.admin, month=NOVEMBER)
    assert again.totals == {"created": 0, "corrected": 0, "unchanged": 900}
    assert Attendance.history.count() == history


def test_a_changed_cell_corrects_the_day_with_a_history_row(org, staff):
    engine.import_file(source(dingtalk(people_of(staff[:3]), 2026, 11)), user=org.admin, month=NOVEMBER)
    corrected = dingtalk(people_of(staff[:3], E002={4: "迟到7分钟"}), 2026, 11)
    result = engine.import_file(source(corrected), user=org.admin, month=NOVEMBER)
    assert result.totals == {"created": 0, "corrected": 1, "unchanged": 89}
    record = Attendance.objects.get(staff=staff[1], date=date(2026, 11, 4))
    assert (record.kind, record.late_minutes) == (AttendanceKind.LATE, 7)
    assert [h.kind for h in record.history.order_by("history_date", "history_id")] == [
        AttendanceKind.PRESENT, AttendanceKind.LATE]
    assert record.history.first().history_user == org.admin


def test_people_are_matched_by_name_when_the_employee_number_differs(org, staff):
    data = dingtalk([Person(staff[0].name, "DD-9001")], 2026, 11)
    assert engine.import_file(source(data), user=org.admin, month=NOVEMBER).ok
    assert Attendance.objects.filter(staff=staff[0]).count() == 30


def _problems(data, **kwargs):
    result = engine.import_file(source(data), **kwargs)
    assert not result.ok
    assert not Attendance.objects.exists()  # all or nothing
    return [p.message for p in result.problems]


def test_an_unknown_person_stops_the_whole_file(org, staff):
    data = dingtalk([*people_of(staff[:3]), Person("陌生人", "X999")], 2026, 11)
    [message] = _problems(data, user=org.admin, month=NOVEMBER)
    assert message == "第 8 行：找不到员工 陌生人（X999）（按工号，其次按唯一的姓名）"


def test_an_unparseable_cell_names_row_person_column_and_date(org, staff):
    data = dingtalk(people_of(staff[:2], E002={6: "打卡异常??"}), 2026, 11)
    [message] = _problems(data, user=org.admin, month=NOVEMBER)
    # 18 columns before the days: the 6th day is column X
    assert message == "第 6 行 员工02（E002），X 列（11-06）：无法识别“打卡异常??”"


def test_a_day_outside_employment_is_an_error(org, staff):
    staff[0].hired_on = date(2026, 11, 16)
    staff[0].save()
    [message, *rest] = _problems(dingtalk(people_of(staff[:1]), 2026, 11), user=org.admin, month=NOVEMBER)
    assert "第 5 行 员工01（E001）" in message and "（11-01）：该日期员工不在职（入职 2026-11-16）" in message
    assert len(rest) == 14


def test_a_file_of_another_month_is_refused(org, staff):
    [message] = _problems(dingtalk(people_of(staff[:2]), 2026, 10), user=org.admin, month=NOVEMBER)
    assert message == "文件的统计周期 2026-10-01 至 2026-10-31 不是所选月份 2026-11"


def test_a_day_column_outside_the_period_is_an_error(org, staff):
    data = dingtalk(people_of(staff[:2]), 2026, 11, period=(date(2026, 11, 1), date(2026, 11, 29)))
    [message] = _problems(data, user=org.admin, month=NOVEMBER)
    assert "“30 一”不在统计周期 2026-11-01 至 2026-11-29 内" in message


def test_not_an_xlsx_an_empty_file_and_a_renamed_xls(org, staff):
    assert _problems(b"name,date\n", user=org.admin) == [
        "无法读取 Excel 文件：文件不是有效的 .xlsx，请确认文件未损坏且未加密"]
    assert _problems(b"", user=org.admin) == ["文件是空的，请重新导出后上传"]
    xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    assert _problems(xls, user=org.admin) == ["这是旧版 Excel（.xls）文件：请在 Excel 或 WPS 中另存为 .xlsx 后上传"]


def test_an_unrecognised_workbook_is_refused(org, staff):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["订单号", "金额"])
    out = io.BytesIO()
    book.save(out)
    [message] = _problems(out.getvalue(), user=org.admin)
    assert message.startswith("无法识别文件格式")


def test_the_error_report_puts_the_messages_next_to_the_rows(org, staff):
    data = dingtalk([*people_of(staff[:2], E002={6: "打卡异常??"}), Person("陌生人", "X999")], 2026, 11)
    result, _entries = engine.read_plan(source(data), month=NOVEMBER)
    sheet = load_workbook(io.BytesIO(engine.error_report(source(data), result))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("错误", "原文件第几行")
    by_row = {row[1]: row[0] for row in rows[1:]}
    assert "无法识别“打卡异常??”" in by_row[6] and "找不到员工 陌生人" in by_row[7]
    assert not by_row[5]
    assert rows[5][2] == "员工01"  # the file's own cells follow


def test_import_needs_the_permission(org, staff):
    with pytest.raises(NotAllowed):
        engine.import_file(source(dingtalk(people_of(staff[:1]), 2026, 11)), user=org.nobody)


# --- the page ------------------------------------------------------------------------------------


def _clerk(org):
    user = org.nobody
    user.user_permissions.add(Permission.objects.get(content_type__app_label="org", codename="add_attendance"))
    return type(user).objects.get(pk=user.pk)


def _upload(client, data, *, month="2026-11", fmt=""):
    return client.post(reverse("org:attendance_import"), {
        "month": month, "format": fmt, "file": SimpleUploadedFile("考勤报表.xlsx", data)})


def test_page_imports_and_shows_the_counts_per_person(client, org, staff):
    client.force_login(_clerk(org))
    assert client.get(reverse("org:attendance_import")).status_code == 200
    answer = _upload(client, dingtalk(people_of(staff[:3]), 2026, 11), fmt="dingtalk_monthly")
    assert answer.status_code == 200
    html = answer.content.decode()
    assert 'data-testid="import-created">90<' in html and "员工03" in html


def test_page_shows_errors_and_offers_the_report(client, org, staff):
    client.force_login(_clerk(org))
    answer = _upload(client, dingtalk([Person("陌生人", "X999")], 2026, 11))
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "找不到员工 陌生人（X999）" in html and "未写入任何考勤记录" in html
    report = client.get(reverse("org:attendance_import_report"))
    assert report.status_code == 200 and report["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "找不到员工" in str(list(load_workbook(io.BytesIO(report.content)).active.iter_rows(values_only=True)))


def test_page_needs_the_permission(client, org):
    client.force_login(org.nobody)
    assert client.get(reverse("org:attendance_import")).status_code == 403
    assert client.get(reverse("org:attendance_import_report")).status_code == 403
    client.force_login(_clerk(org))
    assert client.get(reverse("org:attendance_import_report")).status_code == 404  # no refused import yet


def test_a_refusal_while_writing_leaves_nothing_written(org, staff, monkeypatch):
    from ecomops.core.errors import BusinessError
    from ecomops.org import actions

    real, calls = actions.record_attendance, []

    def refuse_the_fifth(*args, **kwargs):
        calls.append(1)
        if len(calls) == 5:
            raise BusinessError("保存失败")
        return real(*args, **kwargs)

    monkeypatch.setattr(actions, "record_attendance", refuse_the_fifth)
    result = engine.import_file(source(dingtalk(people_of(staff[:2]), 2026, 11)), user=org.admin, month=NOVEMBER)
    assert [p.message for p in result.problems] == ["保存失败"] and not result.people
    assert not Attendance.objects.exists()

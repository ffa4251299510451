"""Issue 16's done-criterion: a payroll clerk imports a month of 钉钉 attendance for 30 people and
computes the run without the admin; the full-attendance lines follow the file (PER-13)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse

from ecomops.org.models import Attendance, ClientGrant, Department, Staff
from ecomops.org.tests.attendance_workbooks import Person, dingtalk
from ecomops.payroll.enums import GroupKind, LineKind, PayRole
from ecomops.payroll.models import PayGroup, PayLine, PayProfile

from .conftest import make_user

pytestmark = pytest.mark.django_db

NOVEMBER = date(2026, 11, 1)
CLERK_PERMS = ("org.add_attendance", "org.view_attendance", "payroll.view_payrollrun", "payroll.add_payrollrun",
               "payroll.view_all_payslips")


def test_a_clerk_imports_a_month_of_dingtalk_for_30_people_and_computes_the_run(org):
    group = Department.objects.get(code="ecom.sales_cs")
    PayGroup.objects.create(department=group, kind=GroupKind.CUSTOMER_SERVICE)
    staff = []
    for i in range(1, 31):
        user = make_user(f"cs{i:02d}")
        staff.append(Staff.objects.create(user=user, employee_no=f"C{i:03d}", name=f"客服{i:02d}",
                                          department=group, hired_on=date(2025, 3, 1)))
        PayProfile.objects.create(staff=staff[-1], role=PayRole.MEMBER)
    clerk = make_user("clerk", *CLERK_PERMS)
    ClientGrant.objects.create(user=clerk, client=org.client_a)
    http = HttpClient()
    http.force_login(clerk)

    before = http.get(reverse("payroll:runs") + "?month=2026-11")
    assert "以下员工缺少考勤记录：共 30 人" in before.text

    exceptions = {"C002": {3: "迟到12分钟"}, "C003": {10: "事假"}, "C004": {17: "早退5分钟"},
                  "C005": {24: "旷工"}, "C006": {7: "加班"}}  # Saturday overtime: still full attendance
    people = [Person(s.name, s.employee_no, days=exceptions.get(s.employee_no, {})) for s in staff]
    answer = http.post(reverse("org:attendance_import"), {
        "month": "2026-11", "format": "", "file": SimpleUploadedFile("月度汇总.xlsx", dingtalk(people, 2026, 11))})
    assert answer.status_code == 200, answer.text
    assert Attendance.objects.count() == 30 * 30

    after = http.get(reverse("payroll:runs") + "?month=2026-11")
    assert 'data-testid="missing-attendance-none"' in after.text and "缺少考勤记录" not in after.text

    computed = http.post(reverse("payroll:runs"), {"month": "2026-11"})
    assert computed.status_code == 302
    lines = {line.slip.employee_no: line for line in
             PayLine.objects.filter(slip__run__month=NOVEMBER, kind=LineKind.ATTENDANCE).select_related("slip")}
    assert len(lines) == 30
    full = [no for no, line in lines.items() if line.amount == Decimal("50.00")]
    assert sorted(full) == sorted({s.employee_no for s in staff} - {"C002", "C003", "C004", "C005"})
    assert "21 个工作日考勤齐全" in lines["C001"].explanation  # November 2026: 21 weekdays, no holiday
    assert "迟到 1 次" in lines["C002"].explanation and "请假 1 天" in lines["C003"].explanation
    assert "早退 1 次" in lines["C004"].explanation and "旷工 1 天" in lines["C005"].explanation
    page = http.get(reverse("payroll:run", args=["2026-11"]))
    assert 'data-testid="missing-attendance-none"' in page.text

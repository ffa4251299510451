"""PER-13 / issue 16: the working days without an attendance record are listed before a run is
computed (on the month list's compute form and on the run page, before and after computing)."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from ecomops.org.enums import AttendanceKind
from ecomops.org.models import Attendance
from ecomops.payroll import actions, queries

from .conftest import MONTH, make_user


def _http(user):
    http = HttpClient()
    http.force_login(user)
    return http


def test_the_query_lists_each_person_and_their_missing_working_days(world):
    for person in world.everyone:
        world.full_attendance(person)
    Attendance.objects.filter(staff=world.cs[0], date__in=[date(2026, 3, 3), date(2026, 3, 4)]).delete()
    Attendance.objects.filter(staff=world.cs[1], date=date(2026, 3, 7)).delete()  # a Saturday: needs none
    [row] = queries.missing_attendance(MONTH)
    assert row.staff == world.cs[0] and row.days == [date(2026, 3, 3), date(2026, 3, 4)]
    assert row.text == "缺少 03-03、03-04 共 2 个工作日的考勤记录"


def test_the_query_is_empty_when_complete_and_counts_only_days_employed(world):
    for person in world.everyone:
        world.full_attendance(person)
    world.cs[2].hired_on = date(2026, 3, 16)
    world.cs[2].save()
    Attendance.objects.filter(staff=world.cs[2], date__lt=date(2026, 3, 16)).delete()
    assert queries.missing_attendance(MONTH) == []


def test_someone_without_any_record_lists_five_days_then_the_count(world):
    for person in world.everyone[1:]:
        world.full_attendance(person)
    [row] = queries.missing_attendance(MONTH)
    assert row.staff == world.supervisor and len(row.days) == 22
    assert row.text == "缺少 03-02、03-03、03-04、03-05、03-06 等 22 个工作日的考勤记录"


def test_run_page_lists_missing_days_before_and_after_computing(world):
    for person in world.everyone[1:]:
        world.full_attendance(person)
    Attendance.objects.filter(staff=world.cs[0], date=date(2026, 3, 31)).delete()
    http = _http(world.supervisor.user)
    before = http.get(reverse("payroll:runs") + "?month=2026-03")
    assert before.status_code == 200
    assert "以下员工缺少考勤记录：共 2 人" in before.text
    assert "缺少 03-31 共 1 个工作日的考勤记录" in before.text
    assert before.text.index('data-testid="missing-attendance"') < before.text.index('data-testid="compute-form"')
    actions.compute_run(MONTH, user=world.supervisor.user)
    after = http.get(reverse("payroll:run", args=["2026-03"]))
    assert "以下员工缺少考勤记录：共 2 人" in after.text and world.supervisor.name in after.text
    assert after.text.index('data-testid="missing-attendance"') < after.text.index('data-testid="recompute"')


def test_the_list_links_to_the_attendance_grid_for_who_may_open_it(world):
    page = _http(world.admin).get(reverse("payroll:runs") + "?month=2026-03").text
    assert 'href="/org/attendance/?month=2026-03" data-testid="missing-attendance-grid"' in page
    assert 'href="/org/calendar/?year=2026"' in page
    supervisor = _http(world.supervisor.user).get(reverse("payroll:runs") + "?month=2026-03").text
    assert 'data-testid="missing-attendance"' in supervisor
    assert 'data-testid="missing-attendance-grid"' not in supervisor  # no attendance permission: no link


def test_run_page_says_when_attendance_is_complete(world):
    for person in world.everyone:
        world.full_attendance(person)
    http = _http(world.supervisor.user)
    actions.compute_run(MONTH, user=world.supervisor.user)
    page = http.get(reverse("payroll:run", args=["2026-03"]))
    assert 'data-testid="missing-attendance-none"' in page.text and "缺少考勤记录" not in page.text


def test_who_does_not_see_attendance_is_not_shown_the_list(world):
    actions.compute_run(MONTH, user=world.supervisor.user)
    viewer = make_user("viewer", "payroll.view_payrollrun")
    page = _http(viewer).get(reverse("payroll:run", args=["2026-03"]))
    assert page.status_code == 200 and 'data-testid="missing-attendance"' not in page.text


def test_a_rest_day_record_of_kind_rest_or_present_is_fine(world):
    for person in world.everyone:
        world.full_attendance(person)
    Attendance.objects.filter(staff=world.cs[0], date=date(2026, 3, 7)).update(kind=AttendanceKind.PRESENT)
    assert queries.missing_attendance(MONTH) == []


pytestmark = pytest.mark.django_db

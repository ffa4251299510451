"""Issue 16: a clerk corrects a department's attendance month by keyboard alone in a real browser: type
a code, move with the arrow keys and Enter, save with Ctrl+S (ORG-04, PER-13)."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from ecomops.org.actions import hire_staff
from ecomops.org.calendar import load_statutory_year
from ecomops.org.enums import AttendanceKind
from ecomops.org.models import Attendance, Department

PASSWORD = "Browser-Passw0rd!"


@pytest.fixture
def team(transactional_db):
    admin = get_user_model().objects.create_superuser("grid_admin", password=PASSWORD)
    load_statutory_year(2026)  # National Day 10-01…10-07, make-up Saturday 10-10
    department = Department.objects.get(code="warehouse")
    people = [hire_staff(user=admin, username=username, name=name, employee_no=f"K00{n}", department=department,
                         hired_on=date(2025, 3, 1), password=PASSWORD)
              for n, (username, name) in enumerate((("kq1", "甲考勤"), ("kq2", "乙考勤")), start=1)]
    return admin, department, people


@pytest.mark.browser
def test_a_month_corrected_by_keyboard(live_server, page, log_in, team):
    admin, department, (first, second) = team
    log_in("grid_admin")
    page.goto(f"{live_server.url}/org/attendance/?department={department.pk}&month=2026-10")
    holiday = page.locator(f"input[name=c-{first.pk}-01]")
    assert holiday.get_attribute("placeholder") == "休"  # National Day: nothing to type
    cell = page.locator(f"input[name=c-{first.pk}-08]")
    cell.click()
    page.keyboard.type("c15")
    page.keyboard.press("ArrowDown")  # to the same day of the next person
    assert page.evaluate("document.activeElement.name") == f"c-{second.pk}-08"
    page.keyboard.type("j")
    page.keyboard.press("ArrowRight")  # the whole text is selected: straight to the next day
    assert page.evaluate("document.activeElement.name") == f"c-{second.pk}-09"
    page.keyboard.type("迟5早20")
    page.keyboard.press("Enter")  # Enter moves down (no row below: stays), never submits half a month
    assert page.locator("[data-grid-changed]").inner_text() == "已修改 3 格，尚未保存"
    assert "eo-changed" in (cell.get_attribute("class") or "")
    page.keyboard.press("Control+s")
    page.wait_for_selector(".alert-success")
    assert "已保存 3 处考勤修改" in page.content()
    assert Attendance.objects.get(staff=first, date=date(2026, 10, 8)).late_minutes == 15
    assert Attendance.objects.get(staff=second, date=date(2026, 10, 8)).kind == AttendanceKind.LEAVE
    both = Attendance.objects.get(staff=second, date=date(2026, 10, 9))
    assert (both.kind, both.late_minutes, both.early_leave_minutes) == (AttendanceKind.LATE_AND_EARLY, 5, 20)

    # A code nobody knows: refused in red, nothing saved, what was typed stays to be fixed.
    page.locator(f"input[name=c-{first.pk}-09]").fill("迟到很久")
    page.locator(f"input[name=c-{first.pk}-12]").fill("√")
    page.locator("[data-testid=grid-save]").click()
    page.wait_for_selector(".alert-danger")
    assert "甲考勤 10-09：无法识别“迟到很久”" in page.content()
    assert page.locator(f"input[name=c-{first.pk}-09]").get_attribute("aria-invalid") == "true"
    assert page.locator(f"input[name=c-{first.pk}-12]").input_value() == "√"
    assert not Attendance.objects.filter(staff=first, date=date(2026, 10, 12)).exists()

    # Fill the empty working days with √ and save: the month is complete.
    page.locator(f"input[name=c-{first.pk}-09]").fill("√")
    page.locator("[data-testid=grid-fill]").click()
    assert page.locator(f"input[name=c-{first.pk}-10]").input_value() == "√"  # the make-up Saturday
    assert page.locator(f"input[name=c-{first.pk}-11]").input_value() == ""  # a Sunday stays empty
    page.locator("[data-testid=grid-save]").click()
    page.wait_for_selector("[data-testid=grid-complete]")
    assert Attendance.objects.filter(staff=first).count() == 18  # October 2026's working days

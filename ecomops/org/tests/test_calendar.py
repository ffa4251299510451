"""ORG-04 / PER-13: the working-day calendar as data (statutory holidays, make-up days, manual days)."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ecomops.core.errors import BusinessError, NotAllowed
from ecomops.org import actions
from ecomops.org.calendar import (
    day_info,
    is_working_day,
    load_statutory_year,
    seed_statutory_years,
    statutory_year,
    working_days,
)
from ecomops.org.enums import CalendarSource
from ecomops.org.models import CalendarDay

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_2026():
    CalendarDay.objects.filter(date__year=2026).delete()
    load_statutory_year(2026)


def test_national_day_is_a_rest_day_and_named_in_chinese(year_2026):
    assert not is_working_day(date(2026, 10, 1))
    info = day_info(date(2026, 10, 1), date(2026, 10, 1))[date(2026, 10, 1)]
    assert info.name == "国庆节" and info.source == CalendarSource.STATUTORY


def test_the_make_up_saturday_is_a_working_day(year_2026):
    # chinese-calendar 1.11: Saturday 2026-10-10 is worked in lieu of the National Day holiday.
    assert date(2026, 10, 10).weekday() == 5
    assert is_working_day(date(2026, 10, 10))
    assert CalendarDay.objects.get(date=date(2026, 10, 10)).name == "国庆节调休上班"


def test_a_plain_saturday_rests_and_a_plain_tuesday_works(year_2026):
    assert not is_working_day(date(2026, 11, 7))  # Saturday, no row
    assert is_working_day(date(2026, 11, 3))
    assert not CalendarDay.objects.filter(date__in=[date(2026, 11, 7), date(2026, 11, 3)]).exists()


def test_working_days_of_october_2026_in_one_query(year_2026):
    with CaptureQueriesContext(connection) as queries:
        days = working_days(date(2026, 10, 1), date(2026, 10, 31))
    assert len(queries) == 1
    assert date(2026, 10, 10) in days and date(2026, 10, 1) not in days and date(2026, 10, 11) not in days
    # 22 weekdays, minus 1–2 and 5–7 October, plus Saturday the 10th
    assert len(days) == 22 - 5 + 1


def test_only_holidays_and_make_up_days_are_rows(year_2026):
    rows = CalendarDay.objects.filter(date__year=2026)
    assert rows.count() == len(statutory_year(2026))
    assert set(rows.values_list("source", flat=True)) == {CalendarSource.STATUTORY}
    assert "春节" in set(rows.values_list("name", flat=True))


def test_reloading_changes_nothing(year_2026):
    before = CalendarDay.history.count()
    result = load_statutory_year(2026)
    assert result.created == result.updated == 0 and result.unchanged == len(statutory_year(2026))
    assert CalendarDay.history.count() == before


def test_a_manual_row_wins_and_survives_reloading(org, year_2026):
    actions.set_calendar_day(user=org.admin, day=date(2026, 10, 10), is_working=False, name="公司团建",
                             note="全员休息")
    actions.set_calendar_day(user=org.admin, day=date(2026, 11, 7), is_working=True, name="盘点加班")
    result = actions.load_statutory_calendar(2026, user=org.admin)
    assert result.kept_manual == 1
    row = CalendarDay.objects.get(date=date(2026, 10, 10))
    assert (row.is_working, row.name, row.source) == (False, "公司团建", CalendarSource.MANUAL)
    assert not is_working_day(date(2026, 10, 10)) and is_working_day(date(2026, 11, 7))
    assert row.history.first().history_user == org.admin


def test_a_changed_statutory_row_is_corrected_on_reload(year_2026):
    row = CalendarDay.objects.get(date=date(2026, 10, 1))
    row.name = "旧名称"
    row.save()
    assert load_statutory_year(2026).updated == 1
    assert CalendarDay.objects.get(date=date(2026, 10, 1)).name == "国庆节"


def test_unknown_year_is_a_clear_error():
    with pytest.raises(BusinessError) as error:
        load_statutory_year(2099)
    assert "2099" in error.value.message and "请手工维护" in error.value.message
    assert not CalendarDay.objects.filter(date__year=2099).exists()


def test_without_the_permission_nothing_is_changed(org):
    with pytest.raises(NotAllowed):
        actions.set_calendar_day(user=org.nobody, day=date(2026, 10, 10), is_working=False)
    with pytest.raises(NotAllowed):
        actions.load_statutory_calendar(2026, user=org.nobody)


def test_seed_loads_the_known_years_around_today():
    CalendarDay.objects.all().delete()
    assert seed_statutory_years(date(2026, 12, 7)) == [2025, 2026]  # 2027: not in the package yet
    assert CalendarDay.objects.filter(date__year=2025).exists()
    assert seed_statutory_years(date(2026, 12, 7)) == []


def test_the_seeded_installation_knows_the_current_statutory_year():
    # seeded after migrate (OrgConfig.seed_reference_data)
    assert CalendarDay.objects.filter(date=date(2026, 10, 1), is_working=False).exists()


# --- the page ------------------------------------------------------------------------------------


def _hr(org):
    user = org.nobody
    for codename in ("view_calendarday", "change_calendarday"):
        user.user_permissions.add(Permission.objects.get(content_type__app_label="org", codename=codename))
    return type(user).objects.get(pk=user.pk)


def test_page_shows_the_year_with_holidays_and_make_up_days(client, org, year_2026):
    client.force_login(_hr(org))
    page = client.get(reverse("org:work_calendar"), {"year": 2026})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-date="2026-10-01" data-working="0"' in html
    assert 'data-date="2026-10-10" data-working="1"' in html
    assert "国庆节调休上班" in html
    assert 'data-testid="calendar-day-form"' in html


def test_page_of_an_unknown_year_says_so(client, org):
    client.force_login(_hr(org))
    page = client.get(reverse("org:work_calendar"), {"year": 2099})
    assert "日历数据未包含 2099 年的法定节假日" in page.content.decode()


def test_page_needs_the_permission(client, org):
    client.force_login(org.nobody)
    assert client.get(reverse("org:work_calendar")).status_code == 403
    assert client.post(reverse("org:work_calendar_day"), {"date": "2026-10-10", "is_working": "0"}).status_code == 403
    client.force_login(org.member_a)
    assert client.get(reverse("org:work_calendar")).status_code == 404


def test_viewer_without_change_permission_sees_no_forms(client, org):
    user = org.nobody
    user.user_permissions.add(Permission.objects.get(content_type__app_label="org", codename="view_calendarday"))
    client.force_login(type(user).objects.get(pk=user.pk))
    html = client.get(reverse("org:work_calendar")).content.decode()
    assert 'data-testid="calendar-day-form"' not in html


def test_page_form_sets_a_manual_day(client, org):
    client.force_login(_hr(org))
    answer = client.post(reverse("org:work_calendar_day"),
                         {"date": "2026-11-07", "is_working": "1", "name": "盘点加班", "note": ""})
    assert answer.status_code == 302
    row = CalendarDay.objects.get(date=date(2026, 11, 7))
    assert row.is_working and row.source == CalendarSource.MANUAL


def test_page_form_refuses_a_missing_date(client, org):
    client.force_login(_hr(org))
    answer = client.post(reverse("org:work_calendar_day"), {"date": "", "is_working": "1"})
    assert answer.status_code == 400


def test_page_button_loads_a_year_and_reports_an_unknown_one(client, org):
    CalendarDay.objects.filter(date__year=2025).delete()
    client.force_login(_hr(org))
    answer = client.post(reverse("org:work_calendar_load"), {"year": "2025"})
    assert answer.status_code == 302
    assert CalendarDay.objects.filter(date=date(2025, 10, 1), is_working=False).exists()
    answer = client.post(reverse("org:work_calendar_load"), {"year": "2099"})
    assert answer.status_code == 400
    assert "日历数据未包含 2099 年的法定节假日，请手工维护" in answer.content.decode()


def test_navigation_links_the_calendar(client, org):
    client.force_login(_hr(org))
    html = client.get(reverse("org:work_calendar")).content.decode()
    assert reverse("org:work_calendar") in html

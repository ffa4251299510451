"""经营报表 page (DAT-01): company-wide figures only for users who see every client (DAT-02, AGY-07);
downloads through the checked view (and /media/ by the same rule), 立即生成 with its permission."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from ecomops.core.access import may_open
from ecomops.org.models import ClientMember
from ecomops.reports import build
from ecomops.reports.models import ManagementReport

NOW = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
LIST = "/reports/"


def _user(name, *perms):
    user = get_user_model().objects.create_user(username=name, password="Test-Passw0rd!")
    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    return get_user_model().objects.get(pk=user.pk)


VIEW, ADD, ALL = "reports.view_managementreport", "reports.add_managementreport", "org.access_all_clients"


@pytest.fixture
def report(fake_figures):
    return build.generate("weekly", date(2026, 11, 30), now=NOW)


@pytest.fixture
def users(org):
    member = _user("member", VIEW, ADD, ALL)
    ClientMember.objects.create(user=member, client=org.client_a)
    granted = _user("granted", VIEW, ADD)  # sees client A only, through a grant
    from ecomops.org.models import ClientGrant
    ClientGrant.objects.create(user=granted, client=org.client_a)
    return {"manager": _user("manager", VIEW, ADD, ALL), "reader": _user("reader", VIEW, ALL),
            "granted": granted, "member": member, "plain": _user("plain", ALL)}


def _client(client, user):
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_manager_lists_and_downloads_both_files(client, users, report):
    page = _client(client, users["manager"]).get(LIST)
    assert page.status_code == 200
    html = page.content.decode()
    xlsx_url = reverse("reports:download", args=[report.pk, "xlsx"])
    pdf_url = reverse("reports:download", args=[report.pk, "pdf"])
    assert xlsx_url in html and pdf_url in html and "2026-11-30 – 2026-12-06" in html and "未发送" in html
    assert "立即生成" in html and 'href="/reports/"' in html  # the nav entry
    xlsx = client.get(xlsx_url)
    assert xlsx.status_code == 200 and xlsx["Cache-Control"] == "private, no-store"
    assert "attachment" in xlsx["Content-Disposition"] and ".xlsx" in xlsx["Content-Disposition"]
    assert b"".join(xlsx.streaming_content).startswith(b"PK")
    pdf = client.get(pdf_url)
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert client.get(reverse("reports:download", args=[report.pk, "csv"])).status_code == 404
    assert client.get(f"/media/{report.pdf_file.name}").status_code == 200  # the same rule on /media/


@pytest.mark.django_db
def test_kind_tabs_filter_the_list(client, users, fake_figures):
    build.generate("daily", date(2026, 12, 5), now=NOW)
    build.generate("monthly", date(2026, 11, 1), now=NOW)
    html = _client(client, users["reader"]).get(LIST + "?kind=daily").content.decode()
    assert "2026-12-05" in html and "2026-11</td>" not in html
    html = client.get(LIST + "?kind=monthly").content.decode()
    assert "2026-11</td>" in html and "2026-12-05" not in html
    assert "立即生成" not in html  # no add permission: no button


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["granted", "plain"])
def test_users_who_do_not_see_every_client_get_neither_page_nor_files(client, users, report, who):
    user = users[who]
    assert not may_open(user, LIST)
    response = _client(client, user).get(LIST)
    assert response.status_code == 403
    assert 'href="/reports/"' not in client.get("/").content.decode()  # no nav entry
    for extension in ("xlsx", "pdf"):
        assert client.get(reverse("reports:download", args=[report.pk, extension])).status_code == 404
    assert client.get(f"/media/{report.xlsx_file.name}").status_code == 404
    assert client.post(LIST, {"g-kind": "daily", "g-day": "2026-12-01"}).status_code == 403


@pytest.mark.django_db
def test_client_users_never_see_the_reports_404_like_another_clients_file(client, users, report):
    member = users["member"]
    _client(client, member)
    assert client.get(LIST).status_code == 404
    for extension in ("xlsx", "pdf"):
        assert client.get(reverse("reports:download", args=[report.pk, extension])).status_code == 404
    assert client.get(f"/media/{report.pdf_file.name}").status_code == 404
    assert client.get(reverse("reports:download", args=[report.pk + 99, "pdf"])).status_code == 404


@pytest.mark.django_db
def test_generate_now_writes_the_report(client, users, fake_figures):
    response = _client(client, users["manager"]).post(LIST, {"g-kind": "monthly", "g-day": "2026-10-15"},
                                                      follow=True)
    report = ManagementReport.objects.get()
    assert (report.kind, report.period_start, report.period_end) == ("monthly", date(2026, 10, 1), date(2026, 10, 31))
    assert "已生成月报 2026-10（第 1 次）" in response.content.decode()


@pytest.mark.django_db
def test_generate_refuses_a_bad_day_in_chinese_and_writes_nothing(client, users, fake_figures):
    _client(client, users["manager"])
    html = client.post(LIST, {"g-kind": "daily", "g-day": "2999-01-01"}).content.decode()
    assert "尚未结束，只能生成已结束期间的报表" in html
    html = client.post(LIST, {"g-kind": "daily", "g-day": "2026-13-45"}).content.decode()
    assert "有效的日期" in html
    html = client.post(LIST, {"g-kind": "yearly", "g-day": "2026-11-01"}).content.decode()
    assert "选择一个有效的选项" in html
    assert not ManagementReport.objects.exists() and fake_figures.calls == []


@pytest.mark.django_db
def test_reader_without_add_permission_cannot_generate(client, users):
    assert _client(client, users["reader"]).post(LIST, {"g-kind": "daily", "g-day": "2026-12-01"}).status_code == 403
    assert not ManagementReport.objects.exists()
